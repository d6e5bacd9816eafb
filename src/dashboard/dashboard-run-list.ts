import { nanosToUsd } from '../core/money.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import { summarizeSpend } from '../reports/summarize-spend.js';

export const RUN_SORT_KEYS = ['startedAt', 'costUsd', 'calls', 'anomalies', 'runId', 'workflow'] as const;

export interface RunListQuery extends LedgerFilter {
  offset: number;
  limit: number;
  sort: (typeof RUN_SORT_KEYS)[number];
  descending: boolean;
}

/**
 * One page of the runs in scope, sorted, with how many there are in all: the list and the cost-per-run
 * chart page through a big ledger instead of silently showing its first 500 runs.
 */
export function dashboardRunList(store: LedgerStore, query: RunListQuery) {
  const { offset, limit, sort, descending, ...filter } = query;
  const report = summarizeSpend(store, { by: 'run', ...filter, callTree: false });
  const rows = report.by === 'run' ? report.rows : [];
  const finished = new Map(store.queryRuns({ ...filter, until: undefined }).map((run) => [run.runId, run]));
  const all = rows.map((row) => {
    const run = finished.get(row.runId);
    return {
      runId: row.runId,
      workflow: row.workflow,
      startedAt: row.startedAt,
      calls: row.calls,
      costUsd: nanosToUsd(row.costNanos),
      anomalies: row.anomalies,
      outcome: run?.outcome ?? 'running',
      budgetUsd: run?.budgetNanos === null || run?.budgetNanos === undefined ? null : nanosToUsd(run.budgetNanos),
    };
  });
  const sign = descending ? -1 : 1;
  all.sort((a, b) => (a[sort] < b[sort] ? -sign : a[sort] > b[sort] ? sign : 0));
  return { total: all.length, offset, rows: all.slice(offset, offset + limit) };
}
