import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { percentile } from '../core/percentile.js';
import type { CallRecord } from '../ledger/ledger-records.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createMemoryLedgerStore } from '../stores/memory/memory-ledger-store.js';
import { openSqliteLedgerStore } from '../stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../testing/ledger-store-conformance.js';
import { formatReport } from './format-report.js';
import { summarizeSpend } from './summarize-spend.js';

/** 3,000 calls over 300 runs, tenants and features drawn from a fixed sequence; some calls untagged or outside runs. */
function records(): CallRecord[] {
  // mulberry32: a fixed, well-mixed sequence.
  let seed = 42;
  const next = (range: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) % range;
  };
  const tenants = ['acme', 'globex', 'initech', 'umbrella'];
  const features = ['search', 'chat'];
  return Array.from({ length: 3_000 }, (_, index) => {
    const run = next(300);
    const outside = next(20) === 0;
    const tenant = tenants[run % tenants.length] as string;
    const tags: Record<string, string> = { tenant };
    if (next(3) > 0) tags.feature = features[next(2)] as string;
    return sampleCallRecord({
      id: `c${index}`,
      ts: 1_000 + index,
      runId: outside ? null : `r${run}`,
      workflow: outside ? null : 'support',
      agent: ['planner', 'writer'][next(2)] as string,
      costNanos: 1 + next(1_000_000),
      feeNanos: 0,
      ...(next(10) === 0 ? {} : { tags }),
    });
  });
}

function stores(): Array<[string, LedgerStore]> {
  const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-tag-report-')), 'ledger.db');
  const all = records();
  const made: Array<[string, LedgerStore]> = [
    ['memory', createMemoryLedgerStore()],
    ['sqlite', openSqliteLedgerStore(file)],
  ];
  for (const [, store] of made) store.appendCalls(all);
  return made;
}

describe('summarizeSpend by tag', () => {
  const all = records();

  it.each(stores())(
    'groups %s by tag value: runs, calls, cost, share and per-run percentiles equal independent sums',
    (_, store) => {
      const report = summarizeSpend(store, { by: 'tag:tenant' });
      if (report.by !== 'tag') throw new Error('expected a tag report');
      const total = all.reduce((sum, call) => sum + call.costNanos, 0);
      expect(report.totalNanos).toBe(total);
      expect(report.rows.reduce((sum, row) => sum + row.costNanos, 0)).toBe(total);
      for (const row of report.rows) {
        const mine = all.filter((call) => (call.tags?.tenant ?? '(none)') === row.value);
        const cost = mine.reduce((sum, call) => sum + call.costNanos, 0);
        expect(row.calls).toBe(mine.length);
        expect(row.costNanos).toBe(cost);
        expect(row.costUsd).toBe(cost / 1e9);
        expect(row.share).toBeCloseTo(cost / total, 12);
        // `(none)` too: its per-run figures are the untagged calls of each run.
        expect(row.runs).toBeGreaterThan(0);
        const perRun = new Map<string, number>();
        for (const call of mine) if (call.runId) perRun.set(call.runId, (perRun.get(call.runId) ?? 0) + call.costNanos);
        const sorted = [...perRun.values()].sort((a, b) => a - b);
        expect(row.runs).toBe(perRun.size);
        expect(row.p50Nanos).toBe(percentile(sorted, 0.5));
        expect(row.p99Nanos).toBe(percentile(sorted, 0.99));
        expect(row.maxNanos).toBe(sorted.at(-1));
        expect(row.avgCostNanos).toBe(Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length));
      }
      store.close();
    },
  );

  it.each(stores())('filters %s by tags (AND) in every grouping', (_, store) => {
    const tags = { tenant: 'acme', feature: 'search' };
    const mine = all.filter((call) => call.tags?.tenant === 'acme' && call.tags?.feature === 'search');
    const cost = mine.reduce((sum, call) => sum + call.costNanos, 0);
    for (const by of ['agent', 'model', 'workflow', 'run', 'tag:feature'] as const) {
      expect(summarizeSpend(store, { by, tags }).totalNanos).toBe(cost);
    }
    const byAgent = summarizeSpend(store, { by: 'agent', tags });
    if (byAgent.by !== 'agent') throw new Error('expected an agent report');
    expect(byAgent.rows.find((row) => row.agent === 'writer')?.costNanos).toBe(
      mine.filter((call) => call.agent === 'writer').reduce((sum, call) => sum + call.costNanos, 0),
    );
    const byFeature = summarizeSpend(store, { by: 'tag:feature', tags });
    if (byFeature.by !== 'tag') throw new Error('expected a tag report');
    expect(byFeature.rows.map((row) => row.value)).toEqual(['search']);
    expect(summarizeSpend(store, { by: 'tag:tenant', tags: { tenant: 'nobody' } }).rows).toEqual([]);
    store.close();
  });

  it('renders a tag report as a table, CSV and Markdown naming the key', () => {
    const store = createMemoryLedgerStore();
    store.appendCalls([sampleCallRecord({ runId: 'r', costNanos: 2_000_000, tags: { tenant: '=acme' } })]);
    const report = summarizeSpend(store, { by: 'tag:tenant' });
    expect(formatReport(report, 'table')).toContain('Tag tenant');
    expect(formatReport(report, 'csv').split('\n')[1]).toBe(
      // value, runs, calls, sent, blocked, killed, cost, share, avg/run, p50, p95, p99, max, fees
      "'=acme,1,1,1,0,0,$0.0020,100.0%,$0.0020,$0.0020,$0.0020,$0.0020,$0.0020,$0.0000",
    );
  });
});
