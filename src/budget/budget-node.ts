import { addNanos, MAX_NANOS, nanosToUsd } from '../core/money.js';
import { mergeTags, type Tags } from '../core/tag-rules.js';
import { KillSwitchError } from '../errors/kill-switch-error.js';
import { callListener, EventHub } from '../events/event-hub.js';
import type { TokenFenceEvent } from '../events/events.js';
import { type BudgetWindow, previousWindowStart, windowEnd, windowStart } from './budget-window.js';
import { forecastSpend, type SpendForecast } from './forecast-spend.js';
import type { LoopGuard } from './loop-guard.js';
import { type AdmissionResult, type ScopedEvent, ScopeSet } from './scope-set.js';
import type { SharedNode } from './shared-admission.js';
import type { ScopeTag, TagScopes } from './tag-scopes.js';

/** Something in flight that a kill must stop. */
export interface Abortable {
  abort(reason: KillSwitchError): void;
}

export type { AdmissionResult, ScopedEvent } from './scope-set.js';

/** Which run, workflow and agent a scope's calls are attributed to. */
export interface Attribution {
  runId: string | undefined;
  workflow: string | undefined;
  agent: string | undefined;
}

/**
 * One scope of the budget tree (workflow → agent → …) with integer nano-USD counters. Admission and
 * every counter change are synchronous, so the check and the hold are one atomic step in this process.
 * Boundary rule, the same for every scope: a call is admitted iff spent + held + worstCase ≤ limit.
 */
export class BudgetNode {
  readonly label: string;
  readonly parent: BudgetNode | undefined;
  readonly path: readonly string[];
  /** `path` joined with '/': how the ledger names this scope. */
  readonly pathString: string;
  readonly chain: readonly BudgetNode[];
  readonly events = new EventHub();
  readonly inFlight = new Set<Abortable>();
  /** Null for a scope without a limit of its own (it still counts, and its ancestors still cap it). */
  limitNanos: number | null;
  readonly threshold: number;
  spentNanos = 0;
  /** Calls to models without a known price (trees without budgets only): their cost is not in `spentNanos`. */
  unpricedCalls = 0;
  heldNanos = 0;
  calls = 0;
  killedBy: KillSwitchError | null = null;
  exceeded = false;
  /** Where this scope is shared with other processes (a Redis store), if it is. */
  shared: SharedNode | undefined;
  /**
   * Other processes' spend and holds in this shared scope, as of the store's last answer: it makes the
   * local pre-check, downgrades and clamps see the whole budget. The store's check is the binding one.
   */
  othersNanos = 0;
  #thresholdCrossed = false;
  /** The run (and agent) calls in this scope belong to; inherited from the parent unless set. */
  attribution: Attribution | undefined;
  /** Tags given to this scope itself (`tags` of a run, agent or guarded client). */
  readonly ownTags: Tags | undefined;
  /** Tags of calls made here: the parent's, with this scope's own over them. */
  readonly tags: Tags | undefined;
  /** Set on a tag budget scope (`tagBudgets`): the tag value it budgets. */
  readonly tag: ScopeTag | undefined;
  /** The tag budget scopes below this scope, when it was given `tagBudgets`. */
  tagScopes: TagScopes | undefined;
  /** The scope's own `fallback` models (`fence.agent(label, { fallback })`, `guard(client, { fallback })`). */
  fallbacks: readonly string[] = [];
  /** Retry and repeat caps of this scope, if it has any. */
  loopGuard: LoopGuard | undefined;
  /** Called before every admission in this scope (anomaly detection may kill the scope here). */
  admissionHook: ((amountNanos: number) => void) | undefined;
  /** Called after every settlement counted in this scope, with its cost and the time. */
  settlementHook: ((costNanos: number, now: number) => void) | undefined;
  /** Where non-call events of this scope are recorded (the ledger); inherited from the parent. */
  eventSink: ((event: TokenFenceEvent, scope: BudgetNode) => void) | undefined;
  readonly #onEvent: ((event: TokenFenceEvent) => void) | undefined;
  readonly #now: () => number;
  #scope: ScopeSet | undefined;
  readonly #unions = new WeakMap<BudgetNode, ScopeSet>();

  /** The time window of a windowed budget (`budget: { usd, per }`), else undefined. */
  readonly window: BudgetWindow | undefined;
  /** Start of the current window (epoch ms), or 0 for a scope without one. */
  windowStart = 0;
  /** Shares of the budget (0–1) at which `budget-alert` fires, once per window. */
  readonly alertThresholds: readonly number[];
  #alertsFired = new Set<number>();
  /** When this scope was made, epoch ms: the start of a run's (or a lifetime budget's) period. */
  readonly createdAt: number;
  /** Set once `budget-forecast` fired in the current window. */
  #forecastFired = false;
  /** The previous window's spend rate (n$/ms), null without one; undefined until first needed in a window. */
  #historyRate: number | null | undefined;

