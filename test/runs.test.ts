import { describe, expect, it } from 'vitest';
import { BudgetExceededError, createMemoryLedgerStore, TokenFence } from '../src/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { anthropicClient, chatMessages, openAIClient } from './support/clients.js';
import { sleep } from './support/collect-events.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// gpt-4o with 100 input and 100 output tokens: 100 × $2.50/1M + 100 × $10/1M.
const CALL_NANOS = 100 * 2_500 + 100 * 10_000;

describe('runs and agents by context', () => {
  it('attributes every call to its run and agent, across awaits and interleaved runs, through one shared client', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 100, delayMs: 5 });
    const fence = new TokenFence({ label: 'service', store: 'memory' });
    const openai = fence.guard(openAIClient(mock));
    const anthropic = fence.guard(anthropicClient(mock));
    const research = (topic: string) =>
      openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: topic }],
        max_tokens: 200,
      });

    const runOnce = (workflow: string, topics: string[]) =>
      fence.run({ workflow, budget: 1 }, async (run) => {
        await fence.agent('planner', { share: 0.15 }, () => research('plan'));
        await Promise.all(
          topics.map((topic) =>
            fence.agent('researcher', { share: 0.5 }, async () => {
              await sleep(1);
              return research(topic);
            }),
          ),
        );
        await fence.agent('writer', () =>
          anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, messages: chatMessages }),
        );
        expect(run.byAgent()).toMatchObject({
          planner: { calls: 1, spent: CALL_NANOS / 1e9, budget: 0.15 },
          researcher: { calls: topics.length, budget: 0.5 },
          writer: { calls: 1 },
        });
        return run;
      });
    const [first, second] = await Promise.all([
      runOnce('research-report', ['a', 'b', 'c']),
      runOnce('news-digest', ['x']),
    ]);
    expect(first.calls).toBe(5);
    expect(second.calls).toBe(3);
    expect(first.spentNanos).toBe(4 * CALL_NANOS + (100 * 1_000 + 100 * 5_000));
    expect(fence.spentNanos).toBe(first.spentNanos + second.spentNanos);

    fence.flush();
    const records = fence.store.queryCalls({});
    expect(records).toHaveLength(8);
    const ofFirst = records.filter((record) => record.runId === first.id);
    expect(ofFirst.every((record) => record.workflow === 'research-report')).toBe(true);
    expect(ofFirst.filter((record) => record.agent === 'researcher')).toHaveLength(3);
    expect(records.filter((record) => record.runId === second.id && record.agent === 'writer')).toHaveLength(1);
    const runs = fence.store.queryRuns({});
    expect(runs.map((run) => [run.workflow, run.calls, run.outcome])).toEqual(
      expect.arrayContaining([
        ['research-report', 5, 'ok'],
        ['news-digest', 3, 'ok'],
      ]),
    );
  });

  it("enforces the run's and the agent's budgets on calls made inside them", async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 1_000 });
    const fence = new TokenFence({ label: 'service', store: 'memory' });
    const openai = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const call = () => openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    // Each call's worst case is a little over $0.01: the agent (40 % of $0.05) affords one.
    await fence.run({ workflow: 'tight', budget: 0.05 }, async () => {
      await fence.agent('researcher', { share: 0.4 }, async () => {
        await call();
        await expect(call()).rejects.toBeInstanceOf(BudgetExceededError);
      });
      await fence.agent('writer', { share: 0.4 }, () => call());
    });
    await call(); // outside the run: only the fence (no limit) applies
    fence.flush();
    const outcomes = fence.store.queryCalls({}).map((record) => [record.agent, record.outcome]);
    expect(outcomes).toEqual([
      ['researcher', 'ok'],
      ['researcher', 'blocked'],
      ['writer', 'ok'],
      [null, 'ok'],
    ]);
  });

  it('kill() on a run stops only that run', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10 });
    const fence = new TokenFence({ store: 'memory' });
    const openai = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const call = () => openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 });
    let killedRun = '';
    await Promise.all([
      fence.run({ workflow: 'w' }, async (run) => {
        killedRun = run.id;
        run.kill('enough');
        await expect(call()).rejects.toThrow(/killed/);
      }),
      fence.run({ workflow: 'w' }, () => call()),
    ]);
    fence.flush();
    expect(fence.store.queryRuns({}).find((run) => run.runId === killedRun)?.outcome).toBe('killed');
    expect(fence.store.queryCalls({ runId: killedRun }).map((record) => record.outcome)).toEqual(['killed']);
  });

  it('obeys kill orders from the store, also those given between two short runs, once each', async () => {
    const fence = new TokenFence({ store: createMemoryLedgerStore() });
    await fence.run({ workflow: 'crawl' }, () => undefined);
    fence.store.appendKillOrder({ ts: Date.now(), runId: null, workflow: 'crawl', reason: 'from the dashboard' });
    const refused = await fence.run({ workflow: 'crawl' }, (run) => run.killed).catch((error: unknown) => error);
    expect(refused).toBe(true);
    fence.reset();
    expect(await fence.run({ workflow: 'crawl' }, (run) => run.killed)).toBe(false);
    let finishB = () => {};
    const b = fence.run(
      { workflow: 'crawl', runId: 'run-b' },
      (run) => new Promise<boolean>((resolve) => (finishB = () => resolve(run.killed))),
    );
    fence.store.appendKillOrder({ ts: Date.now(), runId: 'run-b', workflow: null, reason: 'stop b' });
    // The next run's start reads the order at once (no 0.5 s tick needed) and kills run-b, not itself.
    const a = await fence.run({ workflow: 'crawl', runId: 'run-a' }, (run) => run.killed);
    finishB();
    expect([a, await b]).toEqual([false, true]);
  });

  it('keeps a run killable when another run reuses its id', async () => {
    const fence = new TokenFence({ store: 'memory' });
    let release = () => {};
    const first = fence.run({ workflow: 'w', runId: 'same' }, () => sleep(5));
    const second = fence.run(
      { workflow: 'w', runId: 'same' },
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    await first;
    expect(fence.activeRuns.map((run) => run.id)).toEqual(['same']);
    release();
    await second;
  });
});

