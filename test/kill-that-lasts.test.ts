import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KillSwitchError, redisStore, StoreUnavailableError, TokenFence } from '../src/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';
import { type RedisServerHandle, startRedisServer } from './support/redis-server.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.dispose());

const BIN = join(process.cwd(), 'dist/cli/bin.mjs');

/** Runs a short-lived node process to its end: its exit code and output. */
function runProcess(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const cli = (...args: string[]) => runProcess([BIN, ...args]);

/** A worker in this process: a fence on `store`, calling until a call is refused. */
function worker(fence: TokenFence) {
  const openai = fence.guard(openAIClient(mock), { onLimit: 'throw' });
  let sent = 0;
  const call = () => openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: chatMessages });
  const loop = (async () => {
    for (;;) {
      await call();
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })().catch((error: unknown) => error);
  return { loop, call, sent: () => sent };
}

describe('a kill that lasts (Redis): given by a short-lived process, obeyed by a worker in another', () => {
  it('tokenfence kill --scope: the CLI exits 0 once Redis has it; the worker refuses its next call; revive lifts it', async () => {
    const tree = `crawl-${randomUUID()}`;
    const fence = new TokenFence({ store: redisStore(redis.url), label: tree, budget: 5 });
    const running = worker(fence);
    await expect.poll(running.sent).toBeGreaterThan(2);

    const killedAt = Date.now();
    const result = await cli('kill', '--store', redis.url, '--scope', tree, '--reason', 'runaway crawl');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`killed scope ${tree}`);
    const refusal = await running.loop;
    expect(refusal).toBeInstanceOf(KillSwitchError);
    expect((refusal as KillSwitchError).message).toContain('runaway crawl');
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    const requestsAfterKill = mock.requests.length;
    await expect(running.call()).rejects.toBeInstanceOf(KillSwitchError);
    expect(mock.requests.length).toBe(requestsAfterKill); // refused before anything was sent

    // A process started after the kill is refused too: the flag lives in Redis.
    const later = new TokenFence({ store: redisStore(redis.url), label: tree, budget: 5 });
    await expect(worker(later).call()).rejects.toBeInstanceOf(KillSwitchError);

    const revived = await cli('revive', '--store', redis.url, '--scope', tree, '--format', 'json');
    expect(revived.code).toBe(0);
    expect(JSON.parse(revived.stdout)).toMatchObject({ revived: `scope ${tree}`, trees: [tree] });
    const fresh = new TokenFence({ store: redisStore(redis.url), label: tree, budget: 5 });
    await expect(worker(fresh).call()).resolves.toMatchObject({ object: 'chat.completion' });
    await Promise.all([fence.close(), later.close(), fresh.close()]);
  }, 30_000);

  it('an ops script: new TokenFence({ store, label }), await kill(), exit — the kill is not lost', async () => {
    const tree = `ops-${randomUUID()}`;
    const fence = new TokenFence({ store: redisStore(redis.url), label: tree, budget: 5 });
    const running = worker(fence);
    await expect.poll(running.sent).toBeGreaterThan(1);
    const script = `
      import { TokenFence } from ${JSON.stringify(join(process.cwd(), 'dist/index.mjs'))};
      const fence = new TokenFence({ store: ${JSON.stringify(redis.url)}, label: ${JSON.stringify(tree)} });
      await fence.kill('stopped by the ops script');
      process.exit(0); // no close(): the resolved kill() alone must be enough
    `;
    const result = await runProcess(['--input-type=module', '-e', script]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const refusal = await running.loop;
    expect(refusal).toBeInstanceOf(KillSwitchError);
    expect((refusal as KillSwitchError).message).toContain('stopped by the ops script');
    await fence.close();
  }, 30_000);

  it('kill() resolves when Redis acknowledged it, and rejects with StoreUnavailableError when it cannot be', async () => {
    const tree = `ack-${randomUUID()}`;
    const store = redisStore(redis.url);
    const fence = new TokenFence({ store, label: tree });
    const pending = fence.kill('now');
    expect(fence.killed).toBe(true); // the local effect is immediate
    await pending;
    const totals = await fence.sharedTotals();
    expect(totals?.killed).toBe('now');
    await fence.reset();
    expect((await fence.sharedTotals())?.killed).toBeNull();
    await fence.close();

    const down = new TokenFence({ store: redisStore('redis://127.0.0.1:1', { timeoutMs: 100 }), label: tree });
    const startedAt = Date.now();
    await expect(down.kill('no redis')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    expect(down.killed).toBe(true);
    await expect(down.reset()).rejects.toBeInstanceOf(StoreUnavailableError);
    await down.close();
  }, 30_000);

  it('an ignored kill() that fails is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const fence = new TokenFence({ store: redisStore('redis://127.0.0.1:1', { timeoutMs: 50 }), label: 'ignored' });
      fence.kill('nobody awaits this');
      void fence.reset();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await fence.close();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  }, 10_000);

  it('close() resolves with Redis down when no call was admitted (nothing needs acknowledging)', async () => {
    const fence = new TokenFence({
      store: redisStore('redis://127.0.0.1:1', { timeoutMs: 50 }),
      label: 'down',
      budget: 1,
    });
    const openai = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(
        openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: chatMessages }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
    }
    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(`${warning.code}: ${warning.message}`);
    process.on('warning', onWarning);
    const startedAt = Date.now();
    await expect(fence.close()).resolves.toBeUndefined();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    // The refusals' records could not be written: said, not thrown.
    expect(warnings.join('\n')).toMatch(/TOKENFENCE_W007: .*records of refused calls not written/);
  }, 10_000);

  it('tokenfence kill --tag key=value sets the kill on the shared scope tag:key=value in every tree', async () => {
    const tree = `tags-${randomUUID()}`;
    const store = redisStore(redis.url);
    // The tree exists on the store once a fence has reserved in it.
    const fence = new TokenFence({ store, label: tree, budget: 5 });
    await worker(fence).call();
    const result = await cli('kill', '--store', redis.url, '--tag', 'tenant=acme', '--format', 'json');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { trees: string[] };
    expect(output).toMatchObject({ killed: 'tag tenant=acme', durable: true });
    expect(output.trees).toContain(tree);
    const tagScope = { key: 'tag:tenant=acme', killKey: 'tag:tenant=acme', limitNanos: null };
    expect((await store.budgets.totals(tree, tagScope)).killed).toBe('killed by tokenfence kill');
    // Every later reservation that counts in that scope is refused, in any process.
    const outcome = await store.budgets.reserve({
      tree,
      reservationId: randomUUID(),
      scopes: [tagScope],
      amountNanos: 1,
      force: false,
      update: false,
    });
    expect(outcome).toMatchObject({ status: 'killed', reason: 'killed by tokenfence kill' });
    expect((await cli('revive', '--store', redis.url, '--tag', 'tenant=acme', '--tree', tree)).code).toBe(0);
    expect((await store.budgets.totals(tree, tagScope)).killed).toBeNull();
    await fence.close();
  }, 30_000);

  it('tokenfence kill --run through the Redis ledger stops a run in progress in another process', async () => {
    const fence = new TokenFence({ store: redisStore(redis.url), label: `runs-${randomUUID()}` });
    const openai = fence.guard(openAIClient(mock));
    const runId = `run-${randomUUID()}`;
    let sent = 0;
    const live = fence
      .run({ workflow: 'nightly', runId }, async () => {
        for (;;) {
          await openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: chatMessages });
          sent += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })
      .catch((error: unknown) => error);
    await expect.poll(() => sent).toBeGreaterThan(1);
    const result = await cli('kill', '--store', redis.url, '--run', runId);
    expect(result).toMatchObject({ code: 0 });
    expect(await live).toBeInstanceOf(KillSwitchError);
    await fence.close();
  }, 30_000);
});

