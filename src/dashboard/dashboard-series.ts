import { nanosToUsd } from '../core/money.js';
import { type BucketSpec, bucketCallRecords, type CallBucket, type SeriesSplit } from '../ledger/bucket-calls.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import type { TokenFence } from '../token-fence.js';

/** Bucket widths a series may use, ms: each a width a person reads as a unit (1 min … 1 week). */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const BUCKET_WIDTHS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
] as const;

/** At most this many buckets per series: enough to read a shape, few enough to draw at once. */
const MAX_BUCKETS = 120;
/** Series drawn by name; the rest are summed into "other", so the legend stays readable. */
const MAX_SERIES = 8;

export interface SeriesQuery {
  from: number;
  to: number;
  by: SeriesSplit;
  /** The viewer's `Date.getTimezoneOffset()`, minutes: day buckets then start at their local midnight. */
  timezoneOffsetMinutes: number;
  workflow?: string | undefined;
  tags?: LedgerFilter['tags'];
}

/** The narrowest width that cuts `span` ms into at most MAX_BUCKETS buckets. */
export function bucketWidthFor(span: number): number {
  return BUCKET_WIDTHS.find((width) => span / width <= MAX_BUCKETS) ?? (BUCKET_WIDTHS.at(-1) as number);
}

/**
 * Spend over time between `from` and `to`: one row of buckets per agent (model, workflow, tag value), the
 * largest MAX_SERIES by name and the rest as `other`, plus the fence's budget when the dashboard has it.
 * Summed in the store (one SQL GROUP BY for SQLite); a store without `bucketCalls` is bucketed here.
 */
export function dashboardSeries(store: LedgerStore, fence: TokenFence | undefined, query: SeriesQuery) {
  const bucketMs = bucketWidthFor(Math.max(1, query.to - query.from));
  const spec: BucketSpec = { bucketMs, offsetMs: -query.timezoneOffsetMinutes * MINUTE, by: query.by };
  const filter: LedgerFilter = { since: query.from, until: query.to, workflow: query.workflow, tags: query.tags };
  const cells: CallBucket[] = store.bucketCalls
    ? store.bucketCalls(filter, spec)
    : bucketCallRecords(store.queryCalls(filter), spec);
  const totals = new Map<string, number>();
  for (const cell of cells) totals.set(nameOf(cell.key), (totals.get(nameOf(cell.key)) ?? 0) + cell.costNanos);
  const ranked = [...totals].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const named = new Set(ranked.length > MAX_SERIES ? ranked.slice(0, MAX_SERIES - 1) : ranked);
  const names = ranked.filter((name) => named.has(name));
  if (ranked.length > named.size) names.push(OTHER);
  const first = Math.floor((query.from + spec.offsetMs) / bucketMs) * bucketMs - spec.offsetMs;
  const starts: number[] = [];
  for (let start = first; start < query.to; start += bucketMs) starts.push(start);
  const index = new Map(starts.map((start, position) => [start, position]));
  const series = names.map((name) => ({
    name,
    costNanos: new Array<number>(starts.length).fill(0),
    calls: new Array<number>(starts.length).fill(0),
  }));
  const seriesOf = new Map(series.map((row) => [row.name, row]));
  for (const cell of cells) {
    const position = index.get(cell.start);
    const row = seriesOf.get(named.has(nameOf(cell.key)) ? nameOf(cell.key) : OTHER);
    if (position === undefined || !row) continue;
    (row.costNanos as number[])[position] = ((row.costNanos as number[])[position] ?? 0) + cell.costNanos;
    (row.calls as number[])[position] = ((row.calls as number[])[position] ?? 0) + cell.calls;
  }
  return {
    from: query.from,
    to: query.to,
    by: query.by,
    bucketMs,
    starts,
    series: series.map((row) => ({
      name: row.name,
      totalUsd: nanosToUsd(row.costNanos.reduce((sum, nanos) => sum + nanos, 0)),
      usd: row.costNanos.map(nanosToUsd),
      calls: row.calls,
    })),
    budget: fence && Number.isFinite(fence.budget) ? { label: fence.label, usd: fence.budget } : null,
  };
}

const NONE = '(none)';
const OTHER = '(other)';
const nameOf = (key: string | null) => key ?? NONE;
