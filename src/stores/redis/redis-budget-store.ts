import type {
  SharedBudgetStore,
  SharedReserveOutcome,
  SharedReserveRequest,
  SharedScope,
  SharedScopeStatus,
  SharedSettlement,
} from '../../budget/shared-budget-store.js';
import { SharedBudgetConflictError } from '../../errors/shared-budget-conflict-error.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import { EXTEND, hashOfScope, KILL, RESERVE, SETTLE } from './budget-scripts.js';
import { type RedisConnection, redisScript } from './redis-connection.js';
import { TreeBatcher } from './tree-batcher.js';

const SCRIPTS = {
  reserve: redisScript(RESERVE),
  settle: redisScript(SETTLE),
  extend: redisScript(EXTEND),
  kill: redisScript(KILL),
};

export interface RedisBudgetOptions {
  /** Key prefix. @default 'tf' */
  prefix: string;
  /** How long a hold lives without a heartbeat, on Redis's clock. */
  holdTtlMs: number;
  /** How long an ended reservation is remembered (what makes a repeated settle idempotent). */
  retentionMs: number;
  /** Told of a settlement the store refused as conflicting (it is dropped: it can never apply). */
  onConflict: (error: SharedBudgetConflictError) => void;
}

/**
 * Acknowledged settlements kept for a replay should Redis lose them: `appendfsync everysec` loses up to
 * about a second, a failover to a lagging replica a few.
 */
const REPLAY_WINDOW_MS = 10_000;
const REPLAY_LIMIT = 100_000;

/** At least this long for a kill or revive to reach Redis: the connect timeout of a store TokenFence opens. */
const OPERATOR_TIMEOUT_MS = 1_000;

/** Operations of one tree sent in one script call at most (a script blocks Redis while it runs). */
const MAX_BATCH = 64;

/** Beats often enough to keep holds alive, and to clear a crashed process's holds within TTL + 1 s. */
function heartbeatMs(holdTtlMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(holdTtlMs / 3)));
}

/** The result of one settlement the store acknowledged. */
export interface SettleResult {
  /** The hold had expired (or was never made, in degraded mode): charged after the fact. */
  late: boolean;
  /** The same settlement had already been applied: nothing changed. */
  repeated: boolean;
}

/**
 * Shared budgets on Redis: reserve, settle, release and extend are each one Lua script over every scope of
 * a call. Settlements go through an outbox: kept until Redis acknowledges them, retried across outages
 * and reconnects, applied exactly once (the reservation id is the idempotency key).
 */
