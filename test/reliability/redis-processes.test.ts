import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisStore, redisStore } from '../../src/stores/redis/redis-store.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { scopesOf } from '../support/redis-budget-worker-scopes.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

const WORKER = new URL('../support/redis-budget-worker.ts', import.meta.url).pathname;

let server: RedisServerHandle;
let observer: RedisStore;
beforeAll(async () => {
  server = await startRedisServer();
  observer = redisStore(server.url, { timeoutMs: 2_000 });
});
afterAll(async () => {
  await observer.shutdown(500).catch(() => {});
  await server.dispose();
});

function startWorker(args: string[]): { child: ChildProcess; output: Promise<string>; line: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  let firstLine: (line: string) => void = () => {};
  const line = new Promise<string>((resolve) => {
    firstLine = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (text.includes('\n')) firstLine(text.split('\n')[0] as string);
  });
  const output = new Promise<string>((resolve, reject) => {
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(text) : reject(new Error(`worker exited ${code ?? signal}`)),
    );
  });
  return { child, output, line };
}

const totalsOf = async (tree: string, limit: number | null = null) =>
  observer.budgets.totals(tree, scopesOf(limit)[0] as ReturnType<typeof scopesOf>[number]);

describe('shared budgets across processes on a real redis-server', () => {
  it('8 processes × 1,000 reservations against one budget: half refused, 0 n$ over, exact conservation', async () => {
    const tree = `race-${randomUUID()}`;
    const amount = 1_000_003;
    const limit = 4_000 * amount;
    let maxSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const totals = await totalsOf(tree, limit);
        maxSeen = Math.max(maxSeen, totals.spentNanos + totals.heldNanos);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const workers = Array.from({ length: 8 }, () =>
      startWorker(['race', server.url, tree, '1000', String(limit), String(amount)]),
    );
    const results = (await Promise.all(workers.map((worker) => worker.output))).map(
      (text) => JSON.parse(text) as { admitted: number; denied: number },
    );
    sampling = false;
    await sampler;
    const admitted = results.reduce((sum, result) => sum + result.admitted, 0);
    const denied = results.reduce((sum, result) => sum + result.denied, 0);
    const totals = await totalsOf(tree, limit);
    expect(admitted).toBe(4_000);
    expect(denied).toBe(4_000);
    expect(maxSeen).toBeLessThanOrEqual(limit);
    expect(totals.spentNanos).toBe(admitted * amount);
    expect(limit - totals.spentNanos - totals.heldNanos).toBe(0); // available + held + settled = limit
    expect(totals.calls).toBe(admitted);
  }, 60_000);

  it('kill -9 of a worker holding 100 holds: they stop counting at the TTL and are cleared within TTL + sweep', async () => {
    const tree = `crash-${randomUUID()}`;
    const ttlMs = 1_500;
    const worker = startWorker(['hold', server.url, tree, '100', '1000', String(ttlMs)]);
    expect(await worker.line).toBe('ready');
    expect((await totalsOf(tree)).heldNanos).toBe(100_000);
    // While the worker lives its heartbeat keeps the holds past the TTL.
    await new Promise((resolve) => setTimeout(resolve, ttlMs * 1.5));
    expect((await totalsOf(tree)).heldNanos).toBe(100_000);
    const killedAt = Date.now();
    worker.child.kill('SIGKILL');
    await worker.output.catch(() => {});
    // The observer knows the tree: its heartbeat sweeps it even when no reservation comes.
    observer.budgets.track(tree, 'observer');
    observer.budgets.untrack(tree, 'observer');
    await expect.poll(async () => (await totalsOf(tree)).heldNanos, { timeout: ttlMs * 3, interval: 20 }).toBe(0);
    const clearedAfter = Date.now() - killedAt;
    expect(clearedAfter).toBeGreaterThan(ttlMs / 2); // the last beat was at most a third of the TTL before the kill
    expect(clearedAfter).toBeLessThan(ttlMs + 1_000 + 1_500); // TTL + one sweep (≤ 1 s) + a loaded CI machine
  }, 30_000);

  it('Redis killed and restarted 3 times mid-run: 0 acknowledged settles lost, 0 duplicates, 0 leaked holds', async () => {
    const tree = `restart-${randomUUID()}`;
    const workers = Array.from({ length: 4 }, () => startWorker(['churn', server.url, tree, '3500', '1000']));
    for (let restart = 0; restart < 3; restart += 1) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await server.kill();
      // Down for longer than the workers' timeout (300 ms): their reserves fail closed meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.start();
    }
    const results = (await Promise.all(workers.map((worker) => worker.output))).map(
      (text) => JSON.parse(text) as { settled: number; settledNanos: number; refused: number },
    );
    const settled = results.reduce((sum, result) => sum + result.settled, 0);
    const settledNanos = results.reduce((sum, result) => sum + result.settledNanos, 0);
    const refused = results.reduce((sum, result) => sum + result.refused, 0);
    expect(refused).toBeGreaterThan(0); // the outages were felt
    const totals = await totalsOf(tree);
    expect(totals.calls).toBe(settled);
    expect(totals.spentNanos).toBe(settledNanos);
    expect(totals.heldNanos).toBe(0);
  }, 60_000);

  it('10% of replies dropped after the script ran: 0 duplicate holds, 0 leaked holds', async () => {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port }, { dropRate: 0, seed: 7 });
    const store = redisStore(proxy.url, { timeoutMs: 2_000 });
    const tree = `faults-${randomUUID()}`;
    const scopes = scopesOf(null);
    try {
      await store.budgets.reserve({
        tree,
        reservationId: randomUUID(),
        scopes,
        amountNanos: 0,
        force: false,
        update: false,
      });
      proxy.setDropRate(0.1);
      let settled = 0;
      let settledNanos = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < 400) {
            const index = next++;
            const reservationId = randomUUID();
            try {
              await store.budgets.reserve({
                tree,
                reservationId,
                scopes,
                amountNanos: 1_000,
                force: false,
                update: false,
              });
            } catch {
              void store.budgets.settle({ tree, reservationId, scopes, costNanos: null });
              continue;
            }
            void store.budgets.settle({ tree, reservationId, scopes, costNanos: 1 + (index % 1_000) });
            settled += 1;
            settledNanos += 1 + (index % 1_000);
          }
        }),
      );
      await store.budgets.drain();
      const { droppedReplies, forwardedChunks } = proxy.stats;
      expect(droppedReplies / (droppedReplies + forwardedChunks)).toBeGreaterThan(0.05);
      const totals = await totalsOf(tree);
      expect(totals.heldNanos).toBe(0);
      expect(totals.calls).toBe(settled);
      expect(totals.spentNanos).toBe(settledNanos);
    } finally {
      await store.shutdown(1_000).catch(() => {});
      await proxy.close();
    }
  }, 60_000);
});
