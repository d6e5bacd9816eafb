/**
 * Ledger throughput per SQLite driver: records per second through the batching writer into SQLite (what
 * a busy service writes), and a plain batch insert for scale.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSqliteDriverUnavailableError } from '../src/errors/sqlite-driver-unavailable-error.js';
import { LedgerWriter } from '../src/ledger/ledger-writer.js';
import type { SqliteDriverName } from '../src/stores/sqlite/sqlite-connection.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../src/testing/index.js';

export interface LedgerThroughput {
  driver: SqliteDriverName;
  records: number;
  writerRecordsPerSecond: number;
  /** The same per second of this process's CPU time: steadier than wall time on a shared, busy machine. */
  writerRecordsPerCpuSecond: number;
  batchInsertRowsPerSecond: number;
}

export const LEDGER_WRITES_AIM = 50_000;

/** A fresh SQLite ledger file in a temporary folder. */
export function temporaryLedgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tokenfence-bench-')), 'ledger.db');
}

/** The SQLite drivers that load in this Node, and why the others do not. */
export function ledgerDrivers(): { loading: SqliteDriverName[]; skipped: Array<{ driver: string; reason: string }> } {
  const loading: SqliteDriverName[] = [];
  const skipped: Array<{ driver: string; reason: string }> = [];
  for (const driver of ['node:sqlite', 'better-sqlite3'] as const) {
    try {
      openSqliteLedgerStore(temporaryLedgerPath(), { driver }).close();
      loading.push(driver);
    } catch (error) {
      if (!isSqliteDriverUnavailableError(error)) throw error;
      skipped.push({ driver, reason: error.message });
    }
  }
  return { loading, skipped };
}

export async function measureLedgerThroughput(driver: SqliteDriverName, records = 200_000): Promise<LedgerThroughput> {
  const samples = Array.from({ length: records }, (_, index) => sampleCallRecord({ id: `b${index}`, ts: index }));
  const writer = new LedgerWriter(openSqliteLedgerStore(temporaryLedgerPath(), { driver }), {
    flushIntervalMs: 50,
    maxBatch: 10_000,
  });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (const record of samples) writer.call(record);
  writer.flush();
  const writerSeconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuStarted);
  writer.close();

  const store = openSqliteLedgerStore(temporaryLedgerPath(), { driver });
  const batch = samples.slice(0, 10_000);
  const batchStarted = performance.now();
  store.appendCalls(batch);
  const batchSeconds = (performance.now() - batchStarted) / 1_000;
  store.close();
  return {
    driver,
    records,
    writerRecordsPerSecond: records / writerSeconds,
    writerRecordsPerCpuSecond: records / ((cpu.user + cpu.system) / 1e6),
    batchInsertRowsPerSecond: batch.length / batchSeconds,
  };
}
