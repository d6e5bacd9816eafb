import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error.js';
import { summarizeSpend } from '../../src/reports/summarize-spend.js';
import { createMemoryLedgerStore } from '../../src/stores/memory/memory-ledger-store.js';
import { openSqliteLedgerStore } from '../../src/stores/sqlite/sqlite-ledger-store.js';
import { runLedgerStoreConformance, sampleCallRecord } from '../../src/testing/index.js';
import { scalar, sqliteDrivers, titleFor } from '../support/sqlite-drivers.js';

const folder = mkdtempSync(join(tmpdir(), 'tokenfence-stores-'));
let files = 0;
const freshFile = () => join(folder, `ledger-${files++}.db`);

runLedgerStoreConformance('memory', () => createMemoryLedgerStore(), { describe, it, expect });
for (const entry of sqliteDrivers) {
  const { driver, openDatabase } = entry;
  const suite = entry.skipReason === undefined ? describe : describe.skip;
  const open = (file: string) => openSqliteLedgerStore(file, { driver });
  runLedgerStoreConformance(titleFor(entry, `sqlite (${driver})`), () => open(freshFile()), {
    describe: suite,
    it,
    expect,
  });

  suite(titleFor(entry, `SQLite store on ${driver}`), () => {
    it('runs on the driver asked for', () => {
      const store = open(freshFile());
      expect(store.driver).toBe(driver);
      store.close();
      store.close();
    });

    it('persists across reopen and passes integrity_check, in WAL mode', () => {
      const file = freshFile();
      const store = open(file);
      store.appendCalls([sampleCallRecord({ id: 'kept' })]);
      store.close();
      const reopened = open(file);
      expect(reopened.queryCalls({}).map((record) => record.id)).toEqual(['kept']);
      reopened.close();
      const db = openDatabase(file);
      expect(scalar(db, 'PRAGMA integrity_check')).toBe('ok');
      expect(scalar(db, 'PRAGMA journal_mode')).toBe('wal');
      db.close();
    });

    it('brings a schema-2 ledger up to date in place: old calls and runs read without tags, new ones keep theirs', () => {
      const file = freshFile();
      open(file).close();
      const db = openDatabase(file);
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
      const store = open(file);
      store.appendCalls([sampleCallRecord({ id: 'new', ts: 5, scope: 's', tags: { tenant: 'acme' } })]);
      store.appendRuns([{ ...store.queryRuns({})[0], runId: 'new-run', tags: { tenant: 'acme' } } as never]);
      const [old, fresh] = store.queryCalls({});
      expect('tags' in (old ?? {})).toBe(false);
      expect(fresh).toMatchObject({ id: 'new', tags: { tenant: 'acme' } });
      expect(store.queryCalls({ tags: { tenant: 'acme' } }).map((call) => call.id)).toEqual(['new']);
      expect(store.sumTagCost?.('s', 'tenant', 'acme', 0)).toBe(fresh?.costNanos);
      expect(store.queryRuns({ tags: { tenant: 'acme' } }).map((run) => run.runId)).toEqual(['new-run']);
      store.close();
      const check = openDatabase(file);
      expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: '3' });
      check.close();
    });

    it('refuses a file that is not a database with StoreUnavailableError', async () => {
      const file = freshFile();
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, 'this is not a database, just text that is long enough to have a header page'.repeat(20));
      expect(() => open(file)).toThrow(StoreUnavailableError);
    });

    it('brings a schema-1 ledger up to date in place: old records read with no fees, new ones keep theirs', () => {
      const file = freshFile();
      open(file).close();
      const db = openDatabase(file);
      db.exec('ALTER TABLE calls DROP COLUMN fee_nanos; ALTER TABLE calls DROP COLUMN usage_detail');
      db.prepare(
        `INSERT INTO calls (id, v, ts, scope, provider, model, model_used, input_uncached, input_cache_read,
          input_cache_write_5m, input_cache_write_1h, output_text, output_reasoning, cost_nanos, reserved_nanos,
          cost_source, attempt, outcome, duration_ms, stream) VALUES ('old', 1, 1, 's', 'openai', 'gpt-4o', 'gpt-4o',
          10, 0, 0, 0, 5, 0, 75, 100, 'provider', 1, 'ok', 3, 0)`,
      ).run();
      db.prepare("UPDATE meta SET value = '1' WHERE key = 'schema_version'").run();
      db.close();
      const store = open(file);
      store.appendCalls([sampleCallRecord({ id: 'new', feeNanos: 7, usageDetail: '{"fees":{"webSearch":1}}' })]);
      const [old, fresh] = store.queryCalls({});
      expect(old).toMatchObject({ id: 'old', costNanos: 75, feeNanos: 0, usageDetail: null });
      expect(fresh).toMatchObject({ id: 'new', feeNanos: 7, usageDetail: '{"fees":{"webSearch":1}}' });
      store.close();
      const check = openDatabase(file);
      expect(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get()).toEqual({ value: '3' });
      check.close();
    });

    it('refuses a database written by a newer schema', () => {
      const file = freshFile();
      open(file).close();
      const db = openDatabase(file);
      db.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
      db.close();
      expect(() => open(file)).toThrow(/newer TokenFence/);
    });

    it('reports on 100,000 recorded calls in under 2 s, for every grouping', () => {
      const store = open(freshFile());
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
}
