import type { Tags } from '../core/tag-rules.js';
import type { BucketSpec, CallBucket } from './bucket-calls.js';
import type { CallGroup, CallGrouping } from './group-calls.js';
import type { CallRecord, EventRecord, KillOrder, RunRecord } from './ledger-records.js';

/** Filters for reading the ledger back; every field optional, all combined with AND. */
export interface LedgerFilter {
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
  workflow?: string | undefined;
  agent?: string | undefined;
  runId?: string | undefined;
  /** Only records carrying every one of these tags (key = value, combined with AND). */
  tags?: Tags | undefined;
}

/**
 * Where call records, events and run summaries are kept. Every store passes the same conformance suite
 * (`runLedgerStoreConformance` in `tokenfence/testing`). Writes arrive in batches from a LedgerWriter,
 * never on a call's path. Methods are synchronous for the bundled stores (memory, SQLite).
 */
export interface LedgerStore {
  /** `memory`, `sqlite`, … */
  readonly kind: string;
  appendCalls(records: readonly CallRecord[]): void;
  appendEvents(records: readonly EventRecord[]): void;
  appendRuns(records: readonly RunRecord[]): void;
  /** Call records in time order. */
  queryCalls(filter: LedgerFilter): CallRecord[];
  /**
   * Call records one at a time, for an export of any size: a store that can reads them without holding
   * them all (SQLite: one statement stepped through; Redis: the stream read a page at a time; memory: the
   * records it keeps). Time order, except Redis (the order they were written in). Stores without it are
   * exported from `queryCalls`.
   */
  iterateCalls?(filter: LedgerFilter): Iterable<CallRecord> | AsyncIterable<CallRecord>;
  /** Events in time order; `afterTs` for tailing. */
  queryEvents(filter: LedgerFilter): EventRecord[];
  /** Finished runs in time order (by end). */
  queryRuns(filter: LedgerFilter): RunRecord[];
  /**
   * Calls summed per run, workflow, agent, model or (workflow, agent) pair — the heavy part of a report,
   * done where the data is (SQL GROUP BY for SQLite), so 100,000 calls report in well under 2 s.
   * `perRun` splits each group by run too (see `groupCallRecords`).
   */
  groupCalls(filter: LedgerFilter, by: CallGrouping, perRun?: boolean): CallGroup[];
  /** Total cost, nano-USD, of calls in the scope `scope` (or below it) since `since` (epoch ms). */
  sumCost(scope: string, since: number): number;
  /**
   * Total cost, nano-USD, of calls in `scope` (or below it) carrying the tag `key=value`, since `since`:
   * a tag budget's spend in its window. Optional for a store of one's own (the fence then sums
   * `queryCalls`); the bundled stores answer it from an index.
   */
  sumTagCost?(scope: string, key: string, value: string, since: number): number;
  /**
   * Calls summed per time bucket and agent / model / workflow / tag value: the dashboard's spend over time.
   * Optional for a store of one's own (the dashboard then buckets `queryCalls`); the bundled SQLite store
   * answers it with one GROUP BY.
   */
  bucketCalls?(filter: LedgerFilter, spec: BucketSpec): CallBucket[];
  /** Records a kill order; fences with runs in progress on this store act on it within half a second. */
  appendKillOrder(order: Omit<KillOrder, 'seq'>): void;
  /** Kill orders given at or after `since` (epoch ms), in the order they were given. */
  queryKillOrders(since: number): KillOrder[];
  /** For a store read through a local view (Redis): fetches the kill orders other processes gave since. */
  pullKillOrders?(): Promise<void>;
  close(): void;
}
