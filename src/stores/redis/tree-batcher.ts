interface Waiting<Item, Result> {
  item: Item;
  deadline: number;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

interface TreeQueue<Item, Result> {
  waiting: Waiting<Item, Result>[];
  inFlight: number;
}

/**
 * Batches of one tree on their way at once: while Redis runs one, the next is being sent, so Redis is not
 * left idle for a round trip. Redis runs them in the order sent.
 */
const IN_FLIGHT = 2;

/** Sends one batch of a tree; one result per item, in order (an Error for an item that failed alone). */
export type SendBatch<Item, Result> = (tree: string, items: Item[], deadline: number) => Promise<(Result | Error)[]>;

/**
 * Group commit per budget tree: operations that arrive while the tree's previous batch is in flight go
 * together in the next script call. An idle tree sends at once (after the current tick, so calls started
 * together share a batch); under load, round trips and script calls per operation fall. A batch has the
 * earliest deadline of its operations, so none waits longer than its own timeout.
 */
export class TreeBatcher<Item, Result> {
  readonly #queues = new Map<string, TreeQueue<Item, Result>>();
  readonly #send: SendBatch<Item, Result>;
  readonly #maxBatch: number;

  constructor(send: SendBatch<Item, Result>, maxBatch: number) {
    this.#send = send;
    this.#maxBatch = maxBatch;
  }

  submit(tree: string, item: Item, deadline: number): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      let queue = this.#queues.get(tree);
      if (!queue) {
        queue = { waiting: [], inFlight: 0 };
        this.#queues.set(tree, queue);
      }
      queue.waiting.push({ item, deadline, resolve, reject });
      if (queue.waiting.length === 1 && queue.inFlight < IN_FLIGHT) {
        const idle = queue;
        queueMicrotask(() => void this.#next(tree, idle));
      }
    });
  }

  async #next(tree: string, queue: TreeQueue<Item, Result>): Promise<void> {
    if (queue.inFlight >= IN_FLIGHT) return;
    if (queue.waiting.length === 0) {
      if (queue.inFlight === 0) this.#queues.delete(tree);
      return;
    }
    queue.inFlight += 1;
    const batch = queue.waiting.splice(0, this.#maxBatch);
    let deadline = Number.POSITIVE_INFINITY;
    for (const waiting of batch) deadline = Math.min(deadline, waiting.deadline);
    try {
      const results = await this.#send(
        tree,
        batch.map((waiting) => waiting.item),
        deadline,
      );
      batch.forEach((waiting, index) => {
        const result = results[index];
        if (result instanceof Error) waiting.reject(result);
        else waiting.resolve(result as Result);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      queue.inFlight -= 1;
    }
    await this.#next(tree, queue);
  }
}
