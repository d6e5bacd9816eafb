import type { CallRecord } from '../ledger/ledger-records.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { ResolvedAnomalyOptions } from './anomaly-options.js';
import { buildBaseline, isCleanRun, type RunBaseline } from './run-baseline.js';

const CACHE_MS = 60_000;
const cache = new WeakMap<LedgerStore, Map<string, { at: number; baseline: RunBaseline }>>();

/**
 * The baseline of a workflow from the store's recent runs (cached for a minute per store and workflow,
 * so starting many runs does not re-read history each time). Null on a cold start (fewer than
 * `minRuns` clean runs), when nothing is flagged.
 */
export function loadBaseline(
  store: LedgerStore,
  workflow: string,
  options: ResolvedAnomalyOptions,
  now: number,
): RunBaseline | null {
  let perStore = cache.get(store);
  if (!perStore) {
    perStore = new Map();
    cache.set(store, perStore);
  }
  const cached = perStore.get(workflow);
  if (cached && now - cached.at < CACHE_MS) return cached.baseline;
  const runs = store.queryRuns({ workflow }).slice(-options.historyRuns);
  const clean = runs.filter(isCleanRun);
  const callsByRun = new Map<string, CallRecord[]>();
  if (clean.length >= options.minRuns) {
    const wanted = new Set(clean.map((run) => run.runId));
    for (const call of store.queryCalls({ workflow, since: Math.min(...clean.map((run) => run.startedAt)) })) {
      if (!call.runId || !wanted.has(call.runId)) continue;
      const list = callsByRun.get(call.runId) ?? [];
      list.push(call);
      callsByRun.set(call.runId, list);
    }
  }
  const baseline = buildBaseline(runs, callsByRun, options);
  // A cold start is not cached: the next run may already complete the baseline.
  if (baseline) perStore.set(workflow, { at: now, baseline });
  return baseline;
}
