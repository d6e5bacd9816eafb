import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { summarizeSpend } from '../../src/reports/summarize-spend.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/redis-store.js';
import { runLedgerStoreConformance, sampleCallRecord } from '../../src/testing/index.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

let server: RedisServerHandle;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(() => server.dispose());

/** A store with a key prefix of its own: an empty ledger on the shared test server. */
const freshStore = (prefix = `t${randomUUID().slice(0, 8)}`) => redisStore(server.url, { prefix, timeoutMs: 2_000 });

runLedgerStoreConformance('redis', () => freshStore(), { describe, it, expect });

describe('Redis ledger', () => {
  it('another process reads every record once acknowledged; a batch sent twice is written once', async () => {
    const prefix = `p${randomUUID().slice(0, 8)}`;
    const writer = freshStore(prefix);
    const records = Array.from({ length: 1_200 }, (_, index) =>
      sampleCallRecord({ id: `c${index}`, ts: 1_764_460_800_000 + index, costNanos: index }),
    );
    writer.appendCalls(records);
    writer.appendCalls(records.slice(0, 10));
    writer.appendRuns([
      {
        runId: 'run-1',
        workflow: 'research-report',
        startedAt: 1,
        endedAt: 2,
        costNanos: 5,
        calls: 1,
        outcome: 'ok',
        anomalies: 0,
        budgetNanos: null,
      },
    ]);
    expect(await writer.persisted()).toBe(true);
    const reader = freshStore(prefix);
    await reader.refresh();
    expect(reader.queryCalls({})).toEqual(records);
    expect(reader.queryRuns({}).map((run) => run.runId)).toEqual(['run-1']);
    await reader.refresh(); // nothing new: nothing doubled
    expect(reader.queryCalls({})).toHaveLength(1_200);
    await writer.shutdown();
    await reader.shutdown();
  });

  it('nothing acknowledged is lost when Redis is killed and restarted (appendfsync always)', async () => {
    const prefix = `k${randomUUID().slice(0, 8)}`;
    const writer = freshStore(prefix);
    writer.appendCalls([sampleCallRecord({ id: 'before-crash' })]);
    expect(await writer.persisted()).toBe(true);
    await server.kill();
    writer.appendCalls([sampleCallRecord({ id: 'during-outage', ts: 1_764_460_800_001 })]);
    expect(writer.pendingRecords).toBe(1);
    await server.start();
    expect(await writer.persisted()).toBe(true);
    const reader = freshStore(prefix);
    await reader.refresh();
    expect(reader.queryCalls({}).map((record) => record.id)).toEqual(['before-crash', 'during-outage']);
    await writer.shutdown();
    await reader.shutdown();
  });

  it('the report layer and the CLI read a Redis ledger (`--store redis://…`)', async () => {
    const prefix = 'tf';
    const writer: RedisStore = freshStore(prefix);
    const runId = `cli-${randomUUID()}`;
    writer.appendCalls([
      sampleCallRecord({ id: randomUUID(), runId, agent: 'researcher', costNanos: 2_000_000 }),
      sampleCallRecord({ id: randomUUID(), runId, agent: 'writer', costNanos: 1_000_000 }),
    ]);
    expect(await writer.persisted()).toBe(true);
    const report = summarizeSpend(writer, { by: 'agent', runId });
    let out = '';
    const code = await main(['report', '--store', server.url, '--by', 'agent', '--run', runId, '--format', 'json'], {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
      env: {},
    });
    expect(code).toBe(0);
    expect(report.totalNanos).toBe(3_000_000);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(report)));
    await writer.shutdown();
  });
});
