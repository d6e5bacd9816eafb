// The Redis store tests lean on these helpers to crash redis and to lose replies; this checks the helpers
// themselves do what they claim before anything is concluded from them.
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

// No reconnects and no offline queue: a lost connection must surface as a rejected command, not a silent retry.
function connectClient(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  });
  // Failures reach the tests as rejected commands; without a listener ioredis also prints each one to stderr.
  client.on('error', () => {});
  return client;
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = connectClient(url);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe('redis test harness', () => {
  let redis: RedisServerHandle;
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await redis?.dispose();
  });

  const proxyFor = async (dropRate: number) => {
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: redis.port }, { dropRate, seed: 42 });
    proxies.push(proxy);
    return proxy;
  };

  it('starts a private redis with AOF on and RDB snapshots off, reachable by ioredis', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.port).not.toBe(6379);
    await withClient(redis.url, async (client) => {
      await client.set('harness:hello', 'world');
      expect(await client.get('harness:hello')).toBe('world');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'dir')).toEqual(['dir', redis.dir]);
    });
  });

  it('keeps a write made before kill -9 once restarted (appendfsync always)', async () => {
    await withClient(redis.url, (client) => client.set('harness:survivor', 'still here'));
    await redis.kill();
    await expect(withClient(redis.url, (client) => client.ping())).rejects.toThrow();
    await redis.start();
    expect(await withClient(redis.url, (client) => client.get('harness:survivor'))).toBe('still here');
  });

  it('with dropRate 0 forwards every reply', async () => {
    const proxy = await proxyFor(0);
    await withClient(proxy.url, async (client) => {
      for (let index = 0; index < 50; index += 1) expect(await client.incr('harness:counter0')).toBe(index + 1);
    });
    expect(proxy.stats.connections).toBe(1);
    expect(proxy.stats.droppedReplies).toBe(0);
    expect(proxy.stats.forwardedChunks).toBeGreaterThanOrEqual(50);
  });

  it('with dropRate 1 fails the command although the server ran it', async () => {
    const proxy = await proxyFor(0);
    const client = connectClient(proxy.url);
    try {
      await client.connect();
      proxy.setDropRate(1);
      await expect(client.set('harness:lost-reply', 'written')).rejects.toThrow();
    } finally {
      client.disconnect();
    }
    expect(proxy.stats.droppedReplies).toBeGreaterThanOrEqual(1);
    expect(await withClient(redis.url, (direct) => direct.get('harness:lost-reply'))).toBe('written');
  });

  it('rejects an out-of-range drop rate', async () => {
    const proxy = await proxyFor(0);
    expect(() => proxy.setDropRate(1.5)).toThrow(RangeError);
    expect(() => proxy.setDropRate(Number.NaN)).toThrow(RangeError);
  });

  it('dispose stops the server, removes its dir, and is safe to repeat', async () => {
    const other = await startRedisServer({ appendfsync: 'everysec' });
    await withClient(other.url, async (client) => {
      expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    });
    await other.dispose();
    await other.dispose();
    expect(existsSync(other.dir)).toBe(false);
    await expect(withClient(other.url, (client) => client.ping())).rejects.toThrow();
  });

  it('fails (does not skip) with an install hint when redis-server is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedisServer()).rejects.toThrow('apt-get install -y redis-server');
    } finally {
      if (path === undefined) delete process.env.PATH;
      else process.env.PATH = path;
    }
  });
});
