import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoreUnavailableError, TokenFence } from '../../src/index.js';
import { redisStore } from '../../src/stores/redis/redis-store.js';
import { type MockProvider, startMockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

let server: RedisServerHandle;
let mock: MockProvider;
beforeAll(async () => {
  server = await startRedisServer();
  mock = await startMockProvider({ scenario: { inputTokens: 100, outputTokens: 100 } });
});
afterAll(async () => {
  await mock.close();
  await server.dispose();
});

it('Redis stopped for 10 s: every call fails closed fast, 0 provider calls start, recovery needs no restart', async () => {
  const timeoutMs = 300;
  const fence = new TokenFence({
    label: `outage-${randomUUID()}`,
    budget: 5,
    onLimit: 'throw',
    store: redisStore(server.url, { timeoutMs }),
  });
  const client = fence.guard(openAIClient(mock));
  const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 100 });
  await ask();
  const sentBefore = mock.requests.length;
  await server.stop();
  const stoppedAt = Date.now();
  const latencies: number[] = [];
  try {
    while (Date.now() - stoppedAt < 10_000) {
      const started = Date.now();
      const error = await ask().catch((caught: unknown) => caught);
      latencies.push(Date.now() - started);
      expect(StoreUnavailableError.isInstance(error)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(mock.requests.length).toBe(sentBefore);
    expect(fence.reserved).toBe(0);
  } finally {
    await server.start();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  expect(latencies.length).toBeGreaterThan(50);
  expect(Math.max(...latencies)).toBeLessThan(timeoutMs + 500); // the configured timeout, plus a loaded machine
  expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(20); // once known down, refused at once
  const restartedAt = Date.now();
  await expect
    .poll(
      () =>
        ask().then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      { timeout: 5_000, interval: 50 },
    )
    .toBe('ok');
  expect(Date.now() - restartedAt).toBeLessThan(3_000);
  await fence.close();
}, 30_000);
