/**
 * Ledger throughput: records per second through the batching writer into SQLite (what a busy service
 * writes), and a plain batch insert for scale.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerWriter } from '../src/ledger/ledger-writer.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../src/testing/index.js';

export interface LedgerThroughput {
  records: number;
  writerRecordsPerSecond: number;
  batchInsertRowsPerSecond: number;
}

export const LEDGER_WRITES_AIM = 50_000;

/** A fresh SQLite ledger file in a temporary folder. */
export function temporaryLedgerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tokenfence-bench-')), 'ledger.db');
}

export async function measureLedgerThroughput(records = 200_000): Promise<LedgerThroughput> {
  const samples = Array.from({ length: records }, (_, index) => sampleCallRecord({ id: `b${index}`, ts: index }));
  const writer = new LedgerWriter(openSqliteLedgerStore(temporaryLedgerPath()), {
    flushIntervalMs: 50,
    maxBatch: 10_000,
  });
  const started = performance.now();
  for (const record of samples) writer.call(record);
  writer.flush();
  const writerSeconds = (performance.now() - started) / 1_000;
  writer.close();

  const store = openSqliteLedgerStore(temporaryLedgerPath());
  const batch = samples.slice(0, 10_000);
  const batchStarted = performance.now();
  store.appendCalls(batch);
  const batchSeconds = (performance.now() - batchStarted) / 1_000;
  store.close();
  return {
    records,
    writerRecordsPerSecond: records / writerSeconds,
    batchInsertRowsPerSecond: batch.length / batchSeconds,
  };
}
