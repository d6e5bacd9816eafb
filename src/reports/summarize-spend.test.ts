import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLedgerStore } from '../stores/memory/memory-ledger-store.js';
import { openSqliteLedgerStore } from '../stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../testing/ledger-store-conformance.js';
import { formatReport } from './format-report.js';
import { summarizeSpend } from './summarize-spend.js';

function storeWithRuns() {
  const store = createMemoryLedgerStore();
  // 100 runs of `w` costing 1..100 n$ (two calls each: one by the planner, one by the writer), plus
  // calls outside any run.
  const calls = [];
  for (let run = 1; run <= 100; run += 1) {
    calls.push(
      sampleCallRecord({ id: `p${run}`, runId: `r${run}`, workflow: 'w', agent: 'planner', costNanos: 1, ts: run }),
    );
    calls.push(
      sampleCallRecord({
        id: `w${run}`,
        runId: `r${run}`,
        workflow: 'w',
        agent: 'writer',
        costNanos: run - 1,
        ts: run,
        modelUsed: 'gpt-4o',
      }),
    );
  }
  calls.push(sampleCallRecord({ id: 'loose', runId: null, workflow: null, agent: null, costNanos: 500, ts: 1_000 }));
  store.appendCalls(calls);
  store.appendEvents([{ ts: 5, type: 'anomaly-detected', runId: 'r100', workflow: 'w', scope: 's', data: '{}' }]);
  return store;
}

