import type { KillOrder } from '../ledger/ledger-records.js';
import type { LedgerStore } from '../ledger/ledger-store.js';

/** How often a fence with runs in progress looks for kill orders from other processes. */
export const KILL_ORDER_POLL_MS = 500;

/**
 * Reads kill orders from the store while a fence has runs in progress, so a dashboard in another process
 * (`npx tokenfence dashboard`) can stop them. Only orders given after watching began count; the timer is
 * unref'd and runs only while there is something to kill.
 */
export class KillOrderWatch {
  readonly #store: () => LedgerStore;
  readonly #obey: (order: KillOrder) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #since = 0;
  #lastSeq = 0;

  constructor(store: () => LedgerStore, obey: (order: KillOrder) => void) {
    this.#store = store;
    this.#obey = obey;
  }

  start(): void {
    if (this.#timer) return;
    this.#since = Date.now();
    this.#lastSeq = 0;
    this.#timer = setInterval(() => this.poll(), KILL_ORDER_POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  poll(): void {
    let orders: KillOrder[];
    try {
      orders = this.#store().queryKillOrders(this.#since);
    } catch {
      // An unreadable store is reported by the ledger writer; orders are read again on the next tick.
      return;
    }
    for (const order of orders) {
      if (order.seq <= this.#lastSeq) continue;
      this.#lastSeq = order.seq;
      this.#obey(order);
    }
  }
}
