import { percentile } from '../core/percentile.js';

/** Cost per run of a row's runs: mean and exact nearest-rank percentiles, nano-USD (0 for no runs). */
export interface RunCostStats {
  avgRunNanos: number;
  p50Nanos: number;
  p95Nanos: number;
  p99Nanos: number;
  maxNanos: number;
}

/** The per-run statistics of a report row from the costs of its runs (any order). */
export function runCostStats(costsNanos: readonly number[]): RunCostStats {
  const sorted = [...costsNanos].sort((a, b) => a - b);
  const total = sorted.reduce((sum, cost) => sum + cost, 0);
  return {
    avgRunNanos: sorted.length === 0 ? 0 : Math.round(total / sorted.length),
    p50Nanos: percentile(sorted, 0.5),
    p95Nanos: percentile(sorted, 0.95),
    p99Nanos: percentile(sorted, 0.99),
    maxNanos: sorted.at(-1) ?? 0,
  };
}
