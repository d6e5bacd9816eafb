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
    expect(out).toMatch(
      /^Workflow\s+Runs\s+Calls\s+Sent\s+Blocked\s+Killed\s+Cost\s+Share\s+Avg\/run\s+P50\s+P95\s+P99\s+Max\s+Agents\s+Avg calls\s+Anomalies/,
    );
    expect(out).toMatch(/research-report\s+3\s+\d+/);
    expect(out.trim().split('\n').at(-1)).toMatch(/^Total\s+3\s+/);
  });

  it('reports by agent, model and run in json, csv and md, reading TOKENFENCE_STORE', async () => {
    const env = { TOKENFENCE_STORE: demoStore };
    const agents = JSON.parse((await cli(['report', '--by', 'agent', '--format', 'json'], env)).out) as {
      rows: Array<{ agent: string; share: number }>;
    };
    expect(agents.rows.map((row) => row.agent).sort()).toEqual(['planner', 'researcher', 'reviewer', 'writer']);
    expect(agents.rows.reduce((total, row) => total + row.share, 0)).toBeCloseTo(1, 9);
    expect((await cli(['report', '--by', 'model', '--format', 'csv'], env)).out).toMatch(
      /^Provider,Model,Runs,Calls,Sent,Blocked,Killed,Cost,Share,Avg\/run,P50,P95,P99,Max,Input tokens,Output tokens\n/,
    );
    expect((await cli(['report', '--by', 'agent', '--format', 'md', '--since', '1h'], env)).out).toMatch(
      /^\| Agent \| Runs \| Calls \| Sent \| Blocked \| Killed \| Cost \| Share \| Avg\/run \| P50 \| P95 \| P99 \| Max \| Tokens \| Fees \|/,
    );
    const runs = await cli(['runs', '--top', '1'], env);
    expect(runs.out).toMatch(/research-report/);
    expect(runs.out).toMatch(/\n {2}researcher/);
  });

  it('counts calls as sent / blocked / killed the same way in the demo, runs, report and the JSON total', async () => {
    const env = { TOKENFENCE_STORE: demoStore };
    const runs = JSON.parse((await cli(['runs', '--format', 'json'], env)).out) as {
      rows: Array<{ runId: string; calls: number; sentCalls: number; blockedCalls: number; killedCalls: number }>;
      total: { calls: number; sentCalls: number; blockedCalls: number; killedCalls: number };
    };
    const report = JSON.parse((await cli(['report', '--by', 'agent', '--format', 'json'], env)).out) as {
      total: typeof runs.total;
    };
    expect(report.total).toMatchObject({
      calls: runs.total.calls,
      sentCalls: runs.total.sentCalls,
      blockedCalls: runs.total.blockedCalls,
      killedCalls: runs.total.killedCalls,
    });
    for (const row of runs.rows) expect(row.sentCalls + row.blockedCalls + row.killedCalls).toBe(row.calls);
    // The demo blocks calls in its tight-budget run and kills its runaway run: all three kinds occur.
    expect(runs.total.blockedCalls).toBeGreaterThan(0);
    expect(runs.total.killedCalls).toBeGreaterThan(0);
    const demo = await cli(['demo', '--store', `sqlite:${join(folder, 'demo-again.db')}`]);
    const said = [...demo.out.matchAll(/in (\d+) calls \((\d+) sent, (\d+) blocked, (\d+) killed\)/g)];
    expect(said).toHaveLength(3);
    for (const [, calls, sent, blocked, killed] of said) {
      expect(Number(sent) + Number(blocked) + Number(killed)).toBe(Number(calls));
    }
    const again = JSON.parse(
      (await cli(['runs', '--format', 'json', '--store', `sqlite:${join(folder, 'demo-again.db')}`])).out,
    ) as typeof runs;
    expect(said.map(([, calls]) => Number(calls)).sort()).toEqual(again.rows.map((row) => row.calls).sort());
  }, 60_000);

  it('exits 0 with a one-line note on stderr when a filter matches nothing', async () => {
    for (const args of [
      ['report', '--workflow', 'no-such-workflow'],
      ['report', '--by', 'agent', '--since', '2000-01-01', '--until', '2000-01-02'],
      ['runs', '--workflow', 'no-such-workflow', '--format', 'json'],
    ]) {
      const { code, out, err } = await cli([...args, '--store', demoStore]);
      expect(code, args.join(' ')).toBe(0);
      expect(err).toMatch(/^tokenfence \w+: no \w+ match --\S+ \S+.*\n$/);
      expect(err.trim().split('\n')).toHaveLength(1);
      if (args.includes('json')) expect(JSON.parse(out).rows).toEqual([]);
    }
    expect((await cli(['report', '--store', demoStore])).err).toBe('');
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
    let ndjson = '';
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 20_000);
    await main(
      ['tail', '--store', demoStore, '--since', '1h', '--limit', '25', '--interval', '10', '--format', 'json'],
      { stdout: (text) => (ndjson += text), stderr: () => {}, env: {}, signal: stop.signal },
    );
    clearTimeout(timer);
    const json = { out: ndjson };
    const lines = json.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(25);
    const call = lines.find((line) => line.kind === 'call');
    expect(call).toMatchObject({ kind: 'call', workflow: 'research-report', costNanos: expect.any(Number) });
    expect(call.costUsd).toBe(call.costNanos / 1e9);
    const event = lines.find((line) => line.kind === 'event');
    expect(event).toMatchObject({ kind: 'event', type: expect.any(String), data: expect.any(Object) });
  }, 60_000);

  it('shows the prices it will use, and says so for an unknown model', async () => {
    const known = await cli(['prices', 'gpt-4o']);
    expect(known.code).toBe(0);
    expect(known.out).toMatch(/standard\s+\$2\.5000\s+\$1\.2500\s+\$2\.5000\s+\$2\.5000\s+\$10\.0000/);
    expect(known.out).toContain('max output: 16,384 tokens');
    const unknown = await cli(['prices', 'gpt-imaginary-9']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No price is known/);
    expect((await cli(['prices', 'gpt-4o', '--format', 'xml'])).code).toBe(2);
  });

  it('shows every rate: tokens, long-context tiers, service tiers with their rates, modalities and fees', async () => {
    // Claude Sonnet 4.5 list prices: $3 in, $0.30 cache read, $3.75 5m write, $6 1h write, $15 out; > 200k prompt
    // tokens $6 / $22.50; web search $10 per 1,000 (https://platform.claude.com/docs/en/about-claude/pricing).
    const { code, out } = await cli(['prices', '--provider', 'anthropic', 'claude-sonnet-4-5']);
    expect(code).toBe(0);
    expect(out).toMatch(/input\s+cache read\s+cache write 5m\s+cache write 1h\s+output/);
    expect(out).toMatch(/standard\s+\$3\.0000\s+\$0\.3000\s+\$3\.7500\s+\$6\.0000\s+\$15\.0000/);
    expect(out).toMatch(/> 200,000 prompt tokens\s+\$6\.0000\s+\$0\.6000\s+\$7\.5000\s+\$12\.0000\s+\$22\.5000/);
    // Batch halves every token rate: 3 / 2, 15 / 2.
    expect(out).toMatch(/batch \(×0\.5 in, ×0\.5 out\)\s+\$1\.5000\s+\$0\.1500\s+\$1\.8750\s+\$3\.0000\s+\$7\.5000/);
    expect(out).toMatch(/webSearch\s+\$0\.010000\s+search\s+https:\/\/platform\.claude\.com/);
    // Gemini 2.5 Flash prices audio input apart: $1 per 1M (text $0.30), cache reads $0.10.
    const gemini = await cli(['prices', '--provider', 'google', 'gemini-2.5-flash']);
    expect(gemini.out).toMatch(/audio input\s+audio cache read\n\s+standard\s+\$1\.0000\s+\$0\.1000/);
    expect(gemini.out).toMatch(/googleSearch\s+\$0\.\d+\s+grounded prompt/);

    const json = JSON.parse(
      (await cli(['prices', '--provider', 'anthropic', 'claude-sonnet-4-5', '--format', 'json'])).out,
    );
    expect(json).toMatchObject({
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      standard: {
        inputUsdPerMTok: 3,
        cacheReadUsdPerMTok: 0.3,
        cacheWrite5mUsdPerMTok: 3.75,
        cacheWrite1hUsdPerMTok: 6,
        outputUsdPerMTok: 15,
      },
      longContextTiers: [{ aboveInputTokens: 200_000, inputUsdPerMTok: 6, outputUsdPerMTok: 22.5 }],
      usdPerRequest: 0,
      vendorListPrice: false,
    });
    expect(json.perUseFees).toContainEqual(
      expect.objectContaining({ fee: 'webSearch', usdPerUnit: 0.01, unit: 'search' }),
    );
    expect(json.serviceTiers).toContainEqual({
      tier: 'batch',
      inputScale: 0.5,
      outputScale: 0.5,
      inputUsdPerMTok: 1.5,
      cacheReadUsdPerMTok: 0.15,
      cacheWrite5mUsdPerMTok: 1.875,
      cacheWrite1hUsdPerMTok: 3,
      outputUsdPerMTok: 7.5,
    });
    // Every number's key names its unit.
    const keys = JSON.stringify(json).match(/"\w+":\s*[\d.]/g) ?? [];
    for (const key of keys)
      expect(key).toMatch(/UsdPerMTok|usdPerUnit|usdPerRequest|Scale|aboveInputTokens|maxOutputTokens/);
    const geminiJson = JSON.parse(
      (await cli(['prices', '--provider', 'google', 'gemini-2.5-flash', '--format', 'json'])).out,
    );
    expect(geminiJson.standard).toMatchObject({ inputAudioUsdPerMTok: 1, inputAudioCacheReadUsdPerMTok: 0.1 });
  });

  it('prices aggregator ids at the aggregator, else at the vendor list price, and free models at $0', async () => {
    const router = await cli(['prices', '--provider', 'openrouter', 'openai/gpt-4o']);
    expect(router.code).toBe(0);
    expect(router.out).toMatch(/^openai\/gpt-4o → openai\/gpt-4o at openrouter\n/);
    expect(router.out).toMatch(/standard\s+\$2\.5000\s+.*\$10\.0000/);
    const json = JSON.parse(
      (await cli(['prices', '--provider', 'openrouter', 'openai/gpt-4o', '--format', 'json'])).out,
    );
    expect(json).toMatchObject({ provider: 'openrouter', model: 'openai/gpt-4o', vendorListPrice: false });

    const gateway = await cli(['prices', '--provider', 'vercel', 'anthropic/claude-sonnet-4.5']);
    expect(gateway.out).toContain("→ claude-sonnet-4-5 at anthropic (no entry at vercel: the vendor's list price)");

    const free = await cli(['prices', '--provider', 'openrouter', 'google/gemini-2.0-flash-exp:free']);
    expect(free.out).toMatch(/standard\s+\$0\.0000\s+\$0\.0000\s+\$0\.0000\s+\$0\.0000\s+\$0\.0000/);
    expect(free.out).toContain('free: the price data lists no price for it');
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
