import type { RunRecord } from '../ledger/ledger-records.js';
import { type AnomalyOptions, resolveAnomalyOptions } from './anomaly-options.js';
import { buildBaseline } from './run-baseline.js';

/**
 * Replays a workflow's run history (in time order) through the run-cost detector, each run judged
 * against the baseline of the runs before it, as it would have been live. Returns the flagged run ids:
 * a way to choose `multiple` and `minRuns` on your own history before turning `action: 'kill'` on.
 */
export function detectAnomalies(history: readonly RunRecord[], options: AnomalyOptions = {}): string[] {
  const resolved =
    resolveAnomalyOptions(options) ??
    (resolveAnomalyOptions({}) as NonNullable<ReturnType<typeof resolveAnomalyOptions>>);
  const flagged: string[] = [];
  const judged: RunRecord[] = [];
  const noCalls = new Map();
  for (const run of history) {
    const baseline = buildBaseline(judged, noCalls, resolved);
    const anomalous = baseline !== null && run.costNanos > baseline.p99Nanos * resolved.multiple;
    if (anomalous) flagged.push(run.runId);
    judged.push(anomalous ? { ...run, anomalies: run.anomalies + 1 } : run);
  }
  return flagged;
}
