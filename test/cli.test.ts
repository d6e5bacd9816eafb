import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { createMemoryLedgerStore, startDashboard } from '../src/index.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../src/testing/index.js';

const folder = mkdtempSync(join(tmpdir(), 'tokenfence-cli-'));
const demoStore = `sqlite:${join(folder, 'demo.db')}`;

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (text) => (out += text), stderr: (text) => (err += text), env });
  return { code, out, err };
}

beforeAll(async () => {
  const { code, out } = await cli(['demo', '--store', demoStore]);
  expect(code).toBe(0);
  expect(out).toContain('No run and no agent went over its budget');
}, 60_000);

describe('tokenfence CLI', () => {
  it.each(['report', 'runs', 'tail', 'prices', 'demo', 'dashboard'])(
    '%s --help prints its options',
    async (command) => {
      const { code, out } = await cli([command, '--help']);
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`Usage: tokenfence ${command}`));
    },
  );

  it('prints the workflow table of the demo runs', async () => {
    const { code, out } = await cli(['report', '--store', demoStore, '--by', 'workflow']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Workflow\s+Runs\s+Agents\s+Avg calls\s+Avg cost\s+P50\s+P95\s+P99\s+Max\s+Anomalies/);
    expect(out).toMatch(/research-report\s+3\s+4/);
  });

  it('reports by agent, model and run in json, csv and md, reading TOKENFENCE_STORE', async () => {
    const env = { TOKENFENCE_STORE: demoStore };
    const agents = JSON.parse((await cli(['report', '--by', 'agent', '--format', 'json'], env)).out) as {
      rows: Array<{ agent: string; share: number }>;
    };
    expect(agents.rows.map((row) => row.agent).sort()).toEqual(['planner', 'researcher', 'reviewer', 'writer']);
    expect(agents.rows.reduce((total, row) => total + row.share, 0)).toBeCloseTo(1, 9);
    expect((await cli(['report', '--by', 'model', '--format', 'csv'], env)).out).toMatch(/^Provider,Model,Calls/);
    expect((await cli(['report', '--by', 'agent', '--format', 'md', '--since', '1h'], env)).out).toMatch(
      /^\| Agent \| Calls \| Cost \| Tokens \| Fees \| Share \|/,
    );
    const runs = await cli(['runs', '--top', '1'], env);
    expect(runs.out).toMatch(/research-report/);
    expect(runs.out).toMatch(/\n {2}researcher/);
  });

  it('neutralises spreadsheet formulas in CSV', async () => {
    const file = join(folder, 'injection.db');
    const store = openSqliteLedgerStore(file);
    store.appendCalls([
      sampleCallRecord({ agent: '=HYPERLINK("http://evil")' }),
      sampleCallRecord({ agent: '+1', id: 'b' }),
    ]);
    store.close();
    const { out } = await cli(['report', '--store', `sqlite:${file}`, '--by', 'agent', '--format', 'csv']);
    expect(out).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(out).toContain("'+1");
    expect(out).not.toMatch(/^=|,=/m);
  });

  it('tails calls and events already in the ledger', async () => {
    const { code, out } = await cli([
      'tail',
      '--store',
      demoStore,
      '--since',
      '1h',
      '--limit',
      '5',
      '--interval',
      '10',
    ]);
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(5);
    expect(out).toMatch(/call {3}research-report\/planner {2}gpt-4o/);
  });

  it('shows the prices it will use, and says so for an unknown model', async () => {
    const known = await cli(['prices', 'gpt-4o']);
    expect(known.code).toBe(0);
    expect(known.out).toContain('input $2.5000');
    expect(known.out).toContain('max output: 16,384 tokens');
    const unknown = await cli(['prices', 'gpt-imaginary-9']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No price is known/);
  });

  it('explains a missing store, a missing database and a corrupt one', async () => {
    expect(await cli(['report'])).toMatchObject({ code: 2, err: expect.stringMatching(/no store/) });
    expect(await cli(['report', '--store', `sqlite:${join(folder, 'absent.db')}`])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/no ledger at/),
    });
    const corrupt = join(folder, 'corrupt.db');
    writeFileSync(corrupt, 'not a database '.repeat(100));
    expect(await cli(['report', '--store', `sqlite:${corrupt}`])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/unavailable/),
    });
    expect(await cli(['report', '--by', 'weekday', '--store', demoStore])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--by must be one of/),
    });
    expect(await cli(['report', '--nope'])).toMatchObject({ code: 2 });
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command/) });
  });

  it('serves the dashboard over the demo ledger until interrupted; kills become orders in the ledger', async () => {
    const controller = new AbortController();
    let out = '';
    const finished = main(['dashboard', '--store', demoStore], {
      stdout: (text) => (out += text),
      stderr: () => {},
      env: {},
      signal: controller.signal,
    });
    await expect.poll(() => out).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}/);
    const url = new URL(/http\S+/.exec(out)?.[0] ?? '');
    const summary = (await (
      await fetch(`${url.origin}/api/summary?range=all&token=${url.searchParams.get('token')}`)
    ).json()) as { workflows: Array<{ workflow: string }> };
    expect(summary).toMatchObject({ budgets: [], activeRuns: [] });
    expect(summary.workflows.map((row) => row.workflow)).toContain('research-report');
    const kill = await fetch(`${url.origin}/api/kill`, {
      method: 'POST',
      headers: { 'x-tokenfence-token': url.searchParams.get('token') ?? '', 'content-type': 'application/json' },
      body: '{"workflow":"research-report"}',
    });
    expect(kill.status).toBe(202);
    expect(await kill.json()).toEqual({ queued: 1 });
    controller.abort();
    expect(await finished).toBe(0);
  });

  it('refuses a bad dashboard port, a port in use and a memory ledger, with a message and no stack', async () => {
    const { code, err } = await cli(['dashboard', '--store', demoStore, '--port', '70000']);
    expect(code).not.toBe(0);
    expect(err).toContain('--port');
    const taken = await startDashboard({ store: createMemoryLedgerStore() });
    const inUse = await cli(['dashboard', '--store', demoStore, '--port', String(taken.port)]);
    await taken.close();
    expect(inUse.code).not.toBe(0);
    expect(inUse.err).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    expect(inUse.err).not.toMatch(/\n\s+at /);
    const memory = await cli(['dashboard', '--store', 'memory']);
    expect(memory.code).not.toBe(0);
    expect(memory.err).toContain('sqlite:<path>');
  });

  it('runs as the package bin', () => {
    const bin = new URL('../dist/cli/bin.mjs', import.meta.url).pathname;
    expect(execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })).toMatch(
      /Usage: tokenfence <command>/,
    );
  });
});
