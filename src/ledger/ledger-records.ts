import type { Tags } from '../core/tag-rules.js';
import type { TokenBuckets } from '../core/usage.js';

/** How a call attempt ended, as the ledger records it. `blocked`: refused for budget before sending. */
export type LedgerOutcome = 'ok' | 'error' | 'blocked' | 'killed' | 'aborted';

/**
 * Where a recorded cost came from: the provider's usage at dataset prices, the provider's usage at a
 * user's `prices` override, or the held worst case when usage never came (`estimated`).
 */
/**
 * `unknown`: the model has no known price and no scope had a budget, so the call was sent for tracking;
 * its `costNanos` is 0 but that is not a known $0 (reports count such calls apart).
 */
export type LedgerCostSource = 'provider' | 'override' | 'estimated' | 'unknown';

/**
 * One HTTP attempt (or one refused call). Immutable once written. Money in integer nano-USD; the token
 * buckets are the normalized model's, flat (one column each); modality buckets, fee counts and tiers,
 * which most calls lack, are kept together in `usageDetail`.
 */
export interface CallRecord extends TokenBuckets {
  /** Record format version. */
  v: 1;
  id: string;
  /** When the attempt started, epoch ms. */
  ts: number;
  runId: string | null;
  workflow: string | null;
  agent: string | null;
  /** Label path of the scope the call was made in, joined with '/'. */
  scope: string;
  provider: string;
  /** The model the caller asked for. */
  model: string;
  /** The model the request was sent with (after a downgrade). */
  modelUsed: string;
  costNanos: number;
  /** The part of `costNanos` that is per-use fees (server-side tools, grounding) and per-request fees. */
  feeNanos: number;
  /**
   * JSON of the usage beyond the token buckets — `{ modalities?, fees?, tiers? }` (modality tokens carved
   * out of the buckets, fee units by kind, service tiers) — or null when there is none.
   */
  usageDetail: string | null;
  reservedNanos: number;
  costSource: LedgerCostSource;
  /** 1 for the first HTTP attempt, 2+ for retries; 0 for a call refused before any attempt. */
  attempt: number;
  outcome: LedgerOutcome;
  status: number | null;
  durationMs: number;
  stream: boolean;
  /** Prompt and completion text: only with `storeContent: true`. */
  prompt: string | null;
  completion: string | null;
  /** The call's tags (its scopes' `tags`, merged); absent when it had none. */
  tags?: Tags;
}

/** Something that happened to a scope or run: an anomaly, a kill, an alert, a refusal. */
export interface EventRecord {
  ts: number;
  type: string;
  runId: string | null;
  workflow: string | null;
  scope: string;
  /** The event's fields as JSON (never prompt text, never keys). */
  data: string;
}

/**
 * An order to kill one run, or every run of a workflow, in whichever process is running it: how a
 * dashboard in another process reaches a fence. `seq` orders them and is assigned by the store.
 */
export interface KillOrder {
  seq: number;
  ts: number;
  runId: string | null;
  workflow: string | null;
  reason: string;
}

/** One finished run of a workflow. */
export interface RunRecord {
  runId: string;
  workflow: string;
  startedAt: number;
  endedAt: number;
  costNanos: number;
  calls: number;
  outcome: 'ok' | 'error' | 'killed';
  /** Anomalies detected during the run. */
  anomalies: number;
  budgetNanos: number | null;
  /** The run's tags; absent when it had none. */
  tags?: Tags;
}
