import type { CallRecord } from './ledger-records.js';

/** What a spend series is split by: agent role, model used, workflow, or the value of one tag key. */
export type SeriesSplit = 'agent' | 'model' | 'workflow' | `tag:${string}`;

/** How `LedgerStore.bucketCalls` cuts time: `bucketMs` wide, edges shifted by `offsetMs` (a time zone). */
export interface BucketSpec {
  bucketMs: number;
  /** Added to epoch ms before flooring, so day buckets start at the viewer's local midnight. */
  offsetMs: number;
  by: SeriesSplit;
}

/** Calls of one (bucket, key) cell, summed; `key` null for calls without the agent / workflow / tag. */
export interface CallBucket {
  /** Start of the bucket, epoch ms. */
  start: number;
  key: string | null;
  calls: number;
  costNanos: number;
}

/** The start (epoch ms) of the bucket holding `ts`. */
export function bucketStart(ts: number, spec: BucketSpec): number {
  return Math.floor((ts + spec.offsetMs) / spec.bucketMs) * spec.bucketMs - spec.offsetMs;
}

function keyOf(record: CallRecord, by: SeriesSplit): string | null {
  if (by === 'agent') return record.agent;
  if (by === 'model') return record.modelUsed;
  if (by === 'workflow') return record.workflow;
  return record.tags?.[by.slice(4)] ?? null;
}

/** The reference bucketing over records in memory: what a SQL store's GROUP BY must equal. */
export function bucketCallRecords(records: readonly CallRecord[], spec: BucketSpec): CallBucket[] {
  const cells = new Map<string, CallBucket>();
  for (const record of records) {
    const start = bucketStart(record.ts, spec);
    const key = keyOf(record, spec.by);
    const id = `${start}\u0000${key ?? '\u0001'}`;
    const cell = cells.get(id);
    if (cell) {
      cell.calls += 1;
      cell.costNanos += record.costNanos;
    } else cells.set(id, { start, key, calls: 1, costNanos: record.costNanos });
  }
  return [...cells.values()].sort((a, b) => a.start - b.start);
}