// The tag value's budget scope has the shared id `tag:tenant=acme`.
describe('tokenfence kill --tag with tag budgets', () => {
  it('kills the tag value: every later call carrying it is refused in the worker, other tenants go on', async () => {
    const tree = `tenants-${randomUUID()}`;
    const fence = new TokenFence({
      store: redisStore(redis.url),
      label: tree,
      tagBudgets: { tenant: { usd: 50, per: 'month' } },
    });
    const openai = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const call = (tenant: string) =>
      fence.run({ workflow: 'support', tags: { tenant } }, () =>
        openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: chatMessages }),
      );
    await call('acme');
    const result = await cli('kill', '--store', redis.url, '--tag', 'tenant=acme', '--tree', tree);
    expect(result.code).toBe(0);
    await expect(call('acme')).rejects.toBeInstanceOf(KillSwitchError);
    await expect(call('globex')).resolves.toBeDefined();
    expect((await cli('revive', '--store', redis.url, '--tag', 'tenant=acme', '--tree', tree)).code).toBe(0);
    await expect(call('acme')).resolves.toBeDefined();
    await fence.close();
  }, 30_000);
});

describe('tokenfence kill on a SQLite ledger (kill orders)', () => {
  it('--workflow stops the runs in progress in another process within a second, and later runs of it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tokenfence-kill-')), 'ledger.db');
    const fence = new TokenFence({ store: `sqlite:${path}` });
    const openai = fence.guard(openAIClient(mock));
    let sent = 0;
    const loop = () =>
      fence
        .run({ workflow: 'crawler' }, async () => {
          for (;;) {
            await openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: chatMessages });
            sent += 1;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })
        .catch((error: unknown) => error);
    const live = loop();
    await expect.poll(() => sent).toBeGreaterThan(1);
    const orderedAt = Date.now();
    const result = await cli('kill', '--store', `sqlite:${path}`, '--workflow', 'crawler', '--reason', 'budget review');
    expect(result).toMatchObject({ code: 0 });
    const outcome = await live;
    expect(outcome).toBeInstanceOf(KillSwitchError);
    expect((outcome as KillSwitchError).message).toContain('budget review');
    expect(Date.now() - orderedAt).toBeLessThan(3_000);
    expect(await loop()).toBeInstanceOf(KillSwitchError); // a later run of the workflow is refused
    await fence.close();
  }, 30_000);

  it('exit codes and messages: 2 for a wrong invocation, --help 0, --scope needs Redis', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tokenfence-kill-')), 'ledger.db');
    new TokenFence({ store: `sqlite:${path}` }).close();
    const help = await cli('kill', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    expect((await cli('kill', '--store', `sqlite:${path}`)).code).toBe(2);
    expect((await cli('kill', '--store', `sqlite:${path}`, '--run', 'a', '--workflow', 'b')).code).toBe(2);
    const scopeOnSqlite = await cli('kill', '--store', `sqlite:${path}`, '--scope', 'crawl');
    expect(scopeOnSqlite.code).toBe(2);
    expect(scopeOnSqlite.stderr).toContain('needs the shared store');
    expect((await cli('kill', '--store', `sqlite:${path}-typo`, '--run', 'a')).code).toBe(2);
    expect((await cli('kill', '--store', redis.url, '--tag', 'tenant')).code).toBe(2);
    expect((await cli('revive', '--store', redis.url, '--run', 'a')).code).toBe(2);
    const unreachable = await cli('kill', '--store', 'redis://127.0.0.1:1', '--scope', 'crawl');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('unavailable');
  }, 60_000);
});
