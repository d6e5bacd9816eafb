import { randomUUID } from 'node:crypto';
import type { CallRecord, EventRecord, KillOrder, RunRecord } from '../../ledger/ledger-records.js';
import type { LedgerStore } from '../../ledger/ledger-store.js';
import { createMemoryLedgerStore, matchesFilter } from '../memory/memory-ledger-store.js';
import { type RedisConnection, redisScript } from './redis-connection.js';

/**
 * KEYS: stream.  ARGV: seen-key prefix, retentionMs, origin, then (id, JSON) pairs. Appends each record
 * whose id was not appended before, so a batch sent again after a lost reply is written once.
 */
const APPEND = redisScript(`
local added = 0
for i = 4, #ARGV, 2 do
  if redis.call('SET', ARGV[1] .. ARGV[i], 1, 'NX', 'PX', ARGV[2]) then
    redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'o', ARGV[3], 'r', ARGV[i + 1])
    added = added + 1
  end
end
return added
`);

type Kind = 'calls' | 'events' | 'runs' | 'kills';
interface Pending {
  kind: Kind;
  id: string;
  json: string;
  /** Spend (a charged call, a run's cost) or a kill order: lost if never acknowledged. Events and refusals are not. */
  needed: boolean;
}

/** Whether losing a record loses money or a kill: what `shutdown()` must wait for. */
function isNeeded(kind: Kind, record: object): boolean {
  if (kind === 'kills') return true;
  if (kind === 'events') return false;
  return ((record as { costNanos?: number }).costNanos ?? 0) > 0;
}

const READ_BATCH = 5_000;
const MAX_BATCH = 500;

/**
 * The ledger on Redis Streams (one stream each for calls, events, runs and kill orders). Writes are kept
 * in this process's memory at once — so this process reads its own records synchronously, like every
 * store — and appended to Redis in batches, retried until acknowledged (each record has an id, so a
 * repeated batch is written once). `refresh()` reads what other processes wrote; `persisted()` waits
 * for every record written so far to be acknowledged (durable with `appendfsync always`).
 */
