import { randomUUID } from 'node:crypto';
import type { CallRequest } from '../budget/plan-call.js';
import type { ScopeSet } from '../budget/scope-set.js';
import { EMPTY_USAGE, hasModalities, MODALITY_BUCKETS, type NormalizedUsage } from '../core/usage.js';
import type { CallRecord, LedgerCostSource, LedgerOutcome } from '../ledger/ledger-records.js';

export interface AttemptFacts {
  startedAt: number;
  modelUsed: string;
  usage: NormalizedUsage | null;
  costNanos: number;
  /** The part of `costNanos` that is per-use and per-request fees. */
  feeNanos: number;
  reservedNanos: number;
  costSource: LedgerCostSource;
  attempt: number;
  outcome: LedgerOutcome;
  status: number | undefined;
  durationMs: number;
  stream: boolean;
  prompt: string | null;
  completion: string | null;
}

/** Ids unique across processes (a random prefix per process) and cheap per call (a counter). */
const ID_PREFIX = randomUUID().slice(0, 18);
let sequence = 0;
function nextRecordId(): string {
  sequence += 1;
  return `${ID_PREFIX}${sequence.toString(36)}`;
}

/** The usage beyond the token buckets, as the ledger's `usageDetail` JSON; null for a text-only call. */
export function usageDetailOf(usage: NormalizedUsage): string | null {
  const modalities = hasModalities(usage);
  if (!modalities && !usage.fees && !usage.tiers) return null;
  const detail: { modalities?: Record<string, number>; fees?: NormalizedUsage['fees']; tiers?: readonly string[] } = {};
  if (modalities) {
    detail.modalities = {};
    for (const bucket of MODALITY_BUCKETS) {
      const tokens = usage[bucket];
      if (tokens) detail.modalities[bucket] = tokens;
    }
  }
  if (usage.fees) detail.fees = usage.fees;
  if (usage.tiers) detail.tiers = usage.tiers;
  return JSON.stringify(detail);
}

/** The ledger record of one attempt (or refusal) of a call, attributed to its scope, run and agent. */
export function callRecord(scopes: ScopeSet, request: CallRequest, facts: AttemptFacts): CallRecord {
  const primary = scopes.primary;
  const attribution = primary.attribution;
  const usage = facts.usage ?? EMPTY_USAGE;
  const tags = scopes.tags;
  return {
    v: 1,
    id: nextRecordId(),
    ts: facts.startedAt,
    runId: attribution?.runId ?? null,
    workflow: attribution?.workflow ?? null,
    agent: attribution?.agent ?? null,
    scope: primary.pathString,
    provider: request.provider,
    model: request.model,
    modelUsed: facts.modelUsed,
    inputUncached: usage.inputUncached,
    inputCacheRead: usage.inputCacheRead,
    inputCacheWrite5m: usage.inputCacheWrite5m,
    inputCacheWrite1h: usage.inputCacheWrite1h,
    outputText: usage.outputText,
    outputReasoning: usage.outputReasoning,
    costNanos: facts.costNanos,
    feeNanos: facts.feeNanos,
    usageDetail: facts.usage ? usageDetailOf(facts.usage) : null,
    reservedNanos: facts.reservedNanos,
    costSource: facts.costSource,
    attempt: facts.attempt,
    outcome: facts.outcome,
    status: facts.status ?? null,
    durationMs: Math.max(0, Math.round(facts.durationMs)),
    stream: facts.stream,
    prompt: facts.prompt,
    completion: facts.completion,
    ...(tags && { tags }),
  };
}