describe('summarizeSpend', () => {
  it('gives exact nearest-rank percentiles over the runs of each workflow, calls outside runs in a (none) row', () => {
    const report = summarizeSpend(storeWithRuns(), { by: 'workflow' });
    expect(report.rows[0]).toMatchObject({
      workflow: 'w',
      runs: 100,
      agents: 2,
      calls: 200,
      sentCalls: 200,
      blockedCalls: 0,
      killedCalls: 0,
      avgCalls: 2,
      costNanos: 5_050,
      avgCostNanos: 51,
      p50Nanos: 50,
      p95Nanos: 95,
      p99Nanos: 99,
      maxNanos: 100,
      anomalies: 1,
    });
    expect(report.rows[1]).toMatchObject({ workflow: '(none)', runs: 0, calls: 1, costNanos: 500, p99Nanos: 0 });
  });

  it('gives each agent role its runs, share and percentiles of its cost per run, and a total over every run', () => {
    const report = summarizeSpend(storeWithRuns(), { by: 'agent' });
    if (report.by !== 'agent') throw new Error('expected an agent report');
    expect(report.rows.map((row) => [row.agent, row.runs, row.calls, row.costNanos])).toEqual([
      ['writer', 100, 100, 4_950],
      ['(none)', 0, 1, 500],
      ['planner', 100, 100, 100],
    ]);
    expect(report.rows.reduce((total, row) => total + row.share, 0)).toBeCloseTo(1, 12);
    // The writer costs 0..99 n$ per run: nearest rank over 100 sorted values.
    expect(report.rows[0]).toMatchObject({ avgCostNanos: 50, p50Nanos: 49, p95Nanos: 94, p99Nanos: 98, maxNanos: 99 });
    expect(report.rows[2]).toMatchObject({ avgCostNanos: 1, p50Nanos: 1, p99Nanos: 1, maxNanos: 1 });
    expect(report.total).toMatchObject({
      runs: 100,
      calls: 201,
      costNanos: 5_550,
      share: 1,
      p50Nanos: 50,
      p99Nanos: 99,
    });
    expect(report.totalNanos).toBe(5_550);
  });

  it('splits calls into sent / blocked / killed, the same in every grouping and in the total', () => {
    const store = storeWithRuns();
    store.appendCalls([
      sampleCallRecord({ id: 'b1', runId: 'r1', workflow: 'w', agent: 'writer', costNanos: 0, outcome: 'blocked' }),
      sampleCallRecord({ id: 'k1', runId: 'r1', workflow: 'w', agent: 'writer', costNanos: 7, outcome: 'killed' }),
      sampleCallRecord({ id: 'e1', runId: 'r1', workflow: 'w', agent: 'planner', costNanos: 0, outcome: 'error' }),
    ]);
    const split = (counts: { calls: number; sentCalls: number; blockedCalls: number; killedCalls: number }) => [
      counts.calls,
      counts.sentCalls,
      counts.blockedCalls,
      counts.killedCalls,
    ];
    for (const by of ['workflow', 'agent', 'model', 'run'] as const) {
      expect(split(summarizeSpend(store, { by }).total), by).toEqual([204, 202, 1, 1]);
    }
    const agents = summarizeSpend(store, { by: 'agent' });
    expect(agents.by === 'agent' && agents.rows.find((row) => row.agent === 'writer')).toMatchObject({
      calls: 102,
      sentCalls: 100,
      blockedCalls: 1,
      killedCalls: 1,
    });
    const run = summarizeSpend(store, { by: 'run', runId: 'r1' });
    expect(run.by === 'run' && split(run.rows[0] as never)).toEqual([5, 3, 1, 1]);
    expect(formatReport(run, 'table', { tree: true })).toMatch(/5 calls \(3 sent, 1 blocked, 1 killed\)/);
  });

  it.each([
    ['memory', () => createMemoryLedgerStore()],
    ['sqlite', () => openSqliteLedgerStore(join(mkdtempSync(join(tmpdir(), 'tokenfence-unpriced-')), 'ledger.db'))],
  ])('counts calls to unpriced models apart (%s), in every grouping, the total and the run tree', (_, open) => {
    const store = open();
    store.appendCalls([
      sampleCallRecord({
        id: 'u1',
        runId: 'r1',
        workflow: 'w',
        agent: 'writer',
        costNanos: 0,
        costSource: 'unknown',
        tags: { tenant: 'acme' },
      }),
      sampleCallRecord({ id: 'u2', runId: 'r1', workflow: 'w', agent: 'writer', costNanos: 0, costSource: 'unknown' }),
      sampleCallRecord({
        id: 'p1',
        runId: 'r1',
        workflow: 'w',
        agent: 'planner',
        costNanos: 5,
        tags: { tenant: 'acme' },
      }),
    ]);
    for (const by of ['workflow', 'agent', 'model', 'run', 'tag:tenant'] as const) {
      expect(summarizeSpend(store, { by }).total.unpricedCalls, by).toBe(2);
    }
    const agents = summarizeSpend(store, { by: 'agent' });
    expect(agents.by === 'agent' && agents.rows.map((row) => [row.agent, row.unpricedCalls])).toEqual([
      ['planner', 0],
      ['writer', 2],
    ]);
    const tags = summarizeSpend(store, { by: 'tag:tenant' });
    expect(tags.by === 'tag' && tags.rows.map((row) => [row.value, row.unpricedCalls])).toEqual([
      ['acme', 1],
      ['(none)', 1],
    ]);
    const run = summarizeSpend(store, { by: 'run' });
    expect(run.by === 'run' && run.rows[0]?.unpricedCalls).toBe(2);
    expect(formatReport(run, 'table', { tree: true })).toContain('(price unknown)');
    store.close();
  });

  it('ends every table, CSV and Markdown report with a total row', () => {
    const store = storeWithRuns();
    for (const by of ['workflow', 'agent', 'model', 'run'] as const) {
      const report = summarizeSpend(store, { by });
      const csv = formatReport(report, 'csv').trim().split('\n');
      expect(csv.at(-1), by).toMatch(/^Total/);
      expect(csv.at(-1), by).toContain('$0.0000');
      expect(formatReport(report, 'table').trim().split('\n').at(-1), by).toMatch(/^Total/);
      expect(formatReport(report, 'md').trim().split('\n').at(-1), by).toMatch(/^\| Total/);
      const json = JSON.parse(formatReport(report, 'json'));
      expect(json.total.calls, by).toBe(201);
      expect(json.total.costNanos, by).toBe(5_550);
    }
  });

  it('filters by time and workflow, and lists the top runs with their agent → call tree', () => {
    const store = storeWithRuns();
    expect(summarizeSpend(store, { by: 'agent', since: 51, until: 61, workflow: 'w' }).totalNanos).toBe(
      10 + (50 + 59) * 5,
    );
    const runs = summarizeSpend(store, { by: 'run', top: 2 });
    expect(runs.by === 'run' && runs.rows.map((row) => [row.runId, row.costNanos, row.anomalies])).toEqual([
      ['r100', 100, 1],
      ['r99', 99, 0],
    ]);
    expect(runs.by === 'run' && runs.rows[0]?.agents.map((agent) => [agent.agent, agent.callList.length])).toEqual([
      ['writer', 1],
      ['planner', 1],
    ]);
    expect(formatReport(runs, 'table', { tree: true })).toMatch(
      /^r100 {2}w {2}\$0\.0000 {2}2 calls {2}⚠ 1 anomalies\n {2}writer/,
    );
  });
});
