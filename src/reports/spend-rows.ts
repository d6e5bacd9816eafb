import { nanosToUsd } from '../core/money.js';
import { percentile } from '../core/percentile.js';
import { addCounts, type CallCounts, noCalls } from '../ledger/count-calls.js';
import type { CallGroup } from '../ledger/group-calls.js';

/**
 * What every report row (and every report's total) says about its calls. The per-run figures are over
 * the runs the row took part in (at least one call of the row in the run): the row's cost in each such
 * run — for an agent role, "what this role costs a run", p99 included. Calls outside any run count in
 * `calls` and `costNanos`, never in the per-run figures.
 */
export interface SpendStats extends CallCounts {
  /** Runs with at least one call of this row. */
  runs: number;
  costNanos: number;
  costUsd: number;
  /** The part of `costNanos` that is per-use fees (server-side tools, grounding) and per-request fees. */
  feeNanos: number;
  inputTokens: number;
  outputTokens: number;
  /** Of `calls`, those to a model without a known price (`costSource: 'unknown'`): their cost is unknown, not in `costNanos`. */
  unpricedCalls: number;
  /** Share of the filtered total cost, 0–1. */
  share: number;
  /** Mean cost per run, nano-USD (rounded). */
  avgCostNanos: number;
  /** Exact nearest-rank percentiles and maximum of the cost per run, nano-USD. */
  p50Nanos: number;
  p95Nanos: number;
  p99Nanos: number;
  maxNanos: number;
}

interface Accumulator {
  key: Record<string, string>;
  counts: CallCounts;
  costNanos: number;
  feeNanos: number;
  inputTokens: number;
  outputTokens: number;
  unpricedCalls: number;
  costPerRun: Map<string, number>;
}

const shareOf = (part: number, total: number) => (total === 0 ? 0 : part / total);

/**
 * Rows of a report from per-run groups (`groupCalls(filter, grouping, true)`): the groups with the same
 * `keyOf` make one row. A new grouping of a report is one `keyOf`. Rows come most expensive first.
 */
export function buildSpendRows<K extends Record<string, string>>(
  perRunGroups: readonly CallGroup[],
  keyOf: (group: CallGroup) => K,
  totalNanos: number,
): Array<K & SpendStats> {
  const rows = new Map<string, Accumulator>();
  for (const group of perRunGroups) {
    const key = keyOf(group);
    const id = JSON.stringify(key);
    let row = rows.get(id);
    if (!row) {
      row = {
        key,
        counts: noCalls(),
        costNanos: 0,
        feeNanos: 0,
        inputTokens: 0,
        outputTokens: 0,
        unpricedCalls: 0,
        costPerRun: new Map(),
      };
      rows.set(id, row);
    }
    addCounts(row.counts, group);
    row.costNanos += group.costNanos;
    row.feeNanos += group.feeNanos;
    row.inputTokens += group.inputTokens;
    row.outputTokens += group.outputTokens;
    row.unpricedCalls += group.unpricedCalls;
    if (group.runId !== null) row.costPerRun.set(group.runId, (row.costPerRun.get(group.runId) ?? 0) + group.costNanos);
  }
  return [...rows.values()]
    .map((row) => {
      const costs = [...row.costPerRun.values()].sort((a, b) => a - b);
      const inRuns = costs.reduce((sum, cost) => sum + cost, 0);
      return {
        ...(row.key as K),
        runs: costs.length,
        ...row.counts,
        costNanos: row.costNanos,
        costUsd: nanosToUsd(row.costNanos),
        feeNanos: row.feeNanos,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
        unpricedCalls: row.unpricedCalls,
        share: shareOf(row.costNanos, totalNanos),
        avgCostNanos: costs.length === 0 ? 0 : Math.round(inRuns / costs.length),
        p50Nanos: percentile(costs, 0.5),
        p95Nanos: percentile(costs, 0.95),
        p99Nanos: percentile(costs, 0.99),
        maxNanos: costs.at(-1) ?? 0,
      };
    })
    .sort((a, b) => b.costNanos - a.costNanos);
}

/**
 * The calls a partial grouping (a tag's, which leaves out calls without the tag) did not cover, per run, as
 * groups with `tag` null: every per-run group of all calls (`everyCall`) less the covered groups of its run.
 * Each call has at most one value of a tag, so the difference is exactly the untagged calls.
 */
export function untaggedGroups(everyCall: readonly CallGroup[], covered: readonly CallGroup[]): CallGroup[] {
  const rest = new Map<string | null, CallGroup>();
  for (const group of everyCall) {
    const row = rest.get(group.runId);
    if (row) addGroup(row, group, 1);
    else rest.set(group.runId, { ...group, workflow: null, agent: null, provider: null, model: null, tag: null });
  }
  for (const group of covered) {
    const row = rest.get(group.runId);
    if (row) addGroup(row, group, -1);
  }
  return [...rest.values()].filter((group) => group.calls > 0);
}

function addGroup(into: CallGroup, group: CallGroup, sign: 1 | -1): void {
  into.calls += sign * group.calls;
  into.sentCalls += sign * group.sentCalls;
  into.blockedCalls += sign * group.blockedCalls;
  into.killedCalls += sign * group.killedCalls;
  into.costNanos += sign * group.costNanos;
  into.feeNanos += sign * group.feeNanos;
  into.inputTokens += sign * group.inputTokens;
  into.outputTokens += sign * group.outputTokens;
  into.unpricedCalls += sign * group.unpricedCalls;
  // The earliest untagged call is not known from sums: the run's earliest call stands for it.
  if (sign === 1) into.firstTs = Math.min(into.firstTs, group.firstTs);
}

/** The total of a report: every filtered call as one row (per-run figures over every run). */
export function totalOf(perRunGroups: readonly CallGroup[]): SpendStats {
  const totalNanos = perRunGroups.reduce((sum, group) => sum + group.costNanos, 0);
  const [total] = buildSpendRows(perRunGroups, () => ({}), totalNanos);
  return total ?? emptyStats();
}

function emptyStats(): SpendStats {
  return {
    runs: 0,
    ...noCalls(),
    costNanos: 0,
    costUsd: 0,
    feeNanos: 0,
    inputTokens: 0,
    outputTokens: 0,
    unpricedCalls: 0,
    share: 0,
    avgCostNanos: 0,
    p50Nanos: 0,
    p95Nanos: 0,
    p99Nanos: 0,
    maxNanos: 0,
  };
}
