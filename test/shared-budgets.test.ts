import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  InvalidOptionsError,
  isKillSwitchError,
  KillSwitchError,
  SharedBudgetConflictError,
  StoreUnavailableError,
  TokenFence,
} from '../src/index.js';
import { tokenfenceMiddleware } from '../src/integrations/ai-sdk/index.js';
import { type RedisStore, redisStore } from '../src/stores/redis/redis-store.js';
import { type MockProvider, startMockProvider } from '../src/testing/index.js';
import { CANARY_KEY, chatMessages, geminiClient, openAIClient } from './support/clients.js';
import { type RedisServerHandle, startRedisServer } from './support/redis-server.js';

let server: RedisServerHandle;
let mock: MockProvider;
const fences: TokenFence[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  mock = await startMockProvider({ scenario: { inputTokens: 1_000, outputTokens: 1_000 } });
});
afterAll(async () => {
  for (const fence of fences) await fence.close().catch(() => {});
  await mock.close();
  await server.dispose();
});

/** A fence as one worker process would make it: its own Redis connection, same label and budget. */
function worker(
  options: ConstructorParameters<typeof TokenFence>[0] & { storeOptions?: Parameters<typeof redisStore>[1] },
) {
  const { storeOptions, ...rest } = options ?? {};
  const fence = new TokenFence({ onLimit: 'throw', ...rest, store: redisStore(server.url, storeOptions) });
  fences.push(fence);
  return fence;
}

const ask = (client: ReturnType<typeof openAIClient>) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 1_000 });

// gpt-4o-mini: $0.15 / $0.60 per 1M tokens; 1,000 in + 1,000 out = $0.00075 per call.
const CALL_USD = 0.00075;