export class RedisBudgetStore implements SharedBudgetStore {
  readonly name: string;
  readonly #connection: RedisConnection;
  readonly #options: RedisBudgetOptions;
  readonly #outbox = new Map<string, { settlement: SharedSettlement; acknowledged: () => void }>();
  readonly #sending = new Set<string>();
  readonly #drainWaiters = new Set<() => void>();
  readonly #tracked = new Map<string, Set<string>>();
  readonly #killListeners = new Set<(tree: string, killKey: string, reason: string | null) => void>();
  #subscriber: ReturnType<RedisConnection['client']['duplicate']> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** The last sequence seen per tree, and the settlements acknowledged in the last seconds per tree. */
  readonly #sequences = new Map<string, number>();
  readonly #recent = new Map<string, { settlement: SharedSettlement; at: number }[]>();
  readonly #reserves = new TreeBatcher<SharedReserveRequest, SharedReserveOutcome>(
    (tree, requests, deadline) => this.#reserveBatch(tree, requests, deadline),
    MAX_BATCH,
  );
  readonly #settles = new TreeBatcher<SharedSettlement, SettleResult>(
    (tree, settlements, deadline) => this.#settleBatch(tree, settlements, deadline),
    MAX_BATCH,
  );

  constructor(connection: RedisConnection, options: RedisBudgetOptions) {
    this.#connection = connection;
    this.#options = options;
    this.name = connection.name;
    connection.onReady(() => this.#pump());
  }

  #prefix(tree: string): string {
    // Hash tags end at the first '}': the tree's name is encoded so it cannot contain one.
    return `${this.#options.prefix}:{${encodeURIComponent(tree)}}:`;
  }

  get killChannel(): string {
    return `${this.#options.prefix}:kills`;
  }

  reserve(request: SharedReserveRequest): Promise<SharedReserveOutcome> {
    return this.#reserves.submit(request.tree, request, Date.now() + this.#connection.timeoutMs);
  }

  /** One script call for a batch of reservations of one tree; a conflict fails only its own request. */
  async #reserveBatch(
    tree: string,
    requests: SharedReserveRequest[],
    deadline: number,
  ): Promise<(SharedReserveOutcome | Error)[]> {
    const prefix = this.#prefix(tree);
    const keys = treeKeys(prefix);
    const args: (string | number)[] = [this.#options.holdTtlMs, this.#options.retentionMs, prefix, requests.length];
    for (const request of requests) {
      args.push(
        request.reservationId,
        request.amountNanos,
        request.force ? '1' : '0',
        request.update ? '1' : '0',
        request.scopes.length,
      );
      for (const scope of request.scopes) {
        args.push(scope.key, scope.killKey, scope.limitNanos === null ? '-' : scope.limitNanos);
      }
    }
    const replies = (await this.#connection.evaluate(SCRIPTS.reserve, keys, args, deadline)) as unknown[];
    const regression = this.#checkSequence(tree, replies.at(-1));
    if (!regression) return requests.map((request, index) => reserveOutcome(request, replies[index] as unknown[]));
    // Admitted against counters that lost writes: give the holds back, refuse the calls while replaying.
    return requests.map((request, index) => {
      if ((replies[index] as unknown[])[0] === 'held') {
        void this.settle({ tree, reservationId: request.reservationId, scopes: request.scopes, costNanos: null });
      }
      return regression;
    });
  }

  settle(settlement: SharedSettlement): Promise<void> {
    this.untrack(settlement.tree, settlement.reservationId);
    const applied = new Promise<void>((acknowledged) => {
      this.#outbox.set(settlement.reservationId, { settlement, acknowledged });
    });
    this.#send(settlement);
    return applied;
  }

  /** Applies one settlement now and reports how it landed (the outbox uses it; tests call it directly). */
  settleNow(settlement: SharedSettlement): Promise<SettleResult> {
    return this.#settles.submit(settlement.tree, settlement, Date.now() + this.#connection.timeoutMs);
  }

  /** One script call for a batch of settlements of one tree; a conflict fails only its own settlement. */
  async #settleBatch(
    tree: string,
    settlements: SharedSettlement[],
    deadline: number,
  ): Promise<(SettleResult | Error)[]> {
    const prefix = this.#prefix(tree);
    const keys = treeKeys(prefix);
    const args: (string | number)[] = [this.#options.retentionMs, prefix, settlements.length];
    for (const settlement of settlements) {
      args.push(
        settlement.reservationId,
        settlement.costNanos === null ? '-' : settlement.costNanos,
        settlement.scopes.length,
        ...settlement.scopes.map((scope) => scope.key),
      );
    }
    const replies = (await this.#connection.evaluate(SCRIPTS.settle, keys, args, deadline)) as unknown[];
    this.#checkSequence(tree, replies.at(-1));
    return settlements.map((settlement, index) => {
      const result = settleResult(settlement, replies[index] as unknown[]);
      if (!(result instanceof Error)) this.#remember(settlement);
      return result;
    });
  }

  /** Keeps acknowledged settlements for a while: what Redis may lose in a crash without appendfsync always. */
  #remember(settlement: SharedSettlement): void {
    const now = Date.now();
    let recent = this.#recent.get(settlement.tree);
    if (!recent) {
      recent = [];
      this.#recent.set(settlement.tree, recent);
    }
    recent.push({ settlement, at: now });
    while (recent.length > 0 && ((recent[0]?.at ?? now) < now - REPLAY_WINDOW_MS || recent.length > REPLAY_LIMIT)) {
      recent.shift();
    }
  }

  /**
   * Follows the tree's sequence. When it goes back, Redis lost writes it had acknowledged: this process's
   * settlements of the last seconds are applied again (idempotent where they survived) and the error to
   * refuse the batch's calls with is returned.
   */
  #checkSequence(tree: string, value: unknown): StoreUnavailableError | undefined {
    const sequence = Number(value);
    const seen = this.#sequences.get(tree) ?? 0;
    this.#sequences.set(tree, sequence);
    if (sequence > seen) return undefined;
    const replay = this.#recent.get(tree) ?? [];
    this.#recent.delete(tree);
    for (const { settlement } of replay) void this.settle(settlement);
    return new StoreUnavailableError(
      this.name,
      `it lost writes it had acknowledged (the budget's sequence went back from ${seen} to ${sequence}: a restart ` +
        `without appendfsync always, or a failover?); ${replay.length} recent settlements are being applied again`,
    );
  }

  /** Sends one outbox entry (unless already on its way); kept for a later try when Redis does not answer. */
  #send(settlement: SharedSettlement): void {
    const id = settlement.reservationId;
    if (this.#sending.has(id)) return;
    this.#sending.add(id);
    this.settleNow(settlement)
      .then(
        () => this.#acknowledge(id),
        (error: unknown) => {
          if (!SharedBudgetConflictError.isInstance(error)) {
            this.#scheduleRetry();
            return;
          }
          this.#acknowledge(id);
          this.#options.onConflict(error);
        },
      )
      .finally(() => {
        this.#sending.delete(id);
        for (const check of [...this.#drainWaiters]) check();
      });
  }

  #acknowledge(id: string): void {
    this.#outbox.get(id)?.acknowledged();
    this.#outbox.delete(id);
  }

  #pump(): void {
    for (const { settlement } of this.#outbox.values()) this.#send(settlement);
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, 250);
    this.#retryTimer.unref();
  }

  /** Settlements not yet acknowledged by Redis. */
  get pendingSettlements(): number {
    return this.#outbox.size;
  }

  /**
   * Settlements that charge spend and are not yet acknowledged: what would be lost by stopping now. A
   * release is not counted: the hold it ends (if the reserve ever reached Redis) expires on its own after
   * the hold TTL, so a process whose calls were all refused while Redis was down has nothing to lose.
   */
  get pendingCharges(): number {
    let count = 0;
    for (const { settlement } of this.#outbox.values()) if (settlement.costNanos !== null) count += 1;
    return count;
  }

  drain(): Promise<void> {
    return this.#drainUntil(() => this.#outbox.size === 0);
  }

  /** Resolves once every charge is acknowledged (releases may still be waiting: their holds expire anyway). */
  drainCharges(): Promise<void> {
    return this.#drainUntil(() => this.pendingCharges === 0);
  }

  #drainUntil(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.#drainWaiters.delete(check);
        resolve();
      };
      this.#drainWaiters.add(check);
      this.#pump();
    });
  }

  track(tree: string, reservationId: string): void {
    let ids = this.#tracked.get(tree);
    if (!ids) {
      ids = new Set();
      this.#tracked.set(tree, ids);
    }
    ids.add(reservationId);
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => this.#extend(), heartbeatMs(this.#options.holdTtlMs));
    this.#heartbeat.unref();
  }

  untrack(tree: string, reservationId: string): void {
    // The tree stays known: the heartbeat also sweeps it, so holds of a crashed process are cleared
    // within TTL + one beat even when no reservation comes to sweep them.
    this.#tracked.get(tree)?.delete(reservationId);
  }

  /** Heartbeat: pushes back the expiry of this process's holds still in flight, and sweeps expired ones. */
  #extend(): void {
    for (const [tree, ids] of this.#tracked) {
      const prefix = this.#prefix(tree);
      this.#connection
        .evaluate(SCRIPTS.extend, treeKeys(prefix), [
          this.#options.holdTtlMs,
          prefix,
          this.#options.retentionMs,
          ...ids,
        ])
        .catch(() => {
          // A missed beat is survivable: the hold lives until its TTL, and the next beat tries again.
        });
    }
  }

  /**
   * Resolves once Redis has the flag. A kill is often the last thing a short-lived process does (an ops
   * script), so it gets at least the time a fresh connection needs to open, not only the per-call timeout.
   */
  async kill(tree: string, killKey: string, reason: string): Promise<void> {
    const prefix = this.#prefix(tree);
    await this.#connection.evaluate(
      SCRIPTS.kill,
      [`${prefix}b`],
      [killKey, reason, this.killChannel, JSON.stringify({ tree, killKey, reason }), prefix, this.#options.retentionMs],
      this.#operatorDeadline(),
    );
  }

  async revive(tree: string, killKey: string): Promise<void> {
    const hash = hashOfScope(this.#prefix(tree), killKey);
    const deadline = this.#operatorDeadline();
    await this.#connection.command(() => this.#connection.client.call('HDEL', hash, `${killKey}\nk`), deadline);
    // Processes that heard the kill lift it too; one that misses this message refuses until its reset().
    await this.#connection.command(
      () => this.#connection.client.call('PUBLISH', this.killChannel, JSON.stringify({ tree, killKey, revived: true })),
      deadline,
    );
  }

  /** The trees (root scope ids) this store has budgets for: for an operator's kill of a tag in all of them. */
  async trees(): Promise<string[]> {
    const prefix = this.#options.prefix;
    // The prefix is validated to letters, digits and `.:_-`: nothing a MATCH pattern would read as a glob.
    const pattern = `${prefix}:{*}:b`;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const reply = (await this.#connection.command(
        () => this.#connection.client.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', 1_000),
        this.#operatorDeadline(),
      )) as [string, string[]];
      cursor = String(reply[0]);
      for (const key of reply[1]) {
        const encoded = key.slice(prefix.length + 2, -3);
        try {
          found.add(decodeURIComponent(encoded));
        } catch {
          // Not a key this store wrote (the tree part is always URI-encoded).
        }
      }
    } while (cursor !== '0');
    return [...found].sort();
  }

  #operatorDeadline(): number {
    return Date.now() + Math.max(this.#connection.timeoutMs, OPERATOR_TIMEOUT_MS);
  }

  /** Read after this process's own settlements have landed (waiting at most the timeout for them). */
  async totals(tree: string, scope: SharedScope): Promise<SharedScopeStatus> {
    await this.#drainWithin(this.#connection.timeoutMs);
    const prefix = this.#prefix(tree);
    const client = this.#connection.client;
    const [fields, killed] = await this.#connection.command(() =>
      Promise.all([
        client.call(
          'HMGET',
          hashOfScope(prefix, scope.key),
          `${scope.key}\nl`,
          `${scope.key}\ns`,
          `${scope.key}\nh`,
          `${scope.key}\nc`,
        ) as Promise<(string | null)[]>,
        client.call('HGET', hashOfScope(prefix, scope.killKey), `${scope.killKey}\nk`) as Promise<string | null>,
      ]),
    );
    const [limit, spent, held, calls] = fields;
    return {
      limitNanos: limit === null || limit === undefined || limit === '-' ? null : Number(limit),
      spentNanos: Number(spent),
      heldNanos: Number(held),
      calls: Number(calls),
      killed: killed ?? null,
    };
  }

  onKill(listener: (tree: string, killKey: string, reason: string | null) => void): () => void {
    this.#killListeners.add(listener);
    if (!this.#subscriber) this.#subscribe();
    return () => this.#killListeners.delete(listener);
  }

  #subscribe(): void {
    const subscriber = this.#connection.client.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', () => {});
    subscriber.on('message', (_channel: unknown, message: unknown) => {
      let order: { tree?: unknown; killKey?: unknown; reason?: unknown; revived?: unknown };
      try {
        order = JSON.parse(String(message));
      } catch {
        return;
      }
      if (typeof order.tree !== 'string' || typeof order.killKey !== 'string') return;
      const reason = order.revived === true ? null : String(order.reason ?? '');
      for (const listener of this.#killListeners) listener(order.tree, order.killKey, reason);
    });
    // Subscribing is refused until connected (no offline queue), and is needed again after a reconnect.
    subscriber.on('ready', () => void subscriber.subscribe(this.killChannel).catch(() => {}));
    if (subscriber.status === 'ready') void subscriber.subscribe(this.killChannel).catch(() => {});
  }

  /** Waits (up to `timeoutMs`) for unacknowledged settlements, then stops timers and the subscriber. */
  #drainWithin(timeoutMs: number, drained: Promise<void> = this.drain()): Promise<unknown> {
    return Promise.race([drained, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  /**
   * Waits (up to `timeoutMs`) for every settlement, then stops. Rejects only when spend would be lost:
   * charges Redis has not acknowledged. Releases still waiting are dropped (their holds expire after the
   * hold TTL), so a process that never had a call admitted closes cleanly with Redis down.
   */
  async close(timeoutMs: number): Promise<void> {
    await this.#drainWithin(timeoutMs, this.drainCharges());
    // Releases sent with the charges usually land with them: a moment more while Redis answers.
    if (this.#outbox.size > 0 && this.#connection.available) await this.#drainWithin(Math.min(timeoutMs, 100));
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#subscriber?.disconnect();
    const charges = this.pendingCharges;
    if (charges > 0) throw new StoreUnavailableError(this.name, `${charges} settlements not acknowledged at close`);
  }
}

/** The keys of a tree every batch script declares (one slot): budgets, holds, held reservations. */
function treeKeys(prefix: string): string[] {
  return [`${prefix}b`, `${prefix}holds`, `${prefix}held`];
}

/** What one reserve reply means for its request; conflicts as typed errors. */
function reserveOutcome(request: SharedReserveRequest, reply: unknown[]): SharedReserveOutcome | Error {
  const status = String(reply[0]);
  const scopeAt = (index: unknown) => request.scopes[Number(index) - 1] as SharedScope;
  if (status === 'held') {
    const totals = request.scopes.map((_, index) => ({
      spentNanos: Number(reply[1 + 2 * index]),
      heldNanos: Number(reply[2 + 2 * index]),
    }));
    return { status, totals };
  }
  if (status === 'denied') {
    return {
      status,
      index: Number(reply[1]) - 1,
      spentNanos: Number(reply[2]),
      heldNanos: Number(reply[3]),
      limitNanos: Number(reply[4]),
    };
  }
  if (status === 'killed') return { status, index: Number(reply[1]) - 1, reason: String(reply[2]) };
  if (status === 'conflict') {
    const stored = String(reply[2]);
    return new SharedBudgetConflictError(
      'limit',
      scopeAt(reply[1]).key,
      `the store has it with ${stored === '-' ? 'no limit' : `a limit of ${stored} n$`}, this process asks for ` +
        `${scopeAt(reply[1]).limitNanos ?? 'none'}; give the same budget everywhere, or \`update: true\` to replace it`,
    );
  }
  // The id was used before and is over (or holds another amount): an id must never be reused.
  return new SharedBudgetConflictError(
    'reservation',
    request.reservationId,
    `reserve found it ${String(reply[1] ?? status)}`,
  );
}

/** What one settle reply means; a conflicting settlement as a typed error. */
function settleResult(settlement: SharedSettlement, reply: unknown[]): SettleResult | Error {
  if (reply[0] !== 'conflict') return { late: Number(reply[1]) === 1, repeated: reply[0] === 'repeat' };
  const [, state, charged] = reply.map(String);
  const cost = settlement.costNanos;
  return new SharedBudgetConflictError(
    'reservation',
    settlement.reservationId,
    `already ${state}${charged === '-' ? '' : ` at ${charged} n$`}, now asked to ${cost === null ? 'release it' : `settle it at ${cost} n$`}`,
  );
}
