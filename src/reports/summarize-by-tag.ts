import { nanosToUsd } from '../core/money.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import { type RunCostStats, runCostStats } from './run-cost-stats.js';

/** One value of a tag (`--by tag:<key>`): its spend, and the cost per run of the runs that carried it. */
export interface TagRow extends RunCostStats {
  /** The tag's value; `(none)` for calls without the tag. */
  value: string;
  /** Distinct runs with calls carrying the value (calls outside runs count in `calls`, not here). */
  runs: number;
  calls: number;
  costUsd: number;
  costNanos: number;
  /** The part of `costNanos` that is per-use fees. */
  feeNanos: number;
  /** Share of the filtered total cost, 0–1. */
  share: number;
}

const NO_VALUE = '(none)';

/**
 * Spend per value of the tag `key`, from the store's grouping per value and per (value, run). Calls
 * without the tag are one `(none)` row, so the rows add up to `totalNanos`.
 */
export function summarizeByTag(
  store: LedgerStore,
  filter: LedgerFilter,
  key: string,
  totals: { costNanos: number; calls: number; feeNanos: number },
): TagRow[] {
  const totalNanos = totals.costNanos;
  const runCosts = new Map<string, number[]>();
  for (const group of store.groupCalls(filter, `tag-run:${key}`)) {
    const value = group.tag ?? NO_VALUE;
    const costs = runCosts.get(value);
    if (costs) costs.push(group.costNanos);
    else runCosts.set(value, [group.costNanos]);
  }
  const share = (part: number) => (totalNanos === 0 ? 0 : part / totalNanos);
  const rows: TagRow[] = store.groupCalls(filter, `tag:${key}`).map((group) => {
    const costs = runCosts.get(group.tag ?? NO_VALUE) ?? [];
    return {
      value: group.tag ?? NO_VALUE,
      runs: costs.length,
      calls: group.calls,
      costUsd: nanosToUsd(group.costNanos),
      costNanos: group.costNanos,
      feeNanos: group.feeNanos,
      share: share(group.costNanos),
      ...runCostStats(costs),
    };
  });
  const taggedNanos = rows.reduce((sum, row) => sum + row.costNanos, 0);
  const taggedCalls = rows.reduce((sum, row) => sum + row.calls, 0);
  const taggedFees = rows.reduce((sum, row) => sum + row.feeNanos, 0);
  if (totals.calls > taggedCalls) {
    const untagged = totalNanos - taggedNanos;
    rows.push({
      value: NO_VALUE,
      runs: 0,
      calls: totals.calls - taggedCalls,
      costUsd: nanosToUsd(untagged),
      costNanos: untagged,
      feeNanos: totals.feeNanos - taggedFees,
      share: share(untagged),
      ...runCostStats([]),
    });
  }
  return rows.sort((a, b) => b.costNanos - a.costNanos);
}
