import type { BudgetNode } from './budget-node.js';

export type ReservationState = 'held' | 'settled' | 'released';

/**
 * A hold of `heldNanos` on every scope from the calling one to the root. It ends exactly once: the
 * first settle or release wins and later ones return the first outcome without touching any counter.
 */
export class Reservation {
  readonly chain: readonly BudgetNode[];
  readonly heldNanos: number;
  #state: ReservationState = 'held';
  #chargedNanos = 0;

  constructor(chain: readonly BudgetNode[], heldNanos: number) {
    this.chain = chain;
    this.heldNanos = heldNanos;
  }

  get state(): ReservationState {
    return this.#state;
  }

  /** What the reservation ended up charging (0 while held or when released). */
  get chargedNanos(): number {
    return this.#chargedNanos;
  }

  /** Replaces the hold with the actual cost on every scope; counts one call. Returns the charged amount. */
  settle(actualNanos: number): number {
    if (this.#state !== 'held') return this.#chargedNanos;
    this.#state = 'settled';
    this.#chargedNanos = actualNanos;
    for (const node of this.chain) node.applySettlement(this.heldNanos, actualNanos);
    return actualNanos;
  }

  /** Gives the hold back without charging anything (the request never reached the provider or failed). */
  release(): void {
    if (this.#state !== 'held') return;
    this.#state = 'released';
    for (const node of this.chain) node.applySettlement(this.heldNanos, null);
  }
}
