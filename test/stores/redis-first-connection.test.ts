import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error.js';
import { redisStore } from '../../src/stores/redis/redis-store.js';

// Until a new store has connected once, its commands wait for the connection up to the connect timeout
// (a worker starting on a busy machine is not facing an outage); one that never connects is still
// refused, typed, within that time.
describe('a new Redis store and its first connection', () => {
  it('a store that never connects is refused with StoreUnavailableError within the connect timeout', async () => {
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
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(Date.now() - started).toBeLessThan(3_500);
    } finally {
      await store.shutdown(100).catch(() => {});
      await new Promise((resolve) => closed.close(resolve));
    }
  });
});
