import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { windowStart } from '../../src/budget/budget-window.js';
import { WINDOW_MARK } from '../../src/budget/shared-admission.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/redis-store.js';
import { type MockProvider, startMockProvider } from '../../src/testing/index.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

const WORKER = new URL('../support/tag-budget-worker.ts', import.meta.url).pathname;

// gpt-4o: 10 input (the mock's scenario) + 1,000 output tokens per call.
const CALL_NANOS = 10 * 2_500 + 1_000 * 10_000;

let server: RedisServerHandle;
let observer: RedisStore;
let mock: MockProvider;
beforeAll(async () => {
  server = await startRedisServer();
  observer = redisStore(server.url, { timeoutMs: 2_000 });
  mock = await startMockProvider();
  mock.setScenario({ inputTokens: 10, outputTokens: 1_000, delayMs: 10 });
});
afterAll(async () => {
  await observer.shutdown(500).catch(() => {});
  await server.dispose();
  await mock.close();
});

type Counts = Record<string, { ok: number; refused: number; killed: number }>;

function runWorker(args: string[]): Promise<Counts> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text) as Counts) : reject(new Error(`exit ${code}`))));
  });
}

/** The tag scope as the store has it: `tag:tenant=<value>` in the current month's window. */
function tagScope(tenant: string, limitNanos: number) {
  const start = windowStart('month', Date.now());
  return { key: `tag:tenant=${tenant}${WINDOW_MARK}${start}`, killKey: `tag:tenant=${tenant}`, limitNanos };
}

describe('tag budgets shared through Redis by several processes', () => {
  it('3 processes × 3 tenants × 6 concurrent runs: each tenant spends exactly what fits its budget, never more', async () => {
    const label = `saas-${randomUUID()}`;
    const budgetUsd = 0.055; // 5 worst cases of ~$0.01003 fit, 6 do not
    const limitNanos = 55_000_000;
    const tenants = ['acme', 'globex', 'initech'];
    const before = mock.requests.length;
    const results = await Promise.all(
      Array.from({ length: 3 }, () =>
        runWorker([server.url, mock.url, label, String(budgetUsd), tenants.join(','), '6', '2']),
      ),
    );
    for (const tenant of tenants) {
      const ok = results.reduce((sum, counts) => sum + (counts[tenant]?.ok ?? 0), 0);
      const refused = results.reduce((sum, counts) => sum + (counts[tenant]?.refused ?? 0), 0);
      expect(ok).toBe(5);
      expect(refused).toBe(3 * 6 * 2 - 5);
      const totals = await observer.budgets.totals(label, tagScope(tenant, limitNanos));
      expect(totals.spentNanos).toBe(5 * CALL_NANOS);
      expect(totals.spentNanos).toBeLessThanOrEqual(limitNanos);
      expect(totals.heldNanos).toBe(0);
      expect(totals.calls).toBe(5);
    }
    expect(mock.requests.length - before).toBe(15);
  }, 90_000);

  it("keeps each tag value's window in a key that expires, and a kill of `tag:tenant=<value>` from another process refuses it", async () => {
    const label = `saas-${randomUUID()}`;
    await runWorker([server.url, mock.url, label, '1', 'acme', '1', '1']);
    const probe = new Redis(server.port, '127.0.0.1');
    try {
      const keys = await probe.keys(`*${label}*tag:tenant=acme${WINDOW_MARK}*`);
      expect(keys.length).toBe(1);
      expect(await probe.pttl(keys[0] as string)).toBeGreaterThan(0);
    } finally {
      probe.disconnect();
    }
    await observer.budgets.kill(label, 'tag:tenant=acme', 'unpaid invoice');
    const [killed] = await Promise.all([runWorker([server.url, mock.url, label, '1', 'acme,globex', '2', '1'])]);
    expect(killed.acme).toEqual({ ok: 0, refused: 0, killed: 2 });
    expect(killed.globex).toEqual({ ok: 2, refused: 0, killed: 0 });
    await observer.budgets.revive(label, 'tag:tenant=acme');
    const revived = await runWorker([server.url, mock.url, label, '1', 'acme', '1', '1']);
    expect(revived.acme?.ok).toBe(1);
  }, 90_000);
});