  constructor(options: {
    label: string;
    parent: BudgetNode | undefined;
    limitNanos: number | null;
    threshold: number;
    onEvent: ((event: TokenFenceEvent) => void) | undefined;
    now: () => number;
    window?: BudgetWindow | undefined;
    alertThresholds?: readonly number[] | undefined;
    tags?: Tags | undefined;
    tag?: ScopeTag | undefined;
  }) {
    this.label = options.label;
    this.parent = options.parent;
    this.limitNanos = options.limitNanos;
    this.threshold = options.threshold;
    this.#onEvent = options.onEvent;
    this.#now = options.now;
    this.path = options.parent ? [...options.parent.path, options.label] : [options.label];
    this.pathString = this.path.join('/');
    this.attribution = options.parent?.attribution;
    this.ownTags = options.tags;
    this.tags = mergeTags(options.parent?.tags, options.tags);
    this.tag = options.tag;
    this.eventSink = options.parent?.eventSink;
    this.window = options.window;
    this.alertThresholds = options.alertThresholds ?? [];
    this.createdAt = options.now();
    this.rollWindow();
    this.chain = options.parent ? [this, ...options.parent.chain] : [this];
  }

  /** Epoch milliseconds on this tree's clock. */
  now(): number {
    return this.#now();
  }

  /** This scope's chain to the root, as the scope set of calls made directly in it. */
  get scope(): ScopeSet {
    this.#scope ??= new ScopeSet(this, this.chain);
    return this.#scope;
  }

  /** The scope set of a call made in this scope from a client guarded in `client`'s scope (cached). */
  scopeWith(client: BudgetNode): ScopeSet {
    if (client === this || this.chain.includes(client)) return this.scope;
    let set = this.#unions.get(client);
    if (!set) {
      set = ScopeSet.union(this, client);
      this.#unions.set(client, set);
    }
    return set;
  }

  /** The kill that applies here: this scope's own or the nearest killed ancestor's. */
  get kill(): KillSwitchError | null {
    return this.scope.kill;
  }

  /** Spend and holds counted against this scope's limit: this process's, plus other processes' when shared. */
  get usedNanos(): number {
    return this.spentNanos + this.heldNanos + this.othersNanos;
  }

  fits(amountNanos: number): boolean {
    return this.limitNanos === null || this.usedNanos + amountNanos <= this.limitNanos;
  }

  /** Headroom of this scope alone, nano-USD (MAX_NANOS when unlimited). */
  get headroomNanos(): number {
    return this.limitNanos === null ? MAX_NANOS : Math.max(0, this.limitNanos - this.usedNanos);
  }

  /** Records what the shared store counts in this scope (every process's spend and holds, this one's included). */
  noteSharedTotals(totalNanos: number): void {
    this.othersNanos = Math.max(0, totalNanos - this.spentNanos - this.heldNanos);
  }

  /** The smallest headroom along the chain: the most any single call may hold right now. */
  get effectiveHeadroomNanos(): number {
    return this.scope.effectiveHeadroomNanos;
  }

  /** Checks every scope to the root, then holds in all of them, or in none (see ScopeSet.admit). */
  admit(amountNanos: number, force = false): AdmissionResult {
    return this.scope.admit(amountNanos, force);
  }