describe('the ledger record of a call', () => {
  it('has every field, no prompt text by default, and prompt and completion with storeContent', async () => {
    mock.setScenario({ inputTokens: 80, cachedTokens: 20, outputTokens: 50, reasoningTokens: 10 });
    const plain = new TokenFence({ store: 'memory' });
    await plain
      .guard(openAIClient(mock), { label: 'agent' })
      .chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 60 });
    plain.flush();
    const [record] = plain.store.queryCalls({});
    expect(record).toMatchObject({
      v: 1,
      runId: null,
      scope: 'default/agent',
      provider: 'openai',
      model: 'gpt-4o',
      modelUsed: 'gpt-4o',
      inputUncached: 80,
      inputCacheRead: 20,
      outputText: 40,
      outputReasoning: 10,
      costNanos: 80 * 2_500 + 20 * 1_250 + 50 * 10_000,
      costSource: 'provider',
      attempt: 1,
      outcome: 'ok',
      status: 200,
      stream: false,
      prompt: null,
      completion: null,
    });
    const withContent = new TokenFence({ store: 'memory', storeContent: true });
    await withContent
      .guard(openAIClient(mock))
      .chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 60 });
    withContent.flush();
    const [stored] = withContent.store.queryCalls({});
    expect(stored?.prompt).toContain('Summarise the quarterly report');
    expect(stored?.completion).toContain('lorem');
  });

  it('records costs priced by a user override as such', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 0 });
    const fence = new TokenFence({ store: 'memory', prices: { 'gpt-4o': { input: 1, output: 1 } } });
    await fence
      .guard(openAIClient(mock))
      .chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 10 });
    fence.flush();
    expect(fence.store.queryCalls({})[0]).toMatchObject({ costSource: 'override', costNanos: 1_000_000 });
  });
});
