import { type Tags, tagsMatch } from '../../core/tag-rules.js';
import { bucketCallRecords } from '../../ledger/bucket-calls.js';
import { groupCallRecords } from '../../ledger/group-calls.js';
import type { CallRecord, EventRecord, KillOrder, RunRecord } from '../../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../../ledger/ledger-store.js';

interface Timed {
  ts: number;
  runId: string | null;
  workflow: string | null;
  agent?: string | null;
  tags?: Tags | undefined;
}

/** Whether a record passes a ledger filter: the one test every store in memory applies. */
export function matchesFilter(record: Timed, filter: LedgerFilter): boolean {
  return (
    (filter.since === undefined || record.ts >= filter.since) &&
    (filter.until === undefined || record.ts < filter.until) &&
    (filter.workflow === undefined || record.workflow === filter.workflow) &&
    (filter.agent === undefined || record.agent === filter.agent) &&
    (filter.runId === undefined || record.runId === filter.runId) &&
    tagsMatch(record.tags, filter.tags)
  );
}

const byTime = (a: { ts: number }, b: { ts: number }) => a.ts - b.ts;

/**
 * Appends, then drops the oldest beyond `max` (a memory store is a window, not an archive). Records are
 * kept as given — the writer never touches a record after handing it over — and copied when read.
 */
function appendBounded<T extends object>(target: T[], records: readonly T[], max: number): void {
  for (const record of records) target.push(record);
  if (target.length > max) target.splice(0, target.length - max);
}

/**
 * Keeps records in this process's memory: the default store. Nothing survives a restart, and only the
 * newest `maxRecords` calls and events (and a tenth as many runs) are kept, so a long-lived process does
 * not grow without bound. Use SQLite for a ledger that lasts.
 */
export function createMemoryLedgerStore(options: { maxRecords?: number } = {}): LedgerStore {
  const max = options.maxRecords ?? 100_000;
  const calls: CallRecord[] = [];
  const killOrders: KillOrder[] = [];
  const callIds = new Set<string>();
  const events: EventRecord[] = [];
  const runs: RunRecord[] = [];
  /** `key=value` → the calls carrying that tag, oldest first: a tag budget's spend without a full scan. */
  const byTag = new Map<string, CallRecord[]>();
  const indexTags = (record: CallRecord, add: boolean) => {
    if (!record.tags) return;
    for (const key of Object.keys(record.tags)) {
      const id = `${key}=${record.tags[key]}`;
      const list = byTag.get(id);
      if (add) {
        if (list) list.push(record);
        else byTag.set(id, [record]);
      } else if (list) {
        // Calls leave in the order they came: the dropped one is the oldest of its lists.
        if (list[0] === record) list.shift();
        if (list.length === 0) byTag.delete(id);
      }
    }
  };
  return {
    kind: 'memory',
    appendCalls(records) {
      // A record replayed with the same id is written once, as SQLite's unique id does.
      const fresh = records.filter((record) => !callIds.has(record.id) && callIds.add(record.id));
      for (const record of fresh) indexTags(record, true);
      const dropped = calls.length + fresh.length - max;
      for (let index = 0; index < dropped; index += 1) {
        indexTags((index < calls.length ? calls[index] : fresh[index - calls.length]) as CallRecord, false);
      }
      appendBounded(calls, fresh, max);
      if (callIds.size > calls.length) {
        callIds.clear();
        for (const record of calls) callIds.add(record.id);
      }
    },
    appendEvents: (records) => appendBounded(events, records, max),
    appendRuns: (records) => appendBounded(runs, records, Math.max(1, Math.floor(max / 10))),
    queryCalls: (filter) =>
      calls
        .filter((record) => matchesFilter(record, filter))
        .sort(byTime)
        .map((record) => ({ ...record })),
    *iterateCalls(filter) {
      // The records are in memory already; only the matching ones are copied, one at a time.
      const matching = calls.filter((record) => matchesFilter(record, filter)).sort(byTime);
      for (const record of matching) yield { ...record };
    },
    queryEvents: (filter) =>
      events
        .filter((record) => matchesFilter(record, filter))
        .sort(byTime)
        .map((record) => ({ ...record })),
    queryRuns: (filter) =>
      runs
        .filter((run) =>
          matchesFilter({ ts: run.endedAt, runId: run.runId, workflow: run.workflow, tags: run.tags }, filter),
        )
        .sort((a, b) => a.endedAt - b.endedAt)
        .map((run) => ({ ...run })),
    groupCalls: (filter, by, perRun) =>
      groupCallRecords(
        calls.filter((record) => matchesFilter(record, filter)),
        by,
        perRun,
      ),
    bucketCalls: (filter, spec) =>
      bucketCallRecords(
        calls.filter((record) => matchesFilter(record, filter)),
        spec,
      ),
    sumCost(scope, since) {
      let total = 0;
      for (const record of calls) {
        if (record.ts >= since && (record.scope === scope || record.scope.startsWith(`${scope}/`)))
          total += record.costNanos;
      }
      return total;
    },
    sumTagCost(scope, key, value, since) {
      let total = 0;
      for (const record of byTag.get(`${key}=${value}`) ?? []) {
        if (record.ts >= since && (record.scope === scope || record.scope.startsWith(`${scope}/`)))
          total += record.costNanos;
      }
      return total;
    },
    appendKillOrder(order) {
      appendBounded(
        killOrders,
        [{ ...order, seq: killOrders.length === 0 ? 1 : (killOrders.at(-1) as KillOrder).seq + 1 }],
        1_000,
      );
    },
    queryKillOrders(since) {
      return killOrders.filter((order) => order.ts >= since).map((order) => ({ ...order }));
    },
    close() {},
  };
}
