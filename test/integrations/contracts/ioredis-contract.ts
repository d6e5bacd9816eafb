import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, TokenFence } from '../../../src/index.js';
import { type RedisConstructor, type RedisStore, redisStoreOnUrl } from '../../../src/stores/redis/redis-store.js';
import { type MockProvider, runLedgerStoreConformance } from '../../../src/testing/index.js';
import { chatMessages, openAIClient } from '../../support/clients.js';
import { useMockProvider } from '../../support/mock-provider.js';
import { type RedisServerHandle, startRedisServer } from '../../support/redis-server.js';
import { describeSdkLine, type SdkLine } from '../../support/sdk-line.js';

/** The `ioredis` package as the contract uses it: its `Redis` class. */
export interface IoredisModule {
  Redis: RedisConstructor;
}

// gpt-4o-mini: $0.15 / $0.60 per 1M tokens; 1,000 in + 1,000 out = $0.00075 per call.
const CALL_NANOS = 1_000 * 150 + 1_000 * 600;

/**
 * The Redis store's contract with one ioredis major against a real redis-server: the store opened on a URL
 * with that major's client (as `redisStore('redis://…')` opens it when the user has that major), the ledger
 * conformance suite, and one budget spent by two stores (two processes) through guarded calls.
 */
export function describeIoredisContract(line: SdkLine<IoredisModule>): void {
  describeSdkLine(line, (sdk) => {
    let server: RedisServerHandle;
    let mock: MockProvider;
    const stores: RedisStore[] = [];
    useMockProvider((started) => {
      mock = started;
    });
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      for (const store of stores) await store.shutdown(200).catch(() => {});
      await server.dispose();
    });
    const open = (options: Parameters<typeof redisStoreOnUrl>[1] = {}) => {
      const store = redisStoreOnUrl(server.url, { timeoutMs: 2_000, ...options }, () => sdk().Redis);
      stores.push(store);
      return store;
    };

    runLedgerStoreConformance(`redis (${line.name})`, () => open({ prefix: `t${randomUUID().slice(0, 8)}` }), {
      describe,
      it,
      expect,
    });

    it('two stores with the same label and budget spend one budget through guarded calls, never more', async () => {
      mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
      const label = `shared-${randomUUID()}`;
      const fences = [0, 1].map(
        () => new TokenFence({ label, budget: (2 * CALL_NANOS) / 1e9, store: open(), onLimit: 'throw' }),
      );
      const [a, b] = fences.map((fence) => fence.guard(openAIClient(mock)));
      if (!a || !b) throw new Error('two clients expected');
      const ask = (client: typeof a) =>
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 1_000 });
      await ask(a);
      await ask(b);
      const sent = mock.requests.length;
      await expect(ask(a)).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(ask(b)).rejects.toBeInstanceOf(BudgetExceededError);
      expect(mock.requests).toHaveLength(sent);
      expect(await fences[0]?.sharedTotals()).toMatchObject({ spentNanos: 2 * CALL_NANOS, reserved: 0, calls: 2 });
    });

    it('refuses calls fast with the store down (fail closed), and serves again once Redis is back', async () => {
      const fence = new TokenFence({ budget: 1, store: open({ timeoutMs: 300 }), onLimit: 'throw' });
      const client = fence.guard(openAIClient(mock));
      const ask = () =>
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 10 });
      await ask();
      await server.stop();
      await expect(ask()).rejects.toThrow();
      await server.start();
      await expect
        .poll(
          async () =>
            ask().then(
              () => 'served',
              () => 'refused',
            ),
          { timeout: 5_000 },
        )
        .toBe('served');
    });
  });
}