export class RedisLedgerStore implements LedgerStore {
  readonly kind = 'redis';
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #retentionMs: number;
  readonly #origin = randomUUID();
  readonly #mirror: LedgerStore;
  readonly #lastRead: Record<Kind, string> = { calls: '0', events: '0', runs: '0', kills: '0' };
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(connection: RedisConnection, options: { prefix: string; retentionMs: number; maxRecords: number }) {
    this.#connection = connection;
    this.#prefix = `${options.prefix}:{ledger}:`;
    this.#retentionMs = options.retentionMs;
    this.#mirror = createMemoryLedgerStore({ maxRecords: options.maxRecords });
    connection.onReady(() => void this.#flush());
  }

  #enqueue(kind: Kind, records: readonly object[], idOf: (record: never) => string): void {
    for (const record of records) {
      this.#pending.push({
        kind,
        id: idOf(record as never),
        json: JSON.stringify(record),
        needed: isNeeded(kind, record),
      });
    }
    void this.#flush();
  }

  appendCalls(records: readonly CallRecord[]): void {
    this.#mirror.appendCalls(records);
    this.#enqueue('calls', records, (record: CallRecord) => record.id);
  }
  appendEvents(records: readonly EventRecord[]): void {
    this.#mirror.appendEvents(records);
    this.#enqueue('events', records, () => randomUUID());
  }
  appendRuns(records: readonly RunRecord[]): void {
    this.#mirror.appendRuns(records);
    this.#enqueue('runs', records, () => randomUUID());
  }
  appendKillOrder(order: Omit<KillOrder, 'seq'>): void {
    this.#mirror.appendKillOrder(order);
    this.#enqueue('kills', [order], () => randomUUID());
  }

  queryCalls = (filter: Parameters<LedgerStore['queryCalls']>[0]) => this.#mirror.queryCalls(filter);
  queryEvents = (filter: Parameters<LedgerStore['queryEvents']>[0]) => this.#mirror.queryEvents(filter);
  queryRuns = (filter: Parameters<LedgerStore['queryRuns']>[0]) => this.#mirror.queryRuns(filter);
  groupCalls = (...args: Parameters<LedgerStore['groupCalls']>) => this.#mirror.groupCalls(...args);
  bucketCalls = (...args: Parameters<NonNullable<LedgerStore['bucketCalls']>>) =>
    this.#mirror.bucketCalls?.(...args) ?? [];
  sumCost = (scope: string, since: number) => this.#mirror.sumCost(scope, since);
  sumTagCost = (scope: string, key: string, value: string, since: number) =>
    this.#mirror.sumTagCost?.(scope, key, value, since) ?? 0;
  queryKillOrders = (since: number) => this.#mirror.queryKillOrders(since);

  /**
   * Every call record on Redis matching `filter`, read from the stream a page at a time (nothing kept):
   * in the order written. The stream is entered an hour before `since`, so a record is found even when
   * the writer's clock ran up to an hour ahead of Redis's (a record's entry is written after it starts).
   */
  async *iterateCalls(filter: Parameters<LedgerStore['queryCalls']>[0]): AsyncIterable<CallRecord> {
    let start = filter.since === undefined ? '-' : String(Math.max(0, filter.since - 3_600_000));
    for (;;) {
      const entries = (await this.#connection.command(() =>
        this.#connection.client.call('XRANGE', `${this.#prefix}calls`, start, '+', 'COUNT', READ_BATCH),
      )) as [string, string[]][];
      for (const [, fields] of entries) {
        const record = JSON.parse(fields[5] as string) as CallRecord;
        if (matchesFilter(record, filter)) yield record;
      }
      if (entries.length < READ_BATCH) return;
      start = `(${(entries.at(-1) as [string, string[]])[0]}`;
    }
  }

  /** Records not yet acknowledged by Redis. */
  get pendingRecords(): number {
    return this.#pending.length;
  }

  /** Appends what is pending, one script per kind and batch; on failure keeps it and tries again later. */
  #flush(): Promise<void> {
    this.#flushing ??= this.#send().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #send(): Promise<void> {
    while (this.#pending.length > 0) {
      const kind = (this.#pending[0] as Pending).kind;
      let end = 1;
      while (end < MAX_BATCH && end < this.#pending.length && (this.#pending[end] as Pending).kind === kind) end += 1;
      const sameKind = this.#pending.slice(0, end);
      const args: string[] = [`${this.#prefix}seen:`, String(this.#retentionMs), this.#origin];
      for (const item of sameKind) args.push(item.id, item.json);
      try {
        await this.#connection.evaluate(APPEND, [`${this.#prefix}${kind}`], args);
      } catch {
        this.#scheduleRetry();
        return;
      }
      this.#pending.splice(0, sameKind.length);
    }
  }

  #scheduleRetry(): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#flush();
    }, 250);
    this.#retryTimer.unref();
  }

  /** Records not yet acknowledged whose loss would lose spend or a kill order (not events or refusals). */
  get pendingNeededRecords(): number {
    let count = 0;
    for (const item of this.#pending) if (item.needed) count += 1;
    return count;
  }

  /**
   * Resolves once every record written so far is acknowledged by Redis (or the timeout passes: false).
   * `neededOnly`: once every record carrying spend or a kill order is (events and refusals may be left).
   */
  async persisted(timeoutMs = 10_000, neededOnly = false): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const left = () => (neededOnly ? this.pendingNeededRecords : this.#pending.length);
    while (left() > 0 && Date.now() < deadline) {
      await this.#flush();
      if (left() > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return left() === 0;
  }

  /** Reads what other processes appended since the last refresh into this store's view. */
  async refresh(): Promise<void> {
    for (const kind of ['calls', 'events', 'runs', 'kills'] as const) await this.#pull(kind);
  }

  /** Reads kill orders other processes gave (a dashboard's kill buttons) since the last read. */
  pullKillOrders(): Promise<void> {
    return this.#pull('kills');
  }

  async #pull(kind: Kind): Promise<void> {
    for (;;) {
      const start = this.#lastRead[kind] === '0' ? '-' : `(${this.#lastRead[kind]}`;
      const entries = (await this.#connection.command(() =>
        this.#connection.client.call('XRANGE', `${this.#prefix}${kind}`, start, '+', 'COUNT', READ_BATCH),
      )) as [string, string[]][];
      if (entries.length === 0) return;
      this.#take(kind, entries);
      this.#lastRead[kind] = (entries.at(-1) as [string, string[]])[0];
      if (entries.length < READ_BATCH) return;
    }
  }

  #take(kind: Kind, entries: [string, string[]][]): void {
    const records: unknown[] = [];
    for (const [, fields] of entries) {
      if (fields[3] === this.#origin) continue;
      records.push(JSON.parse(fields[5] as string));
    }
    if (kind === 'calls') this.#mirror.appendCalls(records as CallRecord[]);
    else if (kind === 'events') this.#mirror.appendEvents(records as EventRecord[]);
    else if (kind === 'runs') this.#mirror.appendRuns(records as RunRecord[]);
    else for (const { seq: _, ...order } of records as KillOrder[]) this.#mirror.appendKillOrder(order);
  }

  close(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
  }
}
