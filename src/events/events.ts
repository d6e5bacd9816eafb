import type { Tags } from '../core/tag-rules.js';
import type { FeeKind, NormalizedUsage } from '../core/usage.js';

interface EventBase {
  /** Epoch milliseconds. */
  timestamp: number;
  /** Label of the scope the event belongs to. */
  label: string;
  /** Labels from the root scope down to `label`. */
  path: readonly string[];
  /** The run, workflow and agent the scope belongs to (calls inside `fence.run()` / `fence.agent()`). */
  runId?: string | undefined;
  workflow?: string | undefined;
  agent?: string | undefined;
}

/** How a call attempt ended. */
export type CallOutcome = 'ok' | 'error' | 'aborted' | 'killed';

/**
 * Where a settled cost came from: the provider's usage, the held worst case when usage never came, or
 * `unknown` — a model without a price in a tree without budgets (cost 0 here, but not a known $0).
 */
export type CostSource = 'provider' | 'estimated' | 'unknown';

export interface CallSettledEvent extends EventBase {
  type: 'call-settled';
  provider: string;
  /** The model the caller asked for. */
  model: string;
  /** The model the request was sent with (differs after a downgrade). */
  modelUsed: string;
  /** 1 for the first HTTP attempt, 2+ for SDK retries. */
  attempt: number;
  outcome: CallOutcome;
  costUsd: number;
  costNanos: number;
  /** What was held for the attempt, USD. */
  reservedUsd: number;
  source: CostSource;
  usage: NormalizedUsage;
  /** Where the price came from: the bundled dataset or the user's `prices`. */
  priceOrigin: 'genai-prices' | 'override' | 'unknown';
  /** The HTTP status, when a response arrived. */
  status: number | undefined;
  durationMs: number;
  stream: boolean;
  /** The call's tags (absent when it had none). */
  tags?: Tags;
}

export interface BudgetExceededEvent extends EventBase {
  type: 'budget-exceeded';
  /** Label of the scope whose budget refused the call (the event's `label` is the calling scope). */
  deniedBy: string;
  model: string;
  requestedUsd: number;
  budgetUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** What happened to the call: `stop` answered it locally, `warn` let it through, `throw` rejected it. */
  action: 'stop' | 'warn' | 'throw';
}

export interface ModelDowngradedEvent extends EventBase {
  type: 'model-downgraded';
  from: string;
  to: string;
  /** `threshold`: the scope passed its threshold; `budget`: the asked model's worst case did not fit. */
  reason: 'threshold' | 'budget';
}

export interface MaxTokensClampedEvent extends EventBase {
  type: 'max-tokens-clamped';
  model: string;
  /** The cap the request asked for (undefined when it set none). */
  requested: number | undefined;
  clampedTo: number;
}

/** A per-use server-side tool (web search, code execution) the request left uncapped got a cap that fits the budget. */
export interface ServerToolsCappedEvent extends EventBase {
  type: 'server-tools-capped';
  model: string;
  fee: FeeKind;
  cappedTo: number;
}

/**
 * The provider counted a prompt whose local bound did not fit (`countTokens`). `plannedTokens` is the
 * prompt bound the call was then planned on: the count plus a margin, or the local bound when the count
 * failed or timed out (`countedTokens: null`).
 */
export interface PromptCountedEvent extends EventBase {
  type: 'prompt-counted';
  provider: string;
  model: string;
  result: 'counted' | 'timeout' | 'failed';
  boundTokens: number;
  countedTokens: number | null;
  plannedTokens: number;
  durationMs: number;
}

export interface ThresholdCrossedEvent extends EventBase {
  type: 'threshold-crossed';
  threshold: number;
  usageRatio: number;
  spentUsd: number;
  budgetUsd: number;
}

export interface BudgetAlertEvent extends EventBase {
  type: 'budget-alert';
  /** The alert threshold reached, a share of the budget (0–1). */
  threshold: number;
  usageRatio: number;
  spentUsd: number;
  budgetUsd: number;
  /** Start of the budget's window (epoch ms) for a windowed budget. */
  windowStart: number | undefined;
}

/**
 * A call to a model without a known price was sent because no scope up its tree has a budget (tracking
 * only); it is recorded with cost `unknown`. Under a budget such a call is refused (UnknownModelError).
 */
export interface ModelUnpricedEvent extends EventBase {
  type: 'model-unpriced';
  provider: string;
  model: string;
}

