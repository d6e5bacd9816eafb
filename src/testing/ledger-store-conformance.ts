import { bucketCallRecords } from '../ledger/bucket-calls.js';
import { groupCallRecords } from '../ledger/group-calls.js';
import type { CallRecord, EventRecord, RunRecord } from '../ledger/ledger-records.js';
import type { LedgerStore } from '../ledger/ledger-store.js';

/** The bits of a test runner the suite needs (vitest, node:test + assert adapters, …). */
export interface ConformanceRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => void | Promise<void>): void;
  expect: (actual: unknown) => {
    toEqual(expected: unknown): void;
    toBe(expected: unknown): void;
  };
}

export function sampleCallRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    v: 1,
    id: `call-${Math.random().toString(36).slice(2)}`,
    ts: 1_764_460_800_000,
    runId: 'run-1',
    workflow: 'research-report',
    agent: 'researcher',
    scope: 'service/research-report/researcher',
    provider: 'openai',
    model: 'gpt-4o',
    modelUsed: 'gpt-4o-mini',
    inputUncached: 800,
    inputCacheRead: 200,
    inputCacheWrite5m: 0,
    inputCacheWrite1h: 0,
    outputText: 400,
    outputReasoning: 100,
    costNanos: 7_250_000,
    feeNanos: 0,
    usageDetail: null,
    reservedNanos: 9_000_000,
    costSource: 'provider',
    attempt: 1,
    outcome: 'ok',
    status: 200,
    durationMs: 321,
    stream: true,
    prompt: null,
    completion: null,
    ...overrides,
  };
}

function sampleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: 'run-1',
    workflow: 'research-report',
    startedAt: 1_764_460_800_000,
    endedAt: 1_764_460_860_000,
    costNanos: 123_456_789,
    calls: 7,
    outcome: 'ok',
    anomalies: 0,
    budgetNanos: 5_000_000_000,
    ...overrides,
  };
}

/**
 * The behaviour every LedgerStore must have. Run it from your own test file:
 * `runLedgerStoreConformance('my store', () => createMyStore(), { describe, it, expect })`.
 * It imports no test runner. `skip` names tests a store knowingly does not pass (listed, not hidden).
 */
