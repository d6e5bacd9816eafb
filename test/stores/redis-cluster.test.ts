import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, TokenFence } from '../../src/index.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/redis-store.js';
import { type MockProvider, startMockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster.js';

let cluster: RedisClusterHandle;
let mock: MockProvider;
const clients: Cluster[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  mock = await startMockProvider({ scenario: { inputTokens: 1_000, outputTokens: 1_000 } });
}, 30_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await mock.close();
  await cluster.dispose();
});

async function clusterStore(): Promise<RedisStore> {
  const client = new Cluster(
    cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 0 } },
  );
  clients.push(client);
  await new Promise((resolve) => client.once('ready', resolve));
  return redisStore(client, { timeoutMs: 2_000 });
}

describe('Redis Cluster (three masters)', () => {
  it('every script of a tree stays in one slot; trees spread over the masters; the guard works unchanged', async () => {
    const trees = Array.from({ length: 6 }, () => `tree-${randomUUID()}`);
    const fences = await Promise.all(
      trees.map(
        async (label) => new TokenFence({ label, budget: 0.002, onLimit: 'throw', store: await clusterStore() }),
      ),
    );
    for (const fence of fences) {
      const client = fence.guard(openAIClient(mock), { label: 'writer' });
      const ask = () =>
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 1_000 });
      await fence.run({ workflow: 'report' }, async () => {
        await fence.agent('writer', () => ask());
        await ask();
      });
      await expect(ask()).rejects.toThrow(BudgetExceededError);
      expect((await fence.sharedTotals())?.spentNanos).toBe(1_500_000);
    }
    // Which master owns each tree: a CROSSSLOT script would have failed above, so each tree sits on one node.
    const owners = new Set<number>();
    for (const label of trees) {
      for (const node of cluster.nodes) {
        const direct = new Redis(node.port, '127.0.0.1');
        const keys = await direct.keys(`tf:{${encodeURIComponent(label)}}:*`);
        direct.disconnect();
        if (keys.length > 0) owners.add(node.port);
      }
    }
    expect(owners.size).toBeGreaterThan(1);
    for (const fence of fences) await fence.close();
  }, 30_000);
});
