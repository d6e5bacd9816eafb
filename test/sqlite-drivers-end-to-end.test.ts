// Budget windows, the CLI and the dashboard on a SQLite ledger, once per SQLite driver that loads here
// (node:sqlite on Node ≥ 22.13, better-sqlite3 where its add-on is built for this Node).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { BudgetExceededError, TokenFence } from '../src/index.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import type { MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';
import { sqliteDrivers, titleFor } from './support/sqlite-drivers.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// 1,000 output tokens of gpt-4o: $0.01, plus 10 input tokens at $2.50 per 1M.
const CALL = { model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 } as const;
const CALL_USD = (10 * 2_500 + 1_000 * 10_000) / 1e9;

async function cli(args: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (text) => (out += text), stderr: (text) => (err += text), env });
  return { code, out, err };
}

for (const entry of sqliteDrivers) {
  const { driver } = entry;
  describe.skipIf(entry.skipReason !== undefined)(titleFor(entry, `a SQLite ledger on ${driver}`), () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-e2e-')), 'ledger.db');
    const env = { TOKENFENCE_SQLITE_DRIVER: driver };

    it('keeps a daily budget’s spend across a restart, and starts afresh the next UTC day', async () => {
      mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
      let now = Date.UTC(2026, 10, 30, 23, 0);
      // The database object itself is the store: the fence keeps its ledger in it.
      const options = () => ({
        label: 'tenant-a',
        store: entry.openDatabase(file),
        budget: { usd: 0.025, per: 'day' as const },
        _internal: { now: () => now },
      });
      const first = new TokenFence(options());
      expect((first.store as { driver?: string }).driver).toBe(driver);
      await first.run({ workflow: 'nightly', runId: 'run-a' }, () =>
        first.guard(openAIClient(mock), { onLimit: 'throw' }).chat.completions.create(CALL),
      );
      await first.close();

      const restarted = new TokenFence(options());
      expect(restarted.spent).toBeCloseTo(CALL_USD, 12);
      const client = restarted.guard(openAIClient(mock), { onLimit: 'throw' });
      await client.chat.completions.create(CALL);
      await expect(client.chat.completions.create(CALL)).rejects.toBeInstanceOf(BudgetExceededError);
      now = Date.UTC(2026, 11, 1, 0, 0, 1);
      expect(restarted.spent).toBe(0);
      await client.chat.completions.create(CALL);
      await restarted.close();
    });

    it('tokenfence report, runs and tail read it with this driver', async () => {
      const store = ['--store', `sqlite:${file}`];
      const agents = JSON.parse((await cli(['report', ...store, '--by', 'workflow', '--format', 'json'], env)).out);
      // The restarted fence's calls outside any run are the `(none)` row.
      expect(agents.rows).toMatchObject([
        { workflow: '(none)', runs: 0 },
        { workflow: 'nightly', runs: 1 },
      ]);
      expect((await cli(['runs', ...store], env)).out).toMatch(/nightly/);
      const tail = await cli(['tail', ...store, '--since', '365d', '--limit', '2', '--interval', '10'], env);
      expect(tail.code).toBe(0);
      expect(tail.out).toMatch(/ {2}call {3}nightly {2}gpt-4o {2}in 10 out 1000 {2}\$0\.010025/);
      expect(tail.err).toBe('');
    });

    it('tokenfence dashboard serves it, and its kill button writes an order into it', async () => {
      const controller = new AbortController();
      let out = '';
      const finished = main(['dashboard', '--store', `sqlite:${file}`], {
        stdout: (text) => (out += text),
        stderr: () => {},
        env,
        signal: controller.signal,
      });
      await expect.poll(() => out).toMatch(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}/);
      const url = new URL(/http\S+/.exec(out)?.[0] ?? '');
      const token = url.searchParams.get('token') ?? '';
      const summary = (await (await fetch(`${url.origin}/api/summary?range=all&token=${token}`)).json()) as {
        workflows: Array<{ workflow: string }>;
      };
      expect(summary.workflows.map((row) => row.workflow)).toEqual(['(none)', 'nightly']);
      const kill = await fetch(`${url.origin}/api/kill`, {
        method: 'POST',
        headers: { 'x-tokenfence-token': token, 'content-type': 'application/json' },
        body: '{"workflow":"nightly"}',
      });
      expect(kill.status).toBe(202);
      controller.abort();
      expect(await finished).toBe(0);
      const ledger = openSqliteLedgerStore(file, { driver });
      expect(ledger.queryKillOrders(0)).toMatchObject([{ workflow: 'nightly' }]);
      ledger.close();
    });
  });
}

describe('TOKENFENCE_SQLITE_DRIVER', () => {
  it('refuses a driver name it does not know, before opening anything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-e2e-')), 'ledger.db');
    openSqliteLedgerStore(file).close();
    const { code, err } = await cli(['report', '--store', `sqlite:${file}`], { TOKENFENCE_SQLITE_DRIVER: 'sqlite3' });
    expect(code).toBe(2);
    expect(err).toMatch(/TOKENFENCE_SQLITE_DRIVER must be node:sqlite or better-sqlite3/);
  });
});
