import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../src/testing/index.js';

const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-cli-tags-')), 'ledger.db');
const store = `sqlite:${file}`;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (text) => (out += text), stderr: (text) => (err += text), env: {} });
  return { code, out, err };
}

const calls = [
  sampleCallRecord({
    id: 'a1',
    runId: 'r1',
    agent: 'planner',
    costNanos: 1_000,
    tags: { tenant: 'acme', feature: 'search' },
  }),
  sampleCallRecord({
    id: 'a2',
    runId: 'r1',
    agent: 'writer',
    costNanos: 2_000,
    tags: { tenant: 'acme', feature: 'chat' },
  }),
  sampleCallRecord({
    id: 'a3',
    runId: 'r2',
    agent: 'writer',
    costNanos: 4_000,
    tags: { tenant: 'acme', feature: 'search' },
  }),
  sampleCallRecord({ id: 'g1', runId: 'r3', agent: 'writer', costNanos: 8_000, tags: { tenant: 'globex' } }),
  sampleCallRecord({ id: 'n1', runId: null, agent: null, costNanos: 16_000 }),
];

beforeAll(() => {
  const ledger = openSqliteLedgerStore(file);
  ledger.appendCalls(calls);
  ledger.close();
});

describe('tokenfence report by and filtered by tags', () => {
  it('--by tag:tenant gives one row per value, with runs, calls, cost and share', async () => {
    const { code, out } = await cli(['report', '--store', store, '--by', 'tag:tenant', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      by: string;
      key: string;
      totalNanos: number;
      rows: Array<Record<string, unknown>>;
    };
    expect(report).toMatchObject({ by: 'tag', key: 'tenant', totalNanos: 31_000 });
    expect(report.rows.map(({ value, runs, calls, costNanos }) => ({ value, runs, calls, costNanos }))).toEqual([
      { value: '(none)', runs: 0, calls: 1, costNanos: 16_000 },
      { value: 'globex', runs: 1, calls: 1, costNanos: 8_000 },
      { value: 'acme', runs: 2, calls: 3, costNanos: 7_000 },
    ]);
    expect(report.rows[2]).toMatchObject({ costUsd: 0.000007, p50Nanos: 3_000, maxNanos: 4_000 });
    const table = await cli(['report', '--store', store, '--by', 'tag:tenant']);
    expect(table.out).toMatch(/^Tag tenant\s+Runs\s+Calls\s+Sent\s+Blocked\s+Killed\s+Cost\s+Share/);
  });

  it('--tag filters are combined with AND, in report and runs', async () => {
    const both = await cli([
      'report',
      '--store',
      store,
      '--by',
      'agent',
      '--tag',
      'tenant=acme',
      '--tag',
      'feature=search',
      '--format',
      'json',
    ]);
    expect(JSON.parse(both.out)).toMatchObject({ totalNanos: 5_000 });
    const runs = await cli(['runs', '--store', store, '--tag', 'tenant=globex', '--format', 'json']);
    expect((JSON.parse(runs.out) as { rows: Array<{ runId: string }> }).rows.map((row) => row.runId)).toEqual(['r3']);
  });

  it.each([
    [['--by', 'tag:'], /--by tag:<key>/],
    [['--by', 'tag:bad-key'], /--by tag:<key>/],
    [['--tag', 'tenant'], /--tag expects key=value/],
    [['--tag', 'tenant=a b'], /--tag expects key=value/],
    [['--tag', 'tenant=a', '--tag', 'tenant=b'], /twice/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const { code, err } = await cli(['report', '--store', store, ...args]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
