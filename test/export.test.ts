import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CallRecord } from '../src/ledger/ledger-records.js';
import { EXPORT_COLUMNS, exportCalls, exportRow } from '../src/reports/export-calls.js';
import { createMemoryLedgerStore } from '../src/stores/memory/memory-ledger-store.js';
import { redisStore } from '../src/stores/redis/redis-store.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../src/testing/index.js';
import { type RedisServerHandle, startRedisServer } from './support/redis-server.js';

const folder = mkdtempSync(join(tmpdir(), 'tokenfence-export-'));
const T0 = Date.UTC(2026, 5, 1);

/** A ledger's worth of calls: sent, blocked, killed; with fees, modalities and tiers; and cells a spreadsheet would run. */
function sampleCalls(): CallRecord[] {
  return [
    sampleCallRecord({ id: 'c1', ts: T0, costNanos: 7_250_000 }),
    sampleCallRecord({
      id: 'c2',
      ts: T0 + 1_000,
      agent: '=HYPERLINK("http://evil")',
      usageDetail: JSON.stringify({ fees: { webSearch: 2 }, modalities: { inputImage: 300 }, tiers: ['priority'] }),
      feeNanos: 20_000_000,
      costNanos: 25_000_000,
    }),
    sampleCallRecord({ id: 'c3', ts: T0 + 2_000, outcome: 'blocked', attempt: 0, costNanos: 0, status: null }),
    sampleCallRecord({ id: 'c4', ts: T0 + 3_000, outcome: 'killed', workflow: '+sum(A1)', runId: '-1', costNanos: 0 }),
    sampleCallRecord({ id: 'c5', ts: T0 + 4_000, model: '@cmd', modelUsed: '\tx', agent: '\rcr' }),
  ];
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (text) => (out += text), stderr: (text) => (err += text), env: {} });
  return { code, out, err };
}

function sqliteWith(records: CallRecord[]): string {
  const file = join(folder, `${randomUUID()}.db`);
  const store = openSqliteLedgerStore(file);
  store.appendCalls(records);
  store.close();
  return `sqlite:${file}`;
}

