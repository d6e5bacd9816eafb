import { addNanos, MAX_NANOS } from '../core/money.js';
import { KillSwitchError } from '../errors/kill-switch-error.js';
import { callListener, EventHub } from '../events/event-hub.js';
import type { TokenFenceEvent } from '../events/events.js';
import { Reservation } from './reservation.js';

/** Something in flight that a kill must stop. */
export interface Abortable {
  abort(reason: KillSwitchError): void;
}

export type AdmissionResult =
  | { admitted: true; reservation: Reservation }
  | { admitted: false; deniedBy: BudgetNode; killed: KillSwitchError | null };

type EventWithoutScope<E> = E extends TokenFenceEvent ? Omit<E, 'label' | 'path' | 'timestamp'> : never;
export type ScopedEvent = EventWithoutScope<TokenFenceEvent>;

/**
 * One scope of the budget tree (workflow → agent → …) with integer nano-USD counters. Admission and
 * every counter change are synchronous, so the check and the hold are one atomic step in this process.
 * Boundary rule, the same for every scope: a call is admitted iff spent + held + worstCase ≤ limit.
 */
export class BudgetNode {
  readonly label: string;
  readonly parent: BudgetNode | undefined;
  readonly path: readonly string[];
  readonly chain: readonly BudgetNode[];
  readonly events = new EventHub();
  readonly inFlight = new Set<Abortable>();
  /** Null for a scope without a limit of its own (it still counts, and its ancestors still cap it). */
  limitNanos: number | null;
  readonly threshold: number;
  spentNanos = 0;
  heldNanos = 0;
  calls = 0;
  killedBy: KillSwitchError | null = null;
  exceeded = false;
  #thresholdCrossed = false;
  readonly #onEvent: ((event: TokenFenceEvent) => void) | undefined;
  readonly #now: () => number;

  constructor(options: {
    label: string;
    parent: BudgetNode | undefined;
    limitNanos: number | null;
    threshold: number;
    onEvent: ((event: TokenFenceEvent) => void) | undefined;
    now: () => number;
  }) {
    this.label = options.label;
    this.parent = options.parent;
    this.limitNanos = options.limitNanos;
    this.threshold = options.threshold;
    this.#onEvent = options.onEvent;
    this.#now = options.now;
    this.path = options.parent ? [...options.parent.path, options.label] : [options.label];
    this.chain = options.parent ? [this, ...options.parent.chain] : [this];
  }

  /** Epoch milliseconds on this tree's clock. */
  now(): number {
    return this.#now();
  }

  /** The kill that applies here: this scope's own or the nearest killed ancestor's. */
  get kill(): KillSwitchError | null {
    for (const node of this.chain) if (node.killedBy) return node.killedBy;
    return null;
  }

  fits(amountNanos: number): boolean {
    return this.limitNanos === null || this.spentNanos + this.heldNanos + amountNanos <= this.limitNanos;
  }

  /** Headroom of this scope alone, nano-USD (MAX_NANOS when unlimited). */
  get headroomNanos(): number {
    return this.limitNanos === null ? MAX_NANOS : Math.max(0, this.limitNanos - this.spentNanos - this.heldNanos);
  }

  /** The smallest headroom along the chain: the most any single call may hold right now. */
  get effectiveHeadroomNanos(): number {
    let headroom = MAX_NANOS;
    for (const node of this.chain) headroom = Math.min(headroom, node.headroomNanos);
    return headroom;
  }

  /**
   * Checks every scope to the root, then holds in all of them, or in none. `force` skips the budget
   * check (`onLimit: 'warn'`) but never the kill, nor the exactness bound: no scope's spent + held may
   * pass 2^53 − 1 n$, so every counter stays an exact integer.
   */
  admit(amountNanos: number, force = false): AdmissionResult {
    if (!Number.isSafeInteger(amountNanos) || amountNanos < 0) {
      throw new RangeError(`A reservation must be a whole number of nano-dollars ≥ 0, got ${amountNanos}`);
    }
    const killed = this.kill;
    if (killed) return { admitted: false, deniedBy: this, killed };
    for (const node of this.chain) {
      const exact = node.spentNanos + node.heldNanos + amountNanos <= MAX_NANOS;
      if (!exact || (!force && !node.fits(amountNanos))) {
        node.exceeded = true;
        return { admitted: false, deniedBy: node, killed: null };
      }
    }
    for (const node of this.chain) node.heldNanos += amountNanos;
    return { admitted: true, reservation: new Reservation(this.chain, amountNanos) };
  }

  /** Called by Reservation only: `actualNanos` null releases the hold without counting a call. */
  applySettlement(heldNanos: number, actualNanos: number | null): void {
    this.heldNanos -= heldNanos;
    if (actualNanos === null) return;
    this.spentNanos = addNanos(this.spentNanos, actualNanos);
    this.calls += 1;
    if (this.limitNanos !== null && this.spentNanos >= this.limitNanos) this.exceeded = true;
    if (!this.#thresholdCrossed && this.limitNanos !== null && this.usageRatio >= this.threshold) {
      this.#thresholdCrossed = true;
      this.emit({
        type: 'threshold-crossed',
        threshold: this.threshold,
        usageRatio: this.usageRatio,
        spentUsd: this.spentNanos / 1e9,
        budgetUsd: this.limitNanos / 1e9,
      });
    }
  }

  get usageRatio(): number {
    if (this.limitNanos === null) return 0;
    if (this.limitNanos === 0) return this.spentNanos > 0 || this.heldNanos > 0 ? Number.POSITIVE_INFINITY : 1;
    return this.spentNanos / this.limitNanos;
  }

  /** True when this scope or an ancestor has a listener: events are not even built otherwise. */
  get hasListeners(): boolean {
    for (const node of this.chain) if (node.#onEvent || !node.events.isEmpty) return true;
    return false;
  }

  /** Delivers an event to this scope's listeners and every ancestor's. */
  emit(event: ScopedEvent): void {
    if (!this.hasListeners) return;
    const scoped = { ...event, label: this.label, path: this.path, timestamp: this.#now() } as TokenFenceEvent;
    for (const node of this.chain) node.deliver(scoped);
  }

  private deliver(event: TokenFenceEvent): void {
    if (this.#onEvent) callListener(this.#onEvent, event);
    if (!this.events.isEmpty) this.events.dispatch(event);
  }

  /** Refuses every later admission here and below, and aborts what is in flight here and below. */
  engageKill(reason: string | undefined): KillSwitchError {
    if (this.killedBy) return this.killedBy;
    const error = new KillSwitchError(this.label, reason);
    this.killedBy = error;
    const inFlight = [...this.inFlight];
    for (const call of inFlight) call.abort(error);
    this.emit({ type: 'fence-killed', reason, abortedCalls: inFlight.length });
    return error;
  }

  /** Starts a fresh period: spend, call count, flags and the kill are cleared; in-flight holds stay held. */
  reset(): void {
    this.spentNanos = 0;
    this.calls = 0;
    this.exceeded = false;
    this.killedBy = null;
    this.#thresholdCrossed = false;
  }
}
