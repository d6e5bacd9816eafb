import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KillSwitchError, type RedisStore, redisStore, TokenFence } from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** Starts `tokenfence dashboard` as its own process (the built bin) and resolves with the URL it prints. */
function startCliDashboard(store: string): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/cli/bin.mjs'), 'dashboard', '--store', store], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const found = /http:\/\/\S+/.exec(out);
      if (found) resolve({ child, url: new URL(found[0]) });
    });
    child.on('exit', (code) => reject(new Error(`dashboard exited with ${code}: ${out}`)));
  });
}

describe('the CLI dashboard in another process', () => {
  let child: ChildProcess | undefined;
  let redis: RedisServerHandle | undefined;
  afterAll(async () => {
    child?.kill();
    await redis?.dispose();
  });

  /**
   * Runs `runId` in this process until it is killed, starts the CLI dashboard on `storeArgument`, checks
   * the run shows as running, presses its kill button, and resolves with the run's error.
   */
  async function killFromCliDashboard(
    fence: TokenFence,
    storeArgument: string,
    runId: string,
    written: () => Promise<unknown>,
  ): Promise<unknown> {
    mock.setScenario({ inputTokens: 100, outputTokens: 100, delayMs: 20 });
    const openai = fence.guard(openAIClient(mock));
    let sent = 0;
    const live = fence
      .run({ workflow: 'crawler', runId }, async () => {
        for (;;) {
          await openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: chatMessages });
          sent += 1;
        }
      })
      .catch((error: unknown) => error);
    await expect.poll(() => sent).toBeGreaterThan(3);
    fence.flush();
    await written();

    child?.kill();
    const dashboard = await startCliDashboard(storeArgument);
    child = dashboard.child;
    const token = dashboard.url.searchParams.get('token') ?? '';
    const summary = (await (await fetch(`${dashboard.url.origin}/api/summary?token=${token}`)).json()) as {
      runs: Array<{ runId: string; outcome: string }>;
    };
    expect(summary.runs).toContainEqual(expect.objectContaining({ runId, outcome: 'running' }));

    const orderedAt = Date.now();
    const kill = await fetch(`${dashboard.url.origin}/api/kill`, {
      method: 'POST',
      headers: { 'x-tokenfence-token': token, 'content-type': 'application/json' },
      body: JSON.stringify({ runId }),
    });
    expect(kill.status).toBe(202);
    const outcome = await live;
    expect(Date.now() - orderedAt).toBeLessThan(1_500);
    return outcome;
  }

  it('kills a live run of this process through a kill order in the shared SQLite ledger', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'tokenfence-orders-')), 'ledger.db')}` as const;
    const fence = new TokenFence({ store });
    const outcome = await killFromCliDashboard(fence, store, 'run-far', async () => {});
    expect(outcome).toBeInstanceOf(KillSwitchError);
    expect((outcome as KillSwitchError).message).toContain('killed from the dashboard');
    fence.flush();
    expect(fence.store.queryRuns({ runId: 'run-far' })).toMatchObject([{ outcome: 'killed' }]);
    await fence.close();
  });

  it('reads a Redis ledger and kills a live run through Redis (`--store redis://…`)', async () => {
    redis = await startRedisServer();
    const fence = new TokenFence({ label: 'redis-dashboard', store: redisStore(redis.url) });
    const outcome = await killFromCliDashboard(fence, redis.url, 'run-on-redis', () =>
      (fence.store as RedisStore).persisted(),
    );
    expect(outcome).toBeInstanceOf(KillSwitchError);
    await fence.close();
  });
});
