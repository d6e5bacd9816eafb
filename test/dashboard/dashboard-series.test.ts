import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSeries } from '../../src/dashboard/dashboard-series.js';
import {
  createMemoryLedgerStore,
  type Dashboard,
  type LedgerStore,
  openSqliteLedgerStore,
  startDashboard,
} from '../../src/index.js';
import { bucketCallRecords } from '../../src/ledger/bucket-calls.js';
import { fillSyntheticLedger, SYNTHETIC_AGENTS } from '../support/synthetic-ledger.js';

const HOUR = 3_600_000;
// History ends at the last whole hour (so buckets are plain arithmetic) and before now (so "all" holds it).
const END = Math.floor(Date.now() / HOUR) * HOUR;

describe('spend over time (/api/series) and paged runs (/api/runs)', () => {
  let sqlite: LedgerStore;
  let memory: LedgerStore;
  let dashboard: Dashboard;
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${dashboard.port}${path}`, {
      headers: { 'x-tokenfence-token': dashboard.token },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sqlite = openSqliteLedgerStore(join(mkdtempSync(join(tmpdir(), 'tokenfence-series-')), 'ledger.db'));
    memory = createMemoryLedgerStore();
    for (const store of [sqlite, memory]) fillSyntheticLedger(store, { calls: 4_000, runs: 200, days: 3, end: END });
    dashboard = await startDashboard({ store: sqlite });
  });
  afterAll(async () => {
    await dashboard.close();
    sqlite.close();
  });

  it('buckets in SQL exactly as the reference bucketing does, for every split and a time-zone shift', () => {
    for (const by of ['agent', 'model', 'workflow', 'tag:tenant', 'tag:missing'] as const)
      for (const offsetMs of [0, 5.5 * HOUR, -8 * HOUR]) {
        const spec = { bucketMs: HOUR, offsetMs, by };
        const filter = { since: END - 2 * 86_400_000, until: END };
        const expected = bucketCallRecords(sqlite.queryCalls(filter), spec);
        const sorted = (cells: typeof expected) =>
          [...cells].sort((a, b) => a.start - b.start || String(a.key).localeCompare(String(b.key)));
        expect(sorted(sqlite.bucketCalls?.(filter, spec) ?? [])).toEqual(sorted(expected));
        expect(sorted(memory.bucketCalls?.(filter, spec) ?? [])).toEqual(sorted(expected));
      }
  });

  it('cuts three days into 120 or fewer buckets on hour boundaries, one series per agent, totals exact', () => {
    const from = END - 3 * 86_400_000;
    const series = dashboardSeries(sqlite, undefined, { from, to: END, by: 'agent', timezoneOffsetMinutes: 0 });
    // 72 h / 120 = 36 min → the first width that fits is 1 h: 72 buckets.
    expect(series.bucketMs).toBe(HOUR);
    expect(series.starts).toHaveLength(72);
    expect(series.starts.every((start) => start % HOUR === 0)).toBe(true);
    expect(series.series.map((row) => row.name).sort()).toEqual([...SYNTHETIC_AGENTS].sort());
    const all = sqlite.groupCalls({ since: from, until: END }, 'agent');
    for (const group of all) {
      const row = series.series.find((candidate) => candidate.name === group.agent);
      expect(Math.round((row?.usd.reduce((sum, usd) => sum + usd, 0) ?? 0) * 1e9)).toBe(group.costNanos);
      expect(row?.calls.reduce((sum, calls) => sum + calls, 0)).toBe(group.calls);
    }
    // A store without bucketCalls gets the same answer from queryCalls.
    const { bucketCalls: _omitted, ...plain } = memory;
    expect(
      dashboardSeries(plain as LedgerStore, undefined, { from, to: END, by: 'agent', timezoneOffsetMinutes: 0 }),
    ).toEqual(dashboardSeries(memory, undefined, { from, to: END, by: 'agent', timezoneOffsetMinutes: 0 }));
  });

  it('starts day buckets at the viewer’s local midnight', () => {
    const from = END - 100 * 86_400_000;
    // UTC−5 (getTimezoneOffset() = 300): local midnight is 05:00 UTC.
    const series = dashboardSeries(sqlite, undefined, { from, to: END, by: 'model', timezoneOffsetMinutes: 300 });
    expect(series.bucketMs).toBe(86_400_000);
    expect(series.starts.every((start) => new Date(start).getUTCHours() === 5)).toBe(true);
  });

  it('answers /api/series with zoomed spans and splits, and refuses bad parameters', async () => {
    const zoomed = await get(`/api/series?from=${END - 2 * HOUR}&to=${END}&by=tag:tenant&tz=0`);
    expect(zoomed.status).toBe(200);
    expect(zoomed.body).toMatchObject({ bucketMs: 60_000, from: END - 2 * HOUR, to: END, by: 'tag:tenant' });
    expect((zoomed.body.series as Array<{ name: string }>).map((row) => row.name).sort()).toEqual(['acme', 'globex']);
    const all = await get('/api/series?range=all&by=workflow');
    expect(all.status).toBe(200);
    // "all" begins at the ledger's first call, not 1970.
    expect(all.body.from).toBe(END - 3 * 86_400_000);
    expect((await get('/api/extent')).body).toEqual({ firstTs: END - 3 * 86_400_000 });
    for (const bad of ['by=prompt', 'by=tag:%20', 'tz=9999', 'from=5&to=4', 'range=forever', 'tag=nope'])
      expect((await get(`/api/series?${bad}`)).status).toBe(400);
  });

  it('pages through every run with the total, in the order asked', async () => {
    const first = await get(`/api/runs?range=all&limit=50&sort=costUsd&order=desc`);
    expect(first.body.total).toBe(200);
    const rows = first.body.rows as Array<{ runId: string; costUsd: number }>;
    expect(rows).toHaveLength(50);
    expect(rows.map((row) => row.costUsd)).toEqual([...rows.map((row) => row.costUsd)].sort((a, b) => b - a));
    const last = await get(`/api/runs?range=all&offset=190&limit=50&sort=startedAt&order=asc`);
    expect((last.body.rows as unknown[]).length).toBe(10);
    expect((last.body.rows as Array<{ runId: string }>).at(-1)?.runId).toBe('syn-00199');
    for (const bad of ['offset=-1', 'limit=0', 'limit=10001', 'sort=prompt'])
      expect((await get(`/api/runs?${bad}`)).status).toBe(400);
  });
});
