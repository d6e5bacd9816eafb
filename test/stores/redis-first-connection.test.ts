import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error.js';
import { redisStore } from '../../src/stores/redis/redis-store.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

// A worker that starts on a busy machine may take longer than `timeoutMs` to connect the first time.
// That is not an outage: its first calls wait for the connection (up to the connect timeout) instead of
// being refused with StoreUnavailableError after `timeoutMs`.
let server: RedisServerHandle;
let slowDoor: Server;
let slowPort = 0;
const sockets = new Set<Socket>();
const CONNECT_DELAY_MS = 700;

beforeAll(async () => {
  server = await startRedisServer();
  const target = new URL(server.url);
  // Accepts at once but only starts talking to Redis after CONNECT_DELAY_MS: a slow first handshake.
  slowDoor = createServer((client) => {
    sockets.add(client);
    client.pause();
    setTimeout(() => {
      const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      const teardown = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', teardown);
      upstream.on('error', teardown);
      client.on('close', teardown);
      upstream.on('close', teardown);
    }, CONNECT_DELAY_MS);
  });
  await new Promise<void>((resolve) => slowDoor.listen(0, '127.0.0.1', resolve));
  slowPort = (slowDoor.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => slowDoor.close(resolve));
  await server.dispose();
});

describe('a new Redis store and its first connection', () => {
  it('a reserve sent before the first connection is ready waits for it, past timeoutMs', async () => {
    const store = redisStore(`redis://127.0.0.1:${slowPort}`, { timeoutMs: 200 });
    try {
      const started = Date.now();
      const outcome = await store.budgets.reserve({
        tree: `first-${randomUUID()}`,
        reservationId: randomUUID(),
        scopes: [{ key: 'wf', killKey: 'wf', limitNanos: 1_000 }],
        amountNanos: 10,
        force: false,
        update: false,
      });
      expect(outcome.status).toBe('held');
      expect(Date.now() - started).toBeGreaterThanOrEqual(CONNECT_DELAY_MS - 50);
    } finally {
      await store.shutdown(500).catch(() => {});
    }
  });

  it('a store that never connects is still refused, within the connect timeout', async () => {
    const closed = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const store = redisStore(`redis://127.0.0.1:${(closed.address() as { port: number }).port}`, { timeoutMs: 200 });
    try {
      const started = Date.now();
      const error = await store.budgets
        .reserve({
          tree: `never-${randomUUID()}`,
          reservationId: randomUUID(),
          scopes: [{ key: 'wf', killKey: 'wf', limitNanos: 1_000 }],
          amountNanos: 10,
          force: false,
          update: false,
        })
        .catch((caught: unknown) => caught);
      expect(StoreUnavailableError.isInstance(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(3_500);
    } finally {
      await store.shutdown(100).catch(() => {});
      await new Promise((resolve) => closed.close(resolve));
    }
  });
});