export function runLedgerStoreConformance(
  name: string,
  createStore: () => LedgerStore,
  runner: ConformanceRunner,
  options: { skip?: readonly string[] } = {},
): void {
  const { describe, expect } = runner;
  const it = (title: string, body: (store: LedgerStore) => void | Promise<void>) => {
    if (options.skip?.includes(title)) return;
    runner.it(title, async () => {
      const store = createStore();
      try {
        await body(store);
      } finally {
        store.close();
      }
    });
  };

  describe(`LedgerStore conformance: ${name}`, () => {
    it('returns call records exactly as written, integers and all', (store) => {
      const record = sampleCallRecord({ costNanos: 9_007_199_254_740_991, prompt: 'p', completion: 'c' });
      store.appendCalls([record]);
      expect(store.queryCalls({})).toEqual([record]);
    });

    it('keeps the fee part of a cost and the usage beyond tokens, and sums fees per group', (store) => {
      const usageDetail = JSON.stringify({ modalities: { inputAudio: 120 }, fees: { webSearch: 3 }, tiers: ['flex'] });
      const record = sampleCallRecord({ costNanos: 40_000_000, feeNanos: 30_000_000, usageDetail });
      store.appendCalls([record, sampleCallRecord({ feeNanos: 5 })]);
      expect(store.queryCalls({})[0]).toEqual(record);
      expect(store.groupCalls({}, 'agent')[0]?.feeNanos).toBe(30_000_005);
    });

    it('ignores a call record written twice (same id)', (store) => {
      const record = sampleCallRecord();
      store.appendCalls([record]);
      store.appendCalls([record]);
      expect(store.queryCalls({}).length).toBe(1);
    });

    it('filters calls by time (since inclusive, until exclusive), workflow, agent and run, in time order', (store) => {
      const records = [
        sampleCallRecord({ ts: 30, workflow: 'a', agent: 'x', runId: 'r1' }),
        sampleCallRecord({ ts: 10, workflow: 'a', agent: 'y', runId: 'r1' }),
        sampleCallRecord({ ts: 20, workflow: 'b', agent: 'x', runId: 'r2' }),
        sampleCallRecord({ ts: 40, workflow: null, agent: null, runId: null }),
      ];
      store.appendCalls(records);
      const ids = (filter: Parameters<LedgerStore['queryCalls']>[0]) =>
        store.queryCalls(filter).map((record) => record.ts);
      expect(ids({})).toEqual([10, 20, 30, 40]);
      expect(ids({ since: 20, until: 40 })).toEqual([20, 30]);
      expect(ids({ workflow: 'a' })).toEqual([10, 30]);
      expect(ids({ agent: 'x' })).toEqual([20, 30]);
      expect(ids({ runId: 'r1', agent: 'y' })).toEqual([10]);
    });

    it('treats filter values as literals (no injection)', (store) => {
      store.appendCalls([sampleCallRecord({ workflow: "x' OR '1'='1" }), sampleCallRecord({ workflow: 'y' })]);
      expect(store.queryCalls({ workflow: "x' OR '1'='1" }).length).toBe(1);
      expect(store.queryCalls({ workflow: "' OR 1=1 --" }).length).toBe(0);
    });

    it('sums the cost of a scope and the scopes below it since a time, and no other scope', (store) => {
      store.appendCalls([
        sampleCallRecord({ scope: 'svc', ts: 100, costNanos: 1 }),
        sampleCallRecord({ scope: 'svc/agent', ts: 200, costNanos: 10 }),
        sampleCallRecord({ scope: 'svc/agent', ts: 50, costNanos: 100 }),
        sampleCallRecord({ scope: 'svc2', ts: 300, costNanos: 1_000 }),
        sampleCallRecord({ scope: 'sv%', ts: 300, costNanos: 10_000 }),
      ]);
      expect(store.sumCost('svc', 100)).toBe(11);
      expect(store.sumCost('svc', 0)).toBe(111);
      expect(store.sumCost('sv%', 0)).toBe(10_000);
      expect(store.sumCost('nothing', 0)).toBe(0);
    });

    it('keeps kill orders in the order given, readable from a time on', (store) => {
      store.appendKillOrder({ ts: 100, runId: 'r-1', workflow: null, reason: 'from the dashboard' });
      store.appendKillOrder({ ts: 200, runId: null, workflow: "w' OR 1=1 --", reason: 'stop' });
      const orders = store.queryKillOrders(0);
      expect(orders.map(({ seq: _seq, ...order }) => order)).toEqual([
        { ts: 100, runId: 'r-1', workflow: null, reason: 'from the dashboard' },
        { ts: 200, runId: null, workflow: "w' OR 1=1 --", reason: 'stop' },
      ]);
      expect((orders[1]?.seq ?? 0) > (orders[0]?.seq ?? 0)).toBe(true);
      expect(store.queryKillOrders(150).map((order) => order.reason)).toEqual(['stop']);
    });

    it('keeps events and runs, in time order, filterable by workflow and time', (store) => {
      const events: EventRecord[] = [
        { ts: 2, type: 'fence-killed', runId: 'r', workflow: 'w', scope: 's', data: '{"reason":"x"}' },
        { ts: 1, type: 'anomaly-detected', runId: null, workflow: 'v', scope: 's', data: '{}' },
      ];
      store.appendEvents(events);
      expect(store.queryEvents({}).map((event) => event.ts)).toEqual([1, 2]);
      expect(store.queryEvents({ workflow: 'w' })).toEqual([events[0]]);
      store.appendRuns([
        sampleRun({ runId: 'b', endedAt: 20 }),
        sampleRun({ runId: 'a', endedAt: 10, workflow: 'other' }),
      ]);
      expect(store.queryRuns({}).map((run) => run.runId)).toEqual(['a', 'b']);
      expect(store.queryRuns({ workflow: 'research-report' })).toEqual([sampleRun({ runId: 'b', endedAt: 20 })]);
    });

    it('writes a batch of 10,000 records and reads them all back', (store) => {
      const records = Array.from({ length: 10_000 }, (_, index) =>
        sampleCallRecord({ id: `bulk-${index}`, ts: index }),
      );
      store.appendCalls(records);
      const back = store.queryCalls({});
      expect(back.length).toBe(10_000);
      expect(back[9_999]?.id).toBe('bulk-9999');
    });

    it('groups calls per run, workflow, agent, model and (workflow, agent), per run too, as the reference grouping does, with sent / blocked / killed counts', (store) => {
      store.appendCalls([
        sampleCallRecord({ ts: 1, runId: 'r1', workflow: 'w', agent: 'a', costNanos: 5, modelUsed: 'm1' }),
        sampleCallRecord({ ts: 2, runId: 'r1', workflow: 'w', agent: 'b', costNanos: 7, modelUsed: 'm2' }),
        sampleCallRecord({ ts: 3, runId: 'r2', workflow: 'v', agent: null, costNanos: 11, modelUsed: 'm1' }),
        sampleCallRecord({ ts: 4, runId: null, workflow: null, agent: 'a', costNanos: 13, modelUsed: 'm1' }),
        sampleCallRecord({ ts: 5, runId: 'r1', workflow: 'w', agent: 'a', costNanos: 0, outcome: 'blocked' }),
        sampleCallRecord({ ts: 6, runId: 'r2', workflow: 'v', agent: 'a', costNanos: 3, outcome: 'killed' }),
        sampleCallRecord({ ts: 7, runId: 'r2', workflow: 'v', agent: 'a', costNanos: 0, outcome: 'aborted' }),
      ]);
      const sorted = (groups: ReturnType<LedgerStore['groupCalls']>) =>
        groups.map((group) => JSON.stringify(group)).sort();
      for (const by of ['run', 'workflow', 'agent', 'model', 'workflow-agent'] as const) {
        for (const filter of [{}, { since: 2 }, { workflow: 'w' }]) {
          for (const perRun of [false, true]) {
            expect(sorted(store.groupCalls(filter, by, perRun))).toEqual(
              sorted(groupCallRecords(store.queryCalls(filter), by, perRun)),
            );
          }
        }
      }
      expect(
        store
          .groupCalls({}, 'run')
          .map((group) => [group.costNanos, group.calls, group.sentCalls, group.blockedCalls, group.killedCalls])
          .sort((a, b) => (a[0] as number) - (b[0] as number)),
      ).toEqual([
        [12, 3, 2, 1, 0],
        [14, 3, 2, 0, 1],
      ]);
      expect(
        store
          .groupCalls({}, 'agent', true)
          .filter((group) => group.agent === 'a')
          .map((group) => [group.runId, group.costNanos])
          .sort(),
      ).toEqual([
        [null, 13],
        ['r1', 5],
        ['r2', 3],
      ]);
    });

    it('keeps tags on calls and runs, filters by them (AND, literal values) and groups per tag value', (store) => {
      const acme = { tenant: 'acme', feature: 'search' };
      store.appendCalls([
        sampleCallRecord({ ts: 1, runId: 'r1', costNanos: 5, tags: acme }),
        sampleCallRecord({ ts: 2, runId: 'r1', costNanos: 7, tags: { tenant: 'acme', feature: 'chat' } }),
        sampleCallRecord({ ts: 3, runId: 'r2', costNanos: 11, tags: { tenant: 'globex' } }),
        sampleCallRecord({ ts: 4, runId: null, costNanos: 13, tags: { tenant: 'acme' } }),
        sampleCallRecord({ ts: 5, runId: 'r3', costNanos: 17 }),
      ]);
      expect(store.queryCalls({ tags: { tenant: 'acme' } }).map((call) => call.ts)).toEqual([1, 2, 4]);
      expect(store.queryCalls({ tags: acme }).map((call) => call.ts)).toEqual([1]);
      expect(store.queryCalls({ tags: { tenant: "acme' OR '1'='1" } }).length).toBe(0);
      expect(store.queryCalls({ tags: { 'bad key': 'acme' } }).length).toBe(0);
      expect(store.queryCalls({ since: 1, until: 2 })[0]?.tags).toEqual(acme);
      expect('tags' in (store.queryCalls({ since: 5 })[0] ?? {})).toBe(false);
      const sorted = (groups: ReturnType<LedgerStore['groupCalls']>) =>
        groups.map((group) => JSON.stringify(group)).sort();
      for (const by of ['tag:tenant', 'tag-run:tenant', 'tag:feature'] as const) {
        for (const filter of [{}, { since: 2 }, { tags: { feature: 'search' } }]) {
          expect(sorted(store.groupCalls(filter, by))).toEqual(sorted(groupCallRecords(store.queryCalls(filter), by)));
        }
      }
      expect(store.groupCalls({}, 'tag:tenant').find((group) => group.tag === 'acme')?.costNanos).toBe(25);
      store.appendRuns([sampleRun({ runId: 'r1', tags: acme }), sampleRun({ runId: 'r2', endedAt: 1 })]);
      expect(store.queryRuns({ tags: { tenant: 'acme' } })).toEqual([sampleRun({ runId: 'r1', tags: acme })]);
      expect('tags' in (store.queryRuns({ runId: 'r2' })[0] ?? {})).toBe(false);
    });

    it('buckets calls over time per agent, model, workflow and tag value as the reference bucketing does', (store) => {
      if (!store.bucketCalls) return; // optional: the dashboard buckets queryCalls without it
      const HOUR = 3_600_000;
      store.appendCalls([
        sampleCallRecord({ ts: 10 * HOUR + 1, agent: 'a', costNanos: 5, tags: { tenant: 'acme' } }),
        sampleCallRecord({ ts: 10 * HOUR + 2, agent: 'b', costNanos: 7, modelUsed: 'm2' }),
        sampleCallRecord({ ts: 11 * HOUR, agent: 'a', workflow: 'w', costNanos: 11, tags: { tenant: 'globex' } }),
        sampleCallRecord({ ts: 12 * HOUR - 1, agent: null, workflow: null, costNanos: 13 }),
      ]);
      const sorted = (cells: ReturnType<typeof bucketCallRecords>) => cells.map((cell) => JSON.stringify(cell)).sort();
      for (const by of ['agent', 'model', 'workflow', 'tag:tenant'] as const)
        for (const offsetMs of [0, 30 * 60_000])
          for (const filter of [{}, { since: 10 * HOUR + 2 }, { tags: { tenant: 'acme' } }]) {
            const spec = { bucketMs: HOUR, offsetMs, by };
            expect(sorted(store.bucketCalls(filter, spec))).toEqual(
              sorted(bucketCallRecords(store.queryCalls(filter), spec)),
            );
          }
      expect(
        store
          .bucketCalls({}, { bucketMs: HOUR, offsetMs: 0, by: 'agent' })
          .find((cell) => cell.key === 'a' && cell.start === 11 * HOUR)?.costNanos,
      ).toBe(11);
    });

    it('sums the cost of one tag value in a scope and below it since a time', (store) => {
      store.appendCalls([
        sampleCallRecord({ scope: 'svc/run', ts: 100, costNanos: 1, tags: { tenant: 'acme' } }),
        sampleCallRecord({ scope: 'svc', ts: 200, costNanos: 10, tags: { tenant: 'acme', user: 'u1' } }),
        sampleCallRecord({ scope: 'svc', ts: 50, costNanos: 100, tags: { tenant: 'acme' } }),
        sampleCallRecord({ scope: 'svc', ts: 300, costNanos: 1_000, tags: { tenant: 'globex' } }),
        sampleCallRecord({ scope: 'other', ts: 300, costNanos: 10_000, tags: { tenant: 'acme' } }),
      ]);
      expect(store.sumTagCost?.('svc', 'tenant', 'acme', 100)).toBe(11);
      expect(store.sumTagCost?.('svc', 'tenant', 'acme', 0)).toBe(111);
      expect(store.sumTagCost?.('svc', 'user', 'u1', 0)).toBe(10);
      expect(store.sumTagCost?.('svc', 'tenant', 'nobody', 0)).toBe(0);
    });

    it('keeps unicode labels intact', (store) => {
      const record = sampleCallRecord({ workflow: 'отчёт 报告 🚀', agent: 'rédacteur' });
      store.appendCalls([record]);
      expect(store.queryCalls({ workflow: 'отчёт 报告 🚀' })).toEqual([record]);
    });
  });
}
