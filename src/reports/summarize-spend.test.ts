import { describe, expect, it } from 'vitest';
import { createMemoryLedgerStore } from '../stores/memory/memory-ledger-store.js';
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
  it('gives exact nearest-rank percentiles over the runs of each workflow', () => {
    const report = summarizeSpend(storeWithRuns(), { by: 'workflow' });
    expect(report.rows).toEqual([
      {
        workflow: 'w',
        runs: 100,
        agents: 2,
        avgCalls: 2,
        avgCostNanos: 51,
        p50Nanos: 50,
        p95Nanos: 95,
        p99Nanos: 99,
        maxNanos: 100,
        anomalies: 1,
      },
    ]);
  });

  it('splits cost by agent (calls outside runs under "(none)") with shares summing to 1', () => {
    const report = summarizeSpend(storeWithRuns(), { by: 'agent' });
    if (report.by !== 'agent') throw new Error('expected an agent report');
    expect(report.rows.map((row) => [row.agent, row.calls, row.costNanos])).toEqual([
      ['writer', 100, 4_950],
      ['(none)', 1, 500],
      ['planner', 100, 100],
    ]);
    expect(report.rows.reduce((total, row) => total + row.share, 0)).toBeCloseTo(1, 12);
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