  /**
   * A windowed scope starts a new period when its window has passed: spend is reloaded from the store
   * for the new window (0 unless other processes recorded some), flags and alerts re-arm. Holds in
   * flight stay held; they are settled into the window they were admitted in.
   */
  rollWindow(): void {
    if (!this.window) return;
    const start = windowStart(this.window.period, this.#now());
    if (start === this.windowStart) return;
    this.windowStart = start;
    this.spentNanos = this.window.loadSpent(start);
    this.othersNanos = 0;
    this.calls = 0;
    this.exceeded = this.limitNanos !== null && this.spentNanos >= this.limitNanos;
    this.#thresholdCrossed = false;
    this.#alertsFired.clear();
    this.#forecastFired = false;
    this.#historyRate = undefined;
    // A tag scope made again after eviction (or after a restart) resumes its window: what its reloaded
    // spend had already reached was announced then, not again.
    if (this.tag && this.limitNanos !== null && this.spentNanos > 0) {
      this.#thresholdCrossed = this.usageRatio >= this.threshold;
      for (const threshold of this.alertThresholds) if (this.usageRatio >= threshold) this.#alertsFired.add(threshold);
    }
  }

  /**
   * Called by Reservation only: `actualNanos` null releases the hold without counting a call. A
   * settlement from a window that has since ended only gives the hold back (its spend belongs there).
   */
  applySettlement(heldNanos: number, actualNanos: number | null, admittedInWindow: number): void {
    this.heldNanos -= heldNanos;
    if (actualNanos === null) return;
    this.rollWindow();
    if (admittedInWindow !== this.windowStart) return;
    this.spentNanos = addNanos(this.spentNanos, actualNanos);
    this.calls += 1;
    this.settlementHook?.(actualNanos, this.#now());
    if (this.limitNanos !== null && this.spentNanos >= this.limitNanos) this.exceeded = true;
    if (!this.#thresholdCrossed && this.limitNanos !== null && this.usageRatio >= this.threshold) {
      this.#thresholdCrossed = true;
      this.emit({
        type: 'threshold-crossed',
        threshold: this.threshold,
        usageRatio: this.usageRatio,
        spentUsd: nanosToUsd(this.spentNanos),
        budgetUsd: nanosToUsd(this.limitNanos),
      });
    }
    if (this.alertThresholds.length > 0) this.#checkAlerts();
    if (!this.#forecastFired && this.window && this.limitNanos !== null) this.#checkForecast();
  }

  /**
   * The windowed scope's projection for its current window (see forecastSpend), from its spend so far —
   * every process's, for a shared scope — and the previous window's rate when the ledger has one.
   * Undefined for a scope without a window.
   */
  forecastWindow(): (SpendForecast & { startsAt: number; endsAt: number }) | undefined {
    if (!this.window) return undefined;
    this.rollWindow();
    const startsAt = this.windowStart;
    const endsAt = windowEnd(this.window.period, startsAt);
    const forecast = forecastSpend({
      spentNanos: this.spentNanos + this.othersNanos,
      budgetNanos: this.limitNanos,
      startsAt,
      endsAt,
      now: this.#now(),
      historyRate: this.#previousRate(startsAt),
    });
    return { ...forecast, startsAt, endsAt };
  }

  /** The previous window's spend over its length, read from the ledger once per window; null if it spent nothing. */
  #previousRate(startsAt: number): number | null {
    if (this.#historyRate !== undefined || !this.window) return this.#historyRate ?? null;
    const previous = previousWindowStart(this.window.period, startsAt);
    const spent = this.window.loadSpent(previous) - this.window.loadSpent(startsAt);
    // Each window at its own length: a 28-day February's rate is not diluted over 31 days.
    this.#historyRate = spent > 0 ? spent / (startsAt - previous) : null;
    return this.#historyRate;
  }

  /**
   * `budget-forecast`, once per window: from 5 % of the window on (earlier, a few calls would predict the
   * whole window), when the projection at the window's end passes the budget.
   */
  #checkForecast(): void {
    const forecast = this.forecastWindow();
    if (!forecast || this.limitNanos === null || forecast.elapsedShare < 0.05) return;
    if (forecast.projectedNanos <= this.limitNanos) return;
    this.#forecastFired = true;
    this.emit({
      type: 'budget-forecast',
      spentUsd: nanosToUsd(this.spentNanos + this.othersNanos),
      projectedUsd: nanosToUsd(forecast.projectedNanos),
      budgetUsd: nanosToUsd(this.limitNanos),
      windowStart: forecast.startsAt,
      windowEndsAt: forecast.endsAt,
      exhaustsAt: forecast.exhaustsAt,
    });
  }

  /** Fires each alert threshold the spend has reached, once per window. */
  #checkAlerts(): void {
    if (this.limitNanos === null) return;
    for (const threshold of this.alertThresholds) {
      if (this.#alertsFired.has(threshold) || this.usageRatio < threshold) continue;
      this.#alertsFired.add(threshold);
      this.emit({
        type: 'budget-alert',
        threshold,
        usageRatio: this.usageRatio,
        spentUsd: nanosToUsd(this.spentNanos),
        budgetUsd: nanosToUsd(this.limitNanos),
        windowStart: this.window ? this.windowStart : undefined,
      });
    }
  }

  /** True when this scope or an enclosing one has a budget: what bills outside one is refused there. */
  get underBudget(): boolean {
    return this.chain.some((scope) => scope.limitNanos !== null);
  }

  get usageRatio(): number {
    if (this.limitNanos === null) return 0;
    if (this.limitNanos === 0) return this.spentNanos > 0 || this.heldNanos > 0 ? Number.POSITIVE_INFINITY : 1;
    return (this.spentNanos + this.othersNanos) / this.limitNanos;
  }

  /** True when this scope itself has a listener. */
  get hasOwnListeners(): boolean {
    return this.#onEvent !== undefined || !this.events.isEmpty;
  }

  /** True when this scope or an ancestor has a listener: events are not even built otherwise. */
  get hasListeners(): boolean {
    return this.scope.hasListeners;
  }

  /** Delivers an event to this scope's listeners and every ancestor's. */
  emit(event: ScopedEvent): void {
    this.scope.emit(event);
  }

  /** Hands an event to this scope's own listeners (ScopeSet delivers to each scope once). */
  deliver(event: TokenFenceEvent): void {
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

  /** Another process revived this scope: the kill is lifted here too; spend and flags stay. */
  liftKill(): void {
    this.killedBy = null;
  }

  /** Starts a fresh period: spend, call count, flags and the kill are cleared; in-flight holds stay held. */
  reset(): void {
    this.spentNanos = 0;
    this.calls = 0;
    this.unpricedCalls = 0;
    this.exceeded = false;
    this.killedBy = null;
    this.#thresholdCrossed = false;
    this.#alertsFired.clear();
    this.#forecastFired = false;
  }
}
