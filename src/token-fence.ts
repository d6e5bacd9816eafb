import { BudgetNode } from './budget/budget-node.js';
import { MAX_NANOS, nanosToUsd } from './core/money.js';
import type { TokenFenceEventListener, TokenFenceEventType } from './events/events.js';
import { guardClient } from './proxy/guard-client.js';
import { BUDGET_NODE, POLICY, type ResolvedPolicy, resolveOptions } from './resolve-options.js';
import {
  type Guarded,
  type GuardOptions,
  type SpendView,
  TOKEN_FENCE_MARKER,
  type TokenFenceLike,
  type TokenFenceOptions,
} from './types.js';

/**
 * A budget scope: a workflow run, an agent role, or both nested. Spend in a child scope counts in
 * every ancestor; every call is admitted only if its worst case fits every enclosing budget.
 */
export class TokenFence implements TokenFenceLike {
  readonly [TOKEN_FENCE_MARKER] = true as const;
  readonly [BUDGET_NODE]: BudgetNode;
  readonly [POLICY]: ResolvedPolicy;

  constructor(options?: TokenFenceOptions) {
    const resolved = resolveOptions(options);
    this[POLICY] = resolved.policy;
    this[BUDGET_NODE] = new BudgetNode({
      label: resolved.label,
      parent: resolved.parentNode,
      limitNanos: resolved.limitNanos,
      threshold: resolved.threshold,
      onEvent: resolved.onEvent,
      now: resolved.now,
    });
  }

  /** Guards `client` in a child scope of this one: returns the same client, with `client.tokenfence`. */
  guard<T extends object>(client: T, options?: GuardOptions): Guarded<T> {
    const child = new TokenFence({ ...options, parent: this });
    return guardClient(client, child);
  }

  /** Listens to this scope's events and those of every scope below it. Returns an unsubscribe function. */
  on<T extends TokenFenceEventType>(type: T | '*', listener: TokenFenceEventListener<T>): () => void {
    return this[BUDGET_NODE].events.on(type, listener);
  }

  off<T extends TokenFenceEventType>(type: T | '*', listener: TokenFenceEventListener<T>): void {
    this[BUDGET_NODE].events.off(type, listener);
  }

  get label(): string {
    return this[BUDGET_NODE].label;
  }
  get budget(): number {
    const limit = this[BUDGET_NODE].limitNanos;
    return limit === null ? Number.POSITIVE_INFINITY : nanosToUsd(limit);
  }
  get spent(): number {
    return nanosToUsd(this[BUDGET_NODE].spentNanos);
  }
  /** Settled spend in nano-USD (1e-9 USD), exact. */
  get spentNanos(): number {
    return this[BUDGET_NODE].spentNanos;
  }
  get reserved(): number {
    return nanosToUsd(this[BUDGET_NODE].heldNanos);
  }
  get remaining(): number {
    const headroom = this[BUDGET_NODE].effectiveHeadroomNanos;
    return headroom === MAX_NANOS ? Number.POSITIVE_INFINITY : nanosToUsd(headroom);
  }
  get calls(): number {
    return this[BUDGET_NODE].calls;
  }
  get usageRatio(): number {
    return this[BUDGET_NODE].usageRatio;
  }
  get shouldDowngrade(): boolean {
    return this[BUDGET_NODE].scope.pastThreshold;
  }
  get budgetExceeded(): boolean {
    return this[BUDGET_NODE].exceeded;
  }
  get killed(): boolean {
    return this[BUDGET_NODE].kill !== null;
  }
  kill(reason?: string): void {
    this[BUDGET_NODE].engageKill(typeof reason === 'string' ? reason : undefined);
  }
  reset(): void {
    this[BUDGET_NODE].reset();
  }
}

/**
 * Wraps an SDK client (`new OpenAI()`, `new Anthropic()`) in its own budget scope. The returned value
 * is the same client with the same types, plus a read-only `tokenfence` handle.
 */
export function guard<T extends object>(client: T, options?: TokenFenceOptions): Guarded<T> {
  return guardClient(client, new TokenFence(options));
}

export type { SpendView };
