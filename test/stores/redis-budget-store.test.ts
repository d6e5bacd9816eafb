import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedScope } from '../../src/budget/shared-budget-store.js';
import { SharedBudgetConflictError } from '../../src/errors/shared-budget-conflict-error.js';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error.js';
import { EXTEND, KILL, RESERVE, SETTLE } from '../../src/stores/redis/budget-scripts.js';
import { redisScript } from '../../src/stores/redis/redis-connection.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/redis-store.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

let server: RedisServerHandle;
const stores: RedisStore[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  for (const store of stores) await store.shutdown(200).catch(() => {});
  await server.dispose();
});

function open(options: Parameters<typeof redisStore>[1] = {}): RedisStore {
  const store = redisStore(server.url, { timeoutMs: 300, ...options });
  stores.push(store);
  return store;
}

/** Three nested scopes of a fresh tree: workflow (limit), agent (limit), call scope (no limit). */
function tree(limits: [number | null, number | null, number | null] = [1_000, 600, null]) {
  const name = `tree-${randomUUID()}`;
  const scopes: SharedScope[] = ['wf', 'wf/agent', 'wf/agent/client'].map((key, index) => ({
    key,
    killKey: key,
    limitNanos: limits[index] ?? null,
  }));
  return { name, scopes };
}

const reserve = (
  store: RedisStore,
  t: ReturnType<typeof tree>,
  amountNanos: number,
  reservationId: string = randomUUID(),
) => store.budgets.reserve({ tree: t.name, reservationId, scopes: t.scopes, amountNanos, force: false, update: false });

