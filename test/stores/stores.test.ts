import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error.js';
import { summarizeSpend } from '../../src/reports/summarize-spend.js';
import { createMemoryLedgerStore } from '../../src/stores/memory/memory-ledger-store.js';
import { openSqliteLedgerStore } from '../../src/stores/sqlite/sqlite-ledger-store.js';
import { runLedgerStoreConformance, sampleCallRecord } from '../../src/testing/index.js';

const folder = mkdtempSync(join(tmpdir(), 'tokenfence-stores-'));
let files = 0;
const freshFile = () => join(folder, `ledger-${files++}.db`);

runLedgerStoreConformance('memory', () => createMemoryLedgerStore(), { describe, it, expect });
runLedgerStoreConformance('sqlite', () => openSqliteLedgerStore(freshFile()), { describe, it, expect });

describe('SQLite store', () => {
  it('persists across reopen and passes integrity_check, in WAL mode', () => {
    const file = freshFile();
    const store = openSqliteLedgerStore(file);
    store.appendCalls([sampleCallRecord({ id: 'kept' })]);
    store.close();
    const reopened = openSqliteLedgerStore(file);
    expect(reopened.queryCalls({}).map((record) => record.id)).toEqual(['kept']);
    reopened.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is not a database with StoreUnavailableError', async () => {
    const file = freshFile();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'this is not a database, just text that is long enough to have a header page'.repeat(20));
    expect(() => openSqliteLedgerStore(file)).toThrow(StoreUnavailableError);
  });

  it('brings a schema-1 ledger up to date in place: old records read with no fees, new ones keep theirs', () => {
    const file = freshFile();
    openSqliteLedgerStore(file).close();
    const db = new Database(file);
    db.exec('ALTER TABLE calls DROP COLUMN fee_nanos; ALTER TABLE calls DROP COLUMN usage_detail');
    db.prepare(
      `INSERT INTO calls (id, v, ts, scope, provider, model, model_used, input_uncached, input_cache_read,
        input_cache_write_5m, input_cache_write_1h, output_text, output_reasoning, cost_nanos, reserved_nanos,
        cost_source, attempt, outcome, duration_ms, stream) VALUES ('old', 1, 1, 's', 'openai', 'gpt-4o', 'gpt-4o',
        10, 0, 0, 0, 5, 0, 75, 100, 'provider', 1, 'ok', 3, 0)`,
    ).run();
    db.prepare("UPDATE meta SET value = '1' WHERE key = 'schema_version'").run();
    db.close();
    const store = openSqliteLedgerStore(file);
    store.appendCalls([sampleCallRecord({ id: 'new', feeNanos: 7, usageDetail: '{"fees":{"webSearch":1}}' })]);
    const [old, fresh] = store.queryCalls({});
    expect(old).toMatchObject({ id: 'old', costNanos: 75, feeNanos: 0, usageDetail: null });
    expect(fresh).toMatchObject({ id: 'new', feeNanos: 7, usageDetail: '{"fees":{"webSearch":1}}' });
    store.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: '3' });
    check.close();
  });

  it('brings a schema-2 ledger up to date in place: old calls and runs read without tags, new ones keep theirs', () => {
    const file = freshFile();
    openSqliteLedgerStore(file).close();
    const db = new Database(file);
    db.exec('ALTER TABLE calls DROP COLUMN tags; ALTER TABLE runs DROP COLUMN tags; DROP TABLE call_tags');
    db.prepare(
      `INSERT INTO calls (id, v, ts, scope, provider, model, model_used, input_uncached, input_cache_read,
        input_cache_write_5m, input_cache_write_1h, output_text, output_reasoning, cost_nanos, reserved_nanos,
        cost_source, attempt, outcome, duration_ms, stream) VALUES ('old', 1, 1, 's', 'openai', 'gpt-4o', 'gpt-4o',
        10, 0, 0, 0, 5, 0, 75, 100, 'provider', 1, 'ok', 3, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO runs (run_id, workflow, started_at, ended_at, cost_nanos, calls, outcome, anomalies)
        VALUES ('old-run', 'w', 1, 2, 75, 1, 'ok', 0)`,
    ).run();
    db.prepare("UPDATE meta SET value = '2' WHERE key = 'schema_version'").run();
    db.close();
    const store = openSqliteLedgerStore(file);
    store.appendCalls([sampleCallRecord({ id: 'new', ts: 5, scope: 's', tags: { tenant: 'acme' } })]);
    store.appendRuns([{ ...store.queryRuns({})[0], runId: 'new-run', tags: { tenant: 'acme' } } as never]);
    const [old, fresh] = store.queryCalls({});
    expect('tags' in (old ?? {})).toBe(false);
    expect(fresh).toMatchObject({ id: 'new', tags: { tenant: 'acme' } });
    expect(store.queryCalls({ tags: { tenant: 'acme' } }).map((call) => call.id)).toEqual(['new']);
    expect(store.sumTagCost?.('s', 'tenant', 'acme', 0)).toBe(fresh?.costNanos);
    expect(store.queryRuns({ tags: { tenant: 'acme' } }).map((run) => run.runId)).toEqual(['new-run']);
    store.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: '3' });
    check.close();
  });

  it('refuses a database written by a newer schema', () => {
    const file = freshFile();
    openSqliteLedgerStore(file).close();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    db.close();
    expect(() => openSqliteLedgerStore(file)).toThrow(/newer TokenFence/);
  });

  it('reports on 100,000 recorded calls in under 2 s, for every grouping', () => {
    const store = openSqliteLedgerStore(freshFile());
    store.appendCalls(
      Array.from({ length: 100_000 }, (_, index) =>
        sampleCallRecord({
          id: `r${index}`,
          ts: index,
          runId: `run-${index % 2_000}`,
          workflow: `w${index % 7}`,
          agent: `a${index % 5}`,
        }),
      ),
    );
    for (const by of ['workflow', 'agent', 'model', 'run'] as const) {
      const started = performance.now();
      const report = summarizeSpend(store, { by, top: 10 });
      expect(performance.now() - started, by).toBeLessThan(2_000);
      expect(report.totalNanos).toBe(100_000 * 7_250_000);
    }
    store.close();
  });
});