describe('budgets shared through Redis', () => {
  it('two workers with the same label and budget spend one budget, never more', async () => {
    const label = `crawl-${randomUUID()}`;
    const a = worker({ label, budget: 4 * CALL_USD });
    const b = worker({ label, budget: 4 * CALL_USD });
    const clientA = a.guard(openAIClient(mock));
    const clientB = b.guard(openAIClient(mock));
    await ask(clientA);
    await ask(clientA);
    await ask(clientB);
    await ask(clientB);
    const before = mock.requests.length;
    await expect(ask(clientB)).rejects.toThrow(BudgetExceededError);
    await expect(ask(clientA)).rejects.toThrow(BudgetExceededError);
    expect(mock.requests.length).toBe(before);
    const totals = await a.sharedTotals();
    expect(totals).toMatchObject({ spentNanos: 3_000_000, reserved: 0, calls: 4, killed: null });
    expect(totals?.spent).toBeCloseTo(4 * CALL_USD, 12);
    expect(a.spent).toBeCloseTo(2 * CALL_USD, 12); // this process's share
  });

  it("onLimit applies to the shared store's refusals as to local ones: stop answers locally, warn sends anyway", async () => {
    const label = `policy-${randomUUID()}`;
    const spender = worker({ label, budget: 2 * CALL_USD });
    await ask(spender.guard(openAIClient(mock)));
    await ask(spender.guard(openAIClient(mock)));
    const events: string[] = [];
    const stopping = worker({ label, budget: 2 * CALL_USD, onLimit: 'stop' });
    stopping.on('budget-exceeded', (event) => events.push(event.action));
    const before = mock.requests.length;
    const answer = await ask(stopping.guard(openAIClient(mock)));
    expect(answer.choices[0]?.message.content).toContain('[TokenFence] Budget exceeded');
    expect(mock.requests.length).toBe(before);
    const warning = worker({ label, budget: 2 * CALL_USD, onLimit: 'warn' });
    warning.on('budget-exceeded', (event) => events.push(event.action));
    await ask(warning.guard(openAIClient(mock)));
    expect(mock.requests.length).toBe(before + 1);
    expect(events).toEqual(['stop', 'warn']);
    expect((await warning.sharedTotals())?.calls).toBe(3);
  });

  it('a run id shared by two workers is one run budget', async () => {
    const label = `svc-${randomUUID()}`;
    const runId = randomUUID();
    const a = worker({ label });
    const b = worker({ label });
    const clientA = a.guard(openAIClient(mock));
    const clientB = b.guard(openAIClient(mock));
    const options = { workflow: 'nightly', runId, budget: 2 * CALL_USD };
    await a.run(options, () => ask(clientA));
    await b.run(options, () => ask(clientB));
    await expect(a.run(options, () => ask(clientA))).rejects.toThrow(BudgetExceededError);
  });

  it("a run's scopes live in a hash of their own that expires: finished runs do not pile up in Redis", async () => {
    const label = `runs-${randomUUID()}`;
    const fence = worker({ label, budget: 1, storeOptions: { retentionMs: 60_000 } });
    const client = fence.guard(openAIClient(mock));
    const runId = randomUUID();
    await fence.run({ workflow: 'nightly', runId, budget: 0.5 }, () => fence.agent('writer', () => ask(client)));
    await (fence.store as RedisStore).budgets.drain();
    const probe = new Redis(server.port, '127.0.0.1');
    try {
      const lasting = await probe.hkeys(`tf:{${label}}:b`);
      expect(lasting.some((field) => field.includes(runId))).toBe(false);
      const runHash = `tf:{${label}}:b:${label}/nightly\u0001${runId}`;
      const runFields = await probe.hkeys(runHash);
      expect(runFields).toContain(`${label}/nightly\u0001${runId}/writer\ns`);
      const ttl = await probe.pttl(runHash);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      probe.disconnect();
    }
  });

  it('another limit for an existing scope is a typed error unless update: true', async () => {
    const label = `conflict-${randomUUID()}`;
    await ask(worker({ label, budget: 1 }).guard(openAIClient(mock)));
    const other = worker({ label, budget: 2 }).guard(openAIClient(mock));
    await expect(ask(other)).rejects.toThrow(SharedBudgetConflictError);
    const updated = worker({ label, budget: 2, update: true });
    await ask(updated.guard(openAIClient(mock)));
    expect((await updated.sharedTotals())?.budget).toBe(2);
  });

  it('kill() in one worker aborts a call in flight in another within 1 s and refuses every later call, also in new workers', async () => {
    const label = `kill-${randomUUID()}`;
    const a = worker({ label, budget: 1 });
    const b = worker({ label, budget: 1 });
    const clientB = b.guard(openAIClient(mock));
    await ask(clientB); // b is connected and subscribed
    mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000, chunks: 50, chunkDelayMs: 100 });
    const stream = await clientB.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: chatMessages,
      max_tokens: 1_000,
      stream: true,
    });
    let killedAt = 0;
    const reading = (async () => {
      for await (const _chunk of stream) {
        if (killedAt === 0) {
          killedAt = Date.now();
          a.kill('runaway spend');
        }
      }
    })();
    const error = await reading.catch((caught: unknown) => caught);
    expect(isKillSwitchError(error)).toBe(true);
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
    await expect(ask(clientB)).rejects.toThrow(KillSwitchError);
    const fresh = worker({ label, budget: 1 });
    await expect(ask(fresh.guard(openAIClient(mock)))).rejects.toThrow(KillSwitchError);
    expect(fresh.killed).toBe(true);
    fresh.reset();
    await expect.poll(async () => (await fresh.sharedTotals())?.killed).toBeNull();
  });

  it('with Redis down every call is refused fast with StoreUnavailableError and nothing is sent; recovery is automatic', async () => {
    const a = worker({ label: `down-${randomUUID()}`, budget: 1, storeOptions: { timeoutMs: 300 } });
    const client = a.guard(openAIClient(mock));
    await ask(client);
    const before = mock.requests.length;
    await server.stop();
    try {
      for (let index = 0; index < 5; index += 1) {
        const started = Date.now();
        const error = await ask(client).catch((caught: unknown) => caught);
        expect(StoreUnavailableError.isInstance(error)).toBe(true);
        expect(String((error as Error).message)).not.toContain(CANARY_KEY);
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      expect(mock.requests.length).toBe(before);
      expect(a.reserved).toBe(0);
    } finally {
      await server.start();
    }
    await expect
      .poll(
        () =>
          ask(client).then(
            () => 'ok',
            (error: Error) => error.name,
          ),
        { timeout: 5_000 },
      )
      .toBe('ok');
  });

  it('onStoreFailure.allowUsd admits a capped amount while Redis is down and charges it once on recovery', async () => {
    const label = `degraded-${randomUUID()}`;
    const a = worker({ label, budget: 1, onStoreFailure: { allowUsd: 0.0025 }, storeOptions: { timeoutMs: 200 } });
    const client = a.guard(openAIClient(mock));
    const reported: string[] = [];
    a.on('store-unavailable', (event) => {
      expect(event.store).toBe(server.url);
      reported.push(event.action);
    });
    await ask(client);
    await server.stop();
    let admitted = 0;
    try {
      for (let index = 0; index < 6; index += 1) {
        try {
          await ask(client);
          admitted += 1;
        } catch (error) {
          expect(StoreUnavailableError.isInstance(error)).toBe(true);
        }
      }
    } finally {
      await server.start();
    }
    // Each call holds its worst case (~$0.0006) while in flight and uses ~$0.00075 of the allowance after.
    expect(admitted).toBeGreaterThanOrEqual(2);
    expect(admitted).toBeLessThanOrEqual(3);
    expect(reported.filter((action) => action === 'degraded')).toHaveLength(admitted);
    expect(reported.filter((action) => action === 'refused')).toHaveLength(6 - admitted);
    const store = a.store as RedisStore;
    await store.budgets.drain();
    const totals = await a.sharedTotals();
    expect(totals?.calls).toBe(1 + admitted);
    expect(totals?.spentNanos).toBe((1 + admitted) * 750_000);
  });

  it('a call that would reserve in two trees (two hash slots) is refused before anything is sent', async () => {
    const a = worker({ label: `tree-a-${randomUUID()}` });
    const b = worker({ label: `tree-b-${randomUUID()}` });
    expect(() => new TokenFence({ parent: a, store: redisStore(server.url) })).toThrow(InvalidOptionsError);
    const clientOfB = b.guard(openAIClient(mock));
    const before = mock.requests.length;
    const error = await a.run({ workflow: 'mixed' }, () => ask(clientOfB)).catch((caught: unknown) => caught);
    expect(InvalidOptionsError.isInstance(error)).toBe(true);
    expect(mock.requests.length).toBe(before);
  });

  it('a stream longer than the hold TTL keeps its hold by heartbeat', async () => {
    const label = `long-${randomUUID()}`;
    // Room for one call's worst case (~$0.00060), not two.
    const budget = 0.001;
    const a = worker({ label, budget, storeOptions: { holdTtlMs: 300 } });
    const b = worker({ label, budget });
    mock.setScenario({ inputTokens: 10, outputTokens: 10, chunks: 12, chunkDelayMs: 100 });
    const stream = await a.guard(openAIClient(mock)).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: chatMessages,
      max_tokens: 1_000,
      stream: true,
    });
    let chunks = 0;
    for await (const _chunk of stream) {
      chunks += 1;
      if (chunks === 8) await expect(ask(b.guard(openAIClient(mock)))).rejects.toThrow(BudgetExceededError);
    }
    mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
    const totals = await a.sharedTotals();
    expect(totals).toMatchObject({ calls: 1, reserved: 0 });
  });

  it("a kill order from another process's dashboard stops the run, in every worker", async () => {
    const label = `order-${randomUUID()}`;
    const a = worker({ label });
    const dashboard = redisStore(server.url);
    const runId = randomUUID();
    mock.setScenario({ inputTokens: 10, outputTokens: 10, chunks: 40, chunkDelayMs: 50 });
    const client = a.guard(openAIClient(mock));
    const running = a.run({ workflow: 'nightly', runId }, async () => {
      for (;;) {
        const stream = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: chatMessages,
          max_tokens: 100,
          stream: true,
        });
        for await (const _chunk of stream) {
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const orderedAt = Date.now();
    dashboard.appendKillOrder({ ts: Date.now(), runId, workflow: null, reason: 'stopped from the dashboard' });
    const error = await running.catch((caught: unknown) => caught);
    expect(isKillSwitchError(error)).toBe(true);
    expect(Date.now() - orderedAt).toBeLessThan(1_500);
    mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
    // The run's kill flag is in Redis: another worker joining the run is refused.
    const b = worker({ label });
    const joined = await b
      .run({ workflow: 'nightly', runId }, () => ask(b.guard(openAIClient(mock))))
      .catch((caught: unknown) => caught);
    expect(isKillSwitchError(joined)).toBe(true);
    await dashboard.shutdown();
  });

  it('the two-worker example from the docs runs: two processes, one budget, never more', async () => {
    const example = new URL('../examples/redis-two-workers.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', example], {
      env: { ...process.env, REDIS_URL: server.url },
    });
    const perWorker = [...stdout.matchAll(/worker-[ab]: (\d+) calls/g)].map((match) => Number(match[1]));
    expect(perWorker).toHaveLength(2);
    expect(stdout).toContain('together: 13 calls, $0.009750 of the $0.01 budget (13 requests reached the provider)');
    expect((perWorker[0] ?? 0) + (perWorker[1] ?? 0)).toBe(13);
  }, 30_000);

  it('windowed budgets are shared per window', async () => {
    const label = `window-${randomUUID()}`;
    const a = worker({ label, budget: { usd: 2 * CALL_USD, per: 'day' } });
    const b = worker({ label, budget: { usd: 2 * CALL_USD, per: 'day' } });
    await ask(a.guard(openAIClient(mock)));
    await ask(b.guard(openAIClient(mock)));
    await expect(ask(a.guard(openAIClient(mock)))).rejects.toThrow(BudgetExceededError);
    const totals = await b.sharedTotals();
    expect(totals).toMatchObject({ calls: 2, spentNanos: 1_500_000 });
  });

  it('no API key and no prompt text reach Redis (its append-only file, every key and value)', async () => {
    const label = `secrets-${randomUUID()}`;
    const a = worker({ label, budget: 1 });
    await ask(a.guard(openAIClient(mock)));
    a.flush();
    expect(await (a.store as RedisStore).persisted()).toBe(true);
    const files = readdirSync(server.dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const bytes = files.map((entry) => readFileSync(join(entry.parentPath, entry.name), 'latin1')).join('\n');
    expect(bytes).toContain(label); // the AOF does hold this test's writes
    expect(bytes).not.toContain(CANARY_KEY);
    expect(bytes).not.toContain(chatMessages[0]?.content);
  });

  it('the AI SDK middleware and the Gemini SDK (no fetch seam) reserve on the shared budget too', async () => {
    const label = `manual-${randomUUID()}`;
    const middleware = tokenfenceMiddleware({
      label,
      budget: 2 * CALL_USD,
      onLimit: 'throw',
      store: redisStore(server.url),
    });
    const model = wrapLanguageModel({
      model: createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY })('gpt-4o-mini'),
      middleware,
    });
    await generateText({ model, prompt: 'Summarise the quarterly report.', maxOutputTokens: 1_000 });
    const other = worker({ label, budget: 2 * CALL_USD });
    await ask(other.guard(openAIClient(mock)));
    const before = mock.requests.length;
    await expect(
      generateText({ model, prompt: 'Summarise the quarterly report.', maxOutputTokens: 1_000, maxRetries: 0 }),
    ).rejects.toThrow(BudgetExceededError);
    const gemini = worker({ label: `gemini-${randomUUID()}`, budget: 1 }).guard(geminiClient(mock));
    await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Summarise the quarterly report.' });
    expect(mock.requests.length).toBe(before + 1);
    expect((await middleware.tokenfence.sharedTotals())?.calls).toBe(2);
    await middleware.tokenfence.close();
  });

  it("onLimit: 'stop' answers a shared refusal locally on the AI SDK and Gemini paths too", async () => {
    const label = `manual-stop-${randomUUID()}`;
    const spender = worker({ label, budget: CALL_USD });
    await ask(spender.guard(openAIClient(mock)));
    const before = mock.requests.length;
    const middleware = tokenfenceMiddleware({ label, budget: CALL_USD, store: redisStore(server.url) });
    const model = wrapLanguageModel({
      model: createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY })('gpt-4o-mini'),
      middleware,
    });
    const generated = await generateText({ model, prompt: 'Summarise the quarterly report.', maxOutputTokens: 1_000 });
    expect(generated.text).toContain('[TokenFence] Budget exceeded');
    const streamed = streamText({ model, prompt: 'Summarise the quarterly report.', maxOutputTokens: 1_000 });
    expect(await streamed.text).toContain('[TokenFence] Budget exceeded');
    expect(mock.requests.length).toBe(before);
    // gemini-2.5-flash: $0.30 / $2.50 per 1M; one call costs $0.0028, its worst case ~$0.0025.
    const geminiLabel = `gemini-stop-${randomUUID()}`;
    const geminiAsk = (fence: TokenFence) =>
      fence.guard(geminiClient(mock)).models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Summarise the quarterly report.',
        config: { maxOutputTokens: 1_000 },
      });
    await geminiAsk(worker({ label: geminiLabel, budget: 0.004, onLimit: 'stop' }));
    const geminiBefore = mock.requests.length;
    const answer = await geminiAsk(worker({ label: geminiLabel, budget: 0.004, onLimit: 'stop' }));
    expect(answer.text).toContain('[TokenFence] Budget exceeded');
    expect(mock.requests.length).toBe(geminiBefore);
    await middleware.tokenfence.close();
  });

  it('call records of every worker reach the Redis ledger', async () => {
    const label = `ledger-${randomUUID()}`;
    const a = worker({ label });
    const b = worker({ label });
    await ask(a.guard(openAIClient(mock)));
    await ask(b.guard(openAIClient(mock)));
    a.flush();
    b.flush();
    expect(await (a.store as RedisStore).persisted()).toBe(true);
    expect(await (b.store as RedisStore).persisted()).toBe(true);
    const reader = redisStore(server.url);
    await reader.refresh();
    const ours = reader.queryCalls({}).filter((record) => record.scope.startsWith(label));
    expect(ours).toHaveLength(2);
    expect(JSON.stringify(ours)).not.toContain(CANARY_KEY);
    await reader.shutdown();
  });
});