describe('RedisBudgetStore against a real redis-server', () => {
  it('holds in every scope or none; the boundary is spent + held + amount ≤ limit; settle replaces the hold', async () => {
    const store = open();
    const t = tree();
    const first = await reserve(store, t, 400, 'r1');
    expect(first).toEqual({
      status: 'held',
      totals: [
        { spentNanos: 0, heldNanos: 400 },
        { spentNanos: 0, heldNanos: 400 },
        { spentNanos: 0, heldNanos: 400 },
      ],
    });
    expect(await reserve(store, t, 200, 'r2')).toMatchObject({ status: 'held' }); // 600 = agent limit exactly
    expect(await reserve(store, t, 1, 'r3')).toEqual({
      status: 'denied',
      index: 1,
      spentNanos: 0,
      heldNanos: 600,
      limitNanos: 600,
    });
    expect(
      await store.budgets.settleNow({ tree: t.name, reservationId: 'r1', scopes: t.scopes, costNanos: 123 }),
    ).toEqual({ late: false, repeated: false });
    await store.budgets.settleNow({ tree: t.name, reservationId: 'r2', scopes: t.scopes, costNanos: null });
    const agent = await store.budgets.totals(t.name, t.scopes[1] as SharedScope);
    expect(agent).toEqual({ limitNanos: 600, spentNanos: 123, heldNanos: 0, calls: 1, killed: null });
    const unlimited = await store.budgets.totals(t.name, t.scopes[2] as SharedScope);
    expect(unlimited.limitNanos).toBeNull();
  });

  it('a repeated reserve or settle (lost reply, retry) counts once; a conflicting settle is a typed error', async () => {
    const store = open();
    const t = tree();
    await reserve(store, t, 100, 'same');
    expect(await reserve(store, t, 100, 'same')).toMatchObject({ status: 'held' });
    expect((await store.budgets.totals(t.name, t.scopes[0] as SharedScope)).heldNanos).toBe(100);
    await expect(reserve(store, t, 999, 'same')).rejects.toThrow(SharedBudgetConflictError);
    const settle = { tree: t.name, reservationId: 'same', scopes: t.scopes, costNanos: 70 };
    expect(await store.budgets.settleNow(settle)).toEqual({ late: false, repeated: false });
    expect(await store.budgets.settleNow(settle)).toEqual({ late: false, repeated: true });
    await expect(store.budgets.settleNow({ ...settle, costNanos: 71 })).rejects.toMatchObject({
      code: 'SHARED_BUDGET_CONFLICT',
      conflict: 'reservation',
    });
    await expect(reserve(store, t, 100, 'same')).rejects.toThrow(SharedBudgetConflictError);
    expect(await store.budgets.totals(t.name, t.scopes[0] as SharedScope)).toMatchObject({
      spentNanos: 70,
      heldNanos: 0,
    });
  });

  it('the first creation of a scope wins; another limit is a typed error unless update is set', async () => {
    const store = open();
    const t = tree();
    await reserve(store, t, 1);
    const other = {
      ...t,
      scopes: t.scopes.map((scope, index) => (index === 0 ? { ...scope, limitNanos: 5_000 } : scope)),
    };
    const error = await reserve(store, other, 1).catch((caught: unknown) => caught);
    expect(SharedBudgetConflictError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ conflict: 'limit', key: 'wf' });
    const updated = await store.budgets.reserve({
      tree: t.name,
      reservationId: randomUUID(),
      scopes: other.scopes,
      amountNanos: 1,
      force: false,
      update: true,
    });
    expect(updated.status).toBe('held');
    expect((await store.budgets.totals(t.name, t.scopes[0] as SharedScope)).limitNanos).toBe(5_000);
  });

  it('an expired hold stops counting at its TTL; a late settle is still charged, flagged late', async () => {
    const store = open({ holdTtlMs: 200 });
    const t = tree([1_000, null, null]);
    await reserve(store, t, 900, 'dies');
    expect((await reserve(store, t, 200)).status).toBe('denied');
    await new Promise((resolve) => setTimeout(resolve, 260));
    expect((await reserve(store, t, 200, 'after')).status).toBe('held');
    const late = await store.budgets.settleNow({
      tree: t.name,
      reservationId: 'dies',
      scopes: t.scopes,
      costNanos: 500,
    });
    expect(late).toEqual({ late: true, repeated: false });
    expect(await store.budgets.totals(t.name, t.scopes[0] as SharedScope)).toMatchObject({
      spentNanos: 500,
      heldNanos: 200,
    });
  });

  it('a heartbeat keeps a tracked hold alive past its TTL', async () => {
    const store = open({ holdTtlMs: 150 });
    const t = tree([1_000, null, null]);
    await reserve(store, t, 900, 'long');
    store.budgets.track(t.name, 'long');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await reserve(store, t, 200)).status).toBe('denied');
    store.budgets.untrack(t.name, 'long');
  });

  it('a kill refuses every later reservation in every process, is heard on pub/sub, and survives a restart', async () => {
    const a = open();
    const b = open();
    const t = tree();
    const heard: string[] = [];
    b.budgets.onKill((treeName, key, reason) => {
      if (treeName === t.name) heard.push(`${key}:${reason}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.budgets.kill(t.name, 'wf/agent', 'runaway');
    expect(await reserve(b, t, 1)).toEqual({ status: 'killed', index: 1, reason: 'runaway' });
    await expect.poll(() => heard).toEqual(['wf/agent:runaway']);
    await server.kill();
    await server.start();
    await expect
      .poll(async () => (await reserve(b, t, 1).catch(() => null))?.status, { timeout: 5_000 })
      .toBe('killed');
    await a.budgets.revive(t.name, 'wf/agent');
    expect((await reserve(b, t, 1)).status).toBe('held');
  });

  it('fails closed while Redis is down (typed, within the timeout), keeps settlements, recovers by itself', async () => {
    const store = open({ timeoutMs: 300 });
    const t = tree([1_000, null, null]);
    await reserve(store, t, 100, 'before');
    await server.stop();
    const started = Date.now();
    await expect(reserve(store, t, 1)).rejects.toThrow(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
    const fast = Date.now();
    await expect(reserve(store, t, 1)).rejects.toThrow(StoreUnavailableError);
    expect(Date.now() - fast).toBeLessThan(50);
    const applied = store.budgets.settle({ tree: t.name, reservationId: 'before', scopes: t.scopes, costNanos: 42 });
    expect(store.budgets.pendingSettlements).toBe(1);
    await server.start();
    await applied;
    expect(store.budgets.pendingSettlements).toBe(0);
    await expect
      .poll(async () => (await reserve(store, t, 1).catch(() => null))?.status, { timeout: 5_000 })
      .toBe('held');
    expect(await store.budgets.totals(t.name, t.scopes[0] as SharedScope)).toMatchObject({ spentNanos: 42 });
  });

  it('keeps amounts of 15+ digits exact (Lua would print them as 1e+15) and a hold of 0 n$ releasable', async () => {
    const store = open();
    const t = tree([9_007_199_254_740_991, 5_000_000_000_000_000, null]);
    await reserve(store, t, 2_000_000_000_000_001, 'big');
    await reserve(store, t, 0, 'zero');
    await store.budgets.settleNow({ tree: t.name, reservationId: 'zero', scopes: t.scopes, costNanos: null });
    await store.budgets.settleNow({
      tree: t.name,
      reservationId: 'big',
      scopes: t.scopes,
      costNanos: 1_500_000_000_000_003,
    });
    expect(await store.budgets.totals(t.name, t.scopes[1] as SharedScope)).toMatchObject({
      limitNanos: 5_000_000_000_000_000,
      spentNanos: 1_500_000_000_000_003,
      heldNanos: 0,
    });
    expect(await reserve(store, t, 3_499_999_999_999_997)).toMatchObject({ status: 'held' }); // exactly the rest
    expect(await reserve(store, t, 1)).toMatchObject({ status: 'denied', index: 1 });
  });

  it('sends scripts by the SHA-1 Redis computes for them, and again in full after Redis lost its script cache', async () => {
    const store = open();
    const probe = new Redis(server.port, '127.0.0.1');
    try {
      for (const source of [RESERVE, SETTLE, EXTEND, KILL]) {
        expect(await probe.script('LOAD', source)).toBe(redisScript(source).sha);
      }
      await probe.script('FLUSH');
      const t = tree();
      expect((await reserve(store, t, 1)).status).toBe('held'); // NOSCRIPT → EVAL
    } finally {
      probe.disconnect();
    }
  });

  it('ids cannot move keys to another slot or tree: braces, colons, stars in names stay inside their key', async () => {
    const store = open();
    const hostile = { name: 'a}{b:*', scopes: [{ key: '}{x}:*', killKey: '}{x}:*', limitNanos: 10 }] };
    expect((await reserve(store, hostile, 10)).status).toBe('held');
    expect((await reserve(store, hostile, 1)).status).toBe('denied');
    const probe = new Redis(server.port, '127.0.0.1');
    try {
      const keys = await probe.keys('tf:{a%7D%7Bb%3A*}:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key.startsWith('tf:{a%7D%7Bb%3A*}:')).toBe(true);
      expect(await probe.keys('tf:{a}*')).toEqual([]);
    } finally {
      probe.disconnect();
    }
  });

  it('notices when Redis lost acknowledged writes (no AOF, crash): refuses, and applies its recent settlements again', async () => {
    const volatile = await startRedisServer({ appendfsync: 'off' });
    const store = redisStore(volatile.url, { timeoutMs: 300 });
    stores.push(store);
    const t = tree([1_000_000, null, null]);
    try {
      let charged = 0;
      for (let index = 1; index <= 20; index += 1) {
        const reservationId = randomUUID();
        await reserve(store, t, 1_000, reservationId);
        await store.budgets.settleNow({ tree: t.name, reservationId, scopes: t.scopes, costNanos: index });
        charged += index;
      }
      await volatile.kill();
      await volatile.start(); // empty: everything acknowledged so far is gone
      // Refused while it reconnects (not connected), then refused because the sequence went back.
      await expect
        .poll(async () => String(await reserve(store, t, 1_000).catch((caught: unknown) => caught)), {
          timeout: 5_000,
        })
        .toContain('lost writes it had acknowledged');
      await store.budgets.drain();
      expect(await store.budgets.totals(t.name, t.scopes[0] as SharedScope)).toMatchObject({
        spentNanos: charged,
        heldNanos: 0,
        calls: 20,
      });
      expect((await reserve(store, t, 1_000)).status).toBe('held');
    } finally {
      await volatile.dispose();
    }
  });

  it('never puts a password in a message', () => {
    const store = open();
    expect(store.name).not.toContain('@');
    const secret = redisStore('redis://user:hunter2@127.0.0.1:1', { timeoutMs: 50 });
    stores.push(secret);
    expect(secret.name).not.toContain('hunter2');
  });
});