/** Splits one CSV line into its cells (quotes doubled inside quoted cells). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] as string;
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      cells.push(cell);
      cell = '';
    } else cell += character;
  }
  cells.push(cell);
  return cells;
}

describe('tokenfence export', () => {
  it('streams every call record as ndjson — refused ones with their outcome — with buckets, fees, tags and both costs', async () => {
    const store = sqliteWith(sampleCalls());
    const { code, out, err } = await cli(['export', '--store', store, '--since', new Date(T0).toISOString()]);
    expect(code).toBe(0);
    expect(err).toBe('');
    const rows = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((row) => [row.id, row.outcome])).toEqual([
      ['c1', 'ok'],
      ['c2', 'ok'],
      ['c3', 'blocked'],
      ['c4', 'killed'],
      ['c5', 'ok'],
    ]);
    expect(rows[0]).toEqual({
      id: 'c1',
      time: '2026-06-01T00:00:00.000Z',
      ts: T0,
      runId: 'run-1',
      workflow: 'research-report',
      agent: 'researcher',
      scope: 'service/research-report/researcher',
      provider: 'openai',
      model: 'gpt-4o',
      modelUsed: 'gpt-4o-mini',
      outcome: 'ok',
      attempt: 1,
      status: 200,
      stream: true,
      durationMs: 321,
      tags: {},
      inputUncached: 800,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 400,
      outputReasoning: 100,
      modalities: {},
      fees: {},
      tiers: [],
      costUsd: 0.00725,
      costNanos: 7_250_000,
      feeNanos: 0,
      reservedNanos: 9_000_000,
      costSource: 'provider',
    });
    expect(rows[1]).toMatchObject({
      fees: { webSearch: 2 },
      modalities: { inputImage: 300 },
      tiers: ['priority'],
      costUsd: 0.025,
      feeNanos: 20_000_000,
    });
    expect(Object.keys(rows[0])).toEqual(EXPORT_COLUMNS);
  });

  it('keeps tags as an object in ndjson and as JSON text in CSV when a record has them', () => {
    const tagged = { ...sampleCallRecord({ id: 't' }), tags: { tenant: 'acme', user: '=u-17' } } as CallRecord;
    expect(exportRow(tagged).tags).toEqual({ tenant: 'acme', user: '=u-17' });
  });

  it('exports the tags column of a SQLite ledger, as the records were written', async () => {
    const tagged = { ...sampleCallRecord({ id: 't', ts: T0 }), tags: { tenant: 'acme' } } as CallRecord;
    const plain = sampleCallRecord({ id: 'p', ts: T0 + 1 });
    const { code, out } = await cli(['export', '--store', sqliteWith([tagged, plain])]);
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; tags: unknown });
    expect(rows.map((row) => [row.id, row.tags])).toEqual([
      ['t', { tenant: 'acme' }],
      ['p', {}],
    ]);
  });

  it('filters by --since / --until (until exclusive), workflow and run; an empty result exits 0 with a note', async () => {
    const store = sqliteWith(sampleCalls());
    const window = await cli([
      'export',
      '--store',
      store,
      '--since',
      new Date(T0 + 1_000).toISOString(),
      '--until',
      new Date(T0 + 3_000).toISOString(),
    ]);
    expect(
      window.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id),
    ).toEqual(['c2', 'c3']);
    const none = await cli(['export', '--store', store, '--workflow', 'nothing-here', '--format', 'csv']);
    expect(none.code).toBe(0);
    expect(none.out).toBe(`${EXPORT_COLUMNS.join(',')}\n`);
    expect(none.err).toBe('tokenfence export: no calls match --workflow nothing-here\n');
  });

  it('writes formula-safe CSV: a header, one line per call, = + - @ tab and CR cells prefixed, objects as JSON', async () => {
    const store = sqliteWith(sampleCalls());
    const { code, out } = await cli(['export', '--store', store, '--format', 'csv']);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    // c5's agent starts with a carriage return: quoted, so the record stays one line.
    expect(csvCells(lines[0] as string)).toEqual([...EXPORT_COLUMNS]);
    const rows = lines.slice(1).map(csvCells);
    expect(rows).toHaveLength(5);
    const cell = (row: string[], column: string) => row[EXPORT_COLUMNS.indexOf(column)];
    expect(cell(rows[1] as string[], 'agent')).toBe(`'=HYPERLINK("http://evil")`);
    expect(cell(rows[1] as string[], 'fees')).toBe('{"webSearch":2}');
    expect(cell(rows[1] as string[], 'tiers')).toBe('["priority"]');
    expect(cell(rows[3] as string[], 'workflow')).toBe("'+sum(A1)");
    expect(cell(rows[3] as string[], 'runId')).toBe("'-1");
    expect(cell(rows[3] as string[], 'outcome')).toBe('killed');
    expect(cell(rows[4] as string[], 'model')).toBe("'@cmd");
    expect(cell(rows[4] as string[], 'modelUsed')).toBe("'\tx");
    expect(cell(rows[0] as string[], 'tags')).toBe('{}');
    expect(cell(rows[0] as string[], 'costNanos')).toBe('7250000');
    expect(cell(rows[0] as string[], 'costUsd')).toBe('0.00725');
    for (const row of rows) for (const value of row) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('exports a memory ledger the same way as a SQLite one', async () => {
    const memory = createMemoryLedgerStore();
    memory.appendCalls(sampleCalls());
    let text = '';
    for await (const chunk of exportCalls(memory, {}, 'ndjson', 2)) text += chunk;
    const fromSqlite = await cli(['export', '--store', sqliteWith(sampleCalls())]);
    expect(text).toBe(fromSqlite.out);
  });

  it('streams a 100,000-call SQLite ledger with bounded memory (reading it whole costs several times more)', async () => {
    const file = join(folder, 'big.db');
    openSqliteLedgerStore(file).close();
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (
      path: string,
    ) => { exec(sql: string): void; close(): void };
    const db = new Database(file);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
      INSERT INTO calls (id, v, ts, run_id, workflow, agent, scope, provider, model, model_used, input_uncached,
        input_cache_read, input_cache_write_5m, input_cache_write_1h, output_text, output_reasoning, cost_nanos,
        fee_nanos, usage_detail, reserved_nanos, cost_source, attempt, outcome, status, duration_ms, stream)
      SELECT 'call-' || i, 1, ${T0} + i, 'run-' || (i % 5000), 'research-report', 'agent-' || (i % 7),
        'service/research-report/agent', 'openai', 'gpt-4o', 'gpt-4o-mini', 800, 200, 0, 0, 400, 100, i, 0,
        NULL, 9000000, 'provider', 1, CASE WHEN i % 10 = 0 THEN 'blocked' ELSE 'ok' END, 200, 321, 1 FROM n`);
    db.close();
    const store = openSqliteLedgerStore(file);
    globalThis.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let lines = 0;
    let costNanos = 0;
    for await (const chunk of exportCalls(store, {}, 'ndjson')) {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        lines += 1;
        if (lines % 1_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
        costNanos += (JSON.parse(line) as { costNanos: number }).costNanos;
      }
    }
    const streamed = peak - before;
    expect(lines).toBe(100_000);
    expect(costNanos).toBe((100_000 * 100_001) / 2);
    // The control: the same records read whole.
    globalThis.gc?.();
    const beforeWhole = process.memoryUsage().heapUsed;
    const whole = store.queryCalls({});
    const heldWhole = process.memoryUsage().heapUsed - beforeWhole;
    expect(whole).toHaveLength(100_000);
    store.close();
    console.info(
      `export of 100,000 calls: peak heap growth ${(streamed / 2 ** 20).toFixed(1)} MiB streamed, ${(heldWhole / 2 ** 20).toFixed(1)} MiB read whole`,
    );
    expect(streamed).toBeLessThan(heldWhole / 3);
    expect(streamed).toBeLessThan(64 * 1024 * 1024);
  }, 120_000);
});

describe('tokenfence export from Redis', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server.dispose());

  it('pages through the calls stream (more than one XRANGE page), refused calls included, filters applied', async () => {
    const prefix = `x${randomUUID().slice(0, 8)}`;
    const writer = redisStore(server.url, { prefix, timeoutMs: 2_000 });
    const now = Date.now();
    const records = Array.from({ length: 12_000 }, (_, index) =>
      sampleCallRecord({
        id: `r${index}`,
        ts: now + index,
        costNanos: index,
        outcome: index % 100 === 0 ? 'blocked' : 'ok',
      }),
    );
    writer.appendCalls(records);
    expect(await writer.persisted(30_000)).toBe(true);
    writer.close();
    const reader = redisStore(server.url, { prefix, timeoutMs: 2_000 });
    try {
      let lines = 0;
      let blocked = 0;
      let total = 0;
      for await (const chunk of exportCalls(reader, { since: now + 2_000 }, 'ndjson')) {
        for (const line of chunk.trim().split('\n')) {
          const row = JSON.parse(line) as { costNanos: number; outcome: string };
          lines += 1;
          total += row.costNanos;
          if (row.outcome === 'blocked') blocked += 1;
        }
      }
      expect(lines).toBe(10_000);
      expect(blocked).toBe(100);
      expect(total).toBe(((2_000 + 11_999) * 10_000) / 2);
    } finally {
      reader.close();
    }
    const cliRun = await cli(['export', '--store', `${server.url}`, '--format', 'csv']);
    expect(cliRun.code).toBe(0);
  }, 120_000);
});
