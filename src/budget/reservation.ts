import type { BudgetNode } from './budget-node.js';

export type ReservationState = 'held' | 'settled' | 'released';

/**
 * A hold of `heldNanos` on every scope a call counts in. It ends exactly once: the
 * first settle or release wins and later ones return the first outcome without touching any counter.
 */
export class Reservation {
  /** Every scope the hold is in. */
  readonly nodes: readonly BudgetNode[];
  readonly heldNanos: number;
  /** The window each scope was in at admission (settlements land there); null when none is windowed. */
  readonly #windows: readonly number[] | null;
  #state: ReservationState = 'held';
  #chargedNanos = 0;

  constructor(nodes: readonly BudgetNode[], heldNanos: number) {
    this.nodes = nodes;
    this.heldNanos = heldNanos;
    this.#windows = nodes.some((node) => node.window !== undefined) ? nodes.map((node) => node.windowStart) : null;
  }

  /** The window `node` was in when this hold was made (0 for a scope without one). */
  windowOf(node: BudgetNode): number {
    return this.#windows?.[this.nodes.indexOf(node)] ?? 0;
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
    this.#apply(actualNanos);
    return actualNanos;
  }

  /** Gives the hold back without charging anything (the request never reached the provider or failed). */
  release(): void {
    if (this.#state !== 'held') return;
    this.#state = 'released';
    this.#apply(null);
  }

  #apply(actualNanos: number | null): void {
    for (let index = 0; index < this.nodes.length; index += 1) {
      (this.nodes[index] as BudgetNode).applySettlement(this.heldNanos, actualNanos, this.#windows?.[index] ?? 0);
    }
  }
}
