import { percentile } from '../core/percentile.js';
import type { CallRecord, RunRecord } from '../ledger/ledger-records.js';

/** What normal looks like for one workflow, from its finished, clean runs. */
export interface RunBaseline {
  /** Clean runs the baseline was built from. */
  runs: number;
  p50Nanos: number;
  p99Nanos: number;
  /** p99 over runs of the most each run spent within any `rateWindowMs`. */
  peakRateP99Nanos: number;
}

/** A run counts towards a baseline only if it ended normally and was not itself flagged. */
export function isCleanRun(run: RunRecord): boolean {
  return run.outcome === 'ok' && run.anomalies === 0;
}

/** The most spent within any window of `windowMs` (calls by time). */
export function peakSpend(calls: readonly Pick<CallRecord, 'ts' | 'costNanos'>[], windowMs: number): number {
  let peak = 0;
  let sum = 0;
  let start = 0;
  for (let end = 0; end < calls.length; end += 1) {
    sum += (calls[end] as Pick<CallRecord, 'costNanos'>).costNanos;
    while ((calls[end] as CallRecord).ts - (calls[start] as CallRecord).ts >= windowMs) {
      sum -= (calls[start] as CallRecord).costNanos;
      start += 1;
    }
    peak = Math.max(peak, sum);
  }
  return peak;
}

/**
 * Builds a baseline from run history, or null on a cold start (fewer than `minRuns` clean runs). Runs
 * that were themselves anomalous are left out, so a few outliers cannot raise the bar for the next.
 */
export function buildBaseline(
  runs: readonly RunRecord[],
  callsByRun: ReadonlyMap<string, readonly CallRecord[]>,
  options: { minRuns: number; rateWindowMs: number },
): RunBaseline | null {
  const clean = runs.filter(isCleanRun);
  if (clean.length < options.minRuns) return null;
  const costs = clean.map((run) => run.costNanos).sort((a, b) => a - b);
  const peaks = clean
    .map((run) => peakSpend(callsByRun.get(run.runId) ?? [], options.rateWindowMs))
    .sort((a, b) => a - b);
  return {
    runs: clean.length,
    p50Nanos: percentile(costs, 0.5),
    p99Nanos: percentile(costs, 0.99),
    peakRateP99Nanos: percentile(peaks, 0.99),
  };
}