/**
 * A windowed budget is projected to run out before its window ends: fired once per window and scope, at
 * a settlement once at least 5 % of the window has elapsed (see `fence.forecast()`).
 */
export interface BudgetForecastEvent extends EventBase {
  type: 'budget-forecast';
  spentUsd: number;
  /** Projected spend at the window's end, USD. */
  projectedUsd: number;
  budgetUsd: number;
  /** The window, epoch ms (start inclusive, end exclusive). */
  windowStart: number;
  windowEndsAt: number;
  /** When the budget runs out at the projected rate, epoch ms (null: it lasts the window after all). */
  exhaustsAt: number | null;
}

export interface AnomalyDetectedEvent extends EventBase {
  type: 'anomaly-detected';
  /** `run-cost`: the run's spend passed a multiple of its workflow's p99; `spend-rate`: a burst did. */
  kind: 'run-cost' | 'spend-rate';
  workflow: string;
  runId: string;
  /**
   * What was measured: `spent` — what the run (or the burst) really spent; `projected` — spend so far plus
   * holds plus the worst case of the call being admitted (`action: 'kill'` refuses that call before it is sent).
   */
  basis: 'spent' | 'projected';
  /** The value that tripped the detector (spent or projected, per `basis`), USD. */
  valueUsd: number;
  /** What the run had really spent when it was flagged, USD. */
  spentUsd: number;
  /** One sentence saying what was measured against what (never "run cost" for a projection). */
  message: string;
  /** The baseline it was compared with (p99 run cost, or p99 peak spend per window), USD. */
  baselineUsd: number;
  multiple: number;
  /** Clean runs in the baseline. */
  baselineRuns: number;
  action: 'alert' | 'kill';
}

export interface LoopDetectedEvent extends EventBase {
  type: 'loop-detected';
  /** `repeat`: the same prompt to the same model too often; `retry`: the scope's retries are used up. */
  reason: 'repeat' | 'retry';
  /** The scope whose cap was hit. */
  limitedBy: string;
  model: string;
  repeats: number;
}

export interface RetryEscalatedEvent extends EventBase {
  type: 'retry-escalated';
  /** A request that failed was retried on a dearer model. */
  from: string;
  to: string;
}

export interface RunStartedEvent extends EventBase {
  type: 'run-started';
  budgetUsd: number;
}

export interface RunEndedEvent extends EventBase {
  type: 'run-ended';
  outcome: 'ok' | 'error' | 'killed';
  spentUsd: number;
  calls: number;
  anomalies: number;
}

/** The first invocation of an agent role in its scope (a run, or the fence). */
export interface AgentStartedEvent extends EventBase {
  type: 'agent-started';
  budgetUsd: number;
}

export interface FenceKilledEvent extends EventBase {
  type: 'fence-killed';
  reason: string | undefined;
  /** In-flight calls that were aborted. */
  abortedCalls: number;
}

/** The shared store (Redis) did not answer: the call was refused, or admitted on the degraded allowance. */
export interface StoreUnavailableEvent extends EventBase {
  type: 'store-unavailable';
  /** Which store (never credentials). */
  store: string;
  action: 'refused' | 'degraded';
  requestedUsd: number;
  /** What is left of `onStoreFailure.allowUsd` in this process; null without a degraded mode. */
  allowanceLeftUsd: number | null;
}

export type TokenFenceEvent =
  | CallSettledEvent
  | BudgetExceededEvent
  | ModelDowngradedEvent
  | MaxTokensClampedEvent
  | ServerToolsCappedEvent
  | PromptCountedEvent
  | ThresholdCrossedEvent
  | BudgetAlertEvent
  | BudgetForecastEvent
  | AnomalyDetectedEvent
  | ModelUnpricedEvent
  | LoopDetectedEvent
  | RetryEscalatedEvent
  | RunStartedEvent
  | RunEndedEvent
  | AgentStartedEvent
  | FenceKilledEvent
  | StoreUnavailableEvent;

export type TokenFenceEventType = TokenFenceEvent['type'];
export type TokenFenceEventOf<T extends TokenFenceEventType> = Extract<TokenFenceEvent, { type: T }>;
export type TokenFenceEventListener<T extends TokenFenceEventType = TokenFenceEventType> = (
  event: TokenFenceEventOf<T>,
) => void;
