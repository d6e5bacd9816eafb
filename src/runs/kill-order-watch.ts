import type { KillOrder } from '../ledger/ledger-records.js';
import type { LedgerStore } from '../ledger/ledger-store.js';

/** How often a fence with runs in progress looks for kill orders from other processes. */
export const KILL_ORDER_POLL_MS = 500;

/**
 * Reads kill orders from the store while a fence has runs in progress, so a dashboard in another process
 * (`npx tokenfence dashboard`) can stop them. Orders given since the fence was created count, once each,
 * even when given between two runs: each run start reads them at once, then every 0.5 s while runs are
 * in progress (the timer is unref'd).
 */
export class KillOrderWatch {
  readonly #store: () => LedgerStore;
  readonly #obey: (order: KillOrder) => void;
  readonly #since = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastSeq = 0;

  constructor(store: () => LedgerStore, obey: (order: KillOrder) => void) {
    this.#store = store;
    this.#obey = obey;
  }

  start(): void {
    this.#poll();
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#poll(), KILL_ORDER_POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #poll(): void {
    const pulling = this.#store().pullKillOrders?.();
    if (pulling) pulling.then(() => this.#read()).catch(() => {});
    else this.#read();
  }

  #read(): void {
    let orders: KillOrder[];
    try {
      orders = this.#store().queryKillOrders(this.#since);
    } catch {
      // Kill orders are best effort on top of the local kill switch: an unreadable store is read again on
      // the next tick rather than failing the run (the ledger writer reports a broken store on its own).
      return;
    }
    for (const order of orders) {
      if (order.seq <= this.#lastSeq) continue;
      this.#lastSeq = order.seq;
      this.#obey(order);
    }
  }
}
