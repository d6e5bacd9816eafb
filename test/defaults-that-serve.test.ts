import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AnomalyDetectedEvent,
  guard,
  isBudgetStop,
  KillSwitchError,
  openSqliteLedgerStore,
  TokenFence,
  type TokenFenceEvent,
  UnknownModelError,
} from '../src/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { anthropicClient, chatMessages, geminiClient, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

const CALL = { model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 } as const;
// gpt-4o: 10 input × $2.50/1M + 1,000 output × $10/1M.
const CALL_NANOS = 10 * 2_500 + 1_000 * 10_000;

/** A SQLite ledger with 20 clean runs of `workflow` at 1,000 n$ each: a baseline with p99 = 1,000 n$. */
function ledgerWithHistory(workflow: string): `sqlite:${string}` {
  const path = join(mkdtempSync(join(tmpdir(), 'tokenfence-defaults-')), 'ledger.db');
  const store = openSqliteLedgerStore(path);
  const now = Date.now();
  store.appendRuns(
    Array.from({ length: 20 }, (_, index) => ({
      runId: `past-${index}`,
      workflow,
      startedAt: now - 60_000 + index,
      endedAt: now - 59_000 + index,
      costNanos: 1_000,
      calls: 1,
      outcome: 'ok' as const,
      anomalies: 0,
      budgetNanos: null,
    })),
  );
  store.close();
  return `sqlite:${path}`;
}

function anomaliesOf(events: TokenFenceEvent[]): AnomalyDetectedEvent[] {
  return events.filter((event): event is AnomalyDetectedEvent => event.type === 'anomaly-detected');
}

describe('anomaly detection by default', () => {
  it('is on with only a persistent store configured: the run that spent far past p99 is flagged as spent', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({ store: ledgerWithHistory('nightly'), onEvent: (event) => events.push(event) });
    const client = fence.guard(openAIClient(mock));
    await fence.run({ workflow: 'nightly' }, () => client.chat.completions.create(CALL));
    const [anomaly] = anomaliesOf(events);
    expect(anomaly).toMatchObject({
      kind: 'run-cost',
      basis: 'spent',
      action: 'alert',
      valueUsd: CALL_NANOS / 1e9,
      spentUsd: CALL_NANOS / 1e9,
      baselineUsd: 1_000 / 1e9,
      multiple: 3,
    });
    expect(anomaly?.message).toBe(
      `the run spent $${(CALL_NANOS / 1e9).toFixed(4)}, more than 3× the workflow's p99 run cost of $0.0000`,
    );
    fence.flush();
    expect(fence.store.queryRuns({ workflow: 'nightly' }).at(-1)).toMatchObject({ anomalies: 1, outcome: 'ok' });
    await fence.close();
  });

  it('is off with anomaly: false (on the fence or the run), and off for the in-memory ledger', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    for (const options of [{ anomaly: false as const }, {}]) {
      const events: TokenFenceEvent[] = [];
      const store = ledgerWithHistory('nightly');
      const fence = new TokenFence({ store, ...options, onEvent: (event) => events.push(event) });
      const client = fence.guard(openAIClient(mock));
      const runOptions =
        'anomaly' in options ? { workflow: 'nightly' } : { workflow: 'nightly', anomaly: false as const };
      await fence.run(runOptions, () => client.chat.completions.create(CALL));
      expect(anomaliesOf(events)).toEqual([]);
      await fence.close();
    }
    const events: TokenFenceEvent[] = [];
    const inMemory = new TokenFence({ onEvent: (event) => events.push(event) });
    const client = inMemory.guard(openAIClient(mock));
    for (let index = 0; index < 21; index += 1) await inMemory.run({ workflow: 'mem-only' }, async () => {});
    await inMemory.run({ workflow: 'mem-only' }, () => client.chat.completions.create(CALL));
    expect(anomaliesOf(events)).toEqual([]);
  });

  it("action 'kill' refuses on a projected worst case and says projected, never the run's cost", async () => {
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({
      store: ledgerWithHistory('crawl'),
      anomaly: { action: 'kill' },
      onEvent: (event) => events.push(event),
    });
    const client = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const outcome = await fence
      .run({ workflow: 'crawl' }, () => client.chat.completions.create(CALL))
      .catch((error: unknown) => error);
    expect(mock.requests).toHaveLength(0); // refused before it was sent
    expect(outcome).toBeInstanceOf(KillSwitchError);
    const [anomaly] = anomaliesOf(events);
    expect(anomaly).toMatchObject({ basis: 'projected', spentUsd: 0, action: 'kill' });
    expect(anomaly?.valueUsd).toBeGreaterThan(0);
    expect(anomaly?.message).toMatch(
      /^the next call's worst case would take the run to a projected \$\d+\.\d{4} \(spent so far \$0\.0000\)/,
    );
    expect((outcome as KillSwitchError).message).toContain('projected');
    expect((outcome as KillSwitchError).message).not.toContain('run spent');
    await fence.close();
  });
});

describe('fallback models', () => {
  it("a guarded client's fallback without a price fails when the guard is made", () => {
    expect(() => guard(openAIClient(mock), { fallback: ['gpt-4o-mini', 'gpt-4o-mnii'] })).toThrow(UnknownModelError);
    expect(() => new TokenFence().guard(anthropicClient(mock), { fallback: 'claude-haiku-typo' })).toThrow(
      /No price is known for model "claude-haiku-typo"/,
    );
    expect(() => guard(openAIClient(mock), { fallback: 'gpt-4o-mini' })).not.toThrow();
  });

  it("a fence's or an agent's fallback fails at the first call that could use it, before anything is sent", async () => {
    const fence = new TokenFence({ fallback: 'gpt-4o-mnii' });
    const client = fence.guard(openAIClient(mock));
    await expect(client.chat.completions.create(CALL)).rejects.toBeInstanceOf(UnknownModelError);
    const plain = new TokenFence();
    const plainClient = plain.guard(openAIClient(mock));
    await expect(
      plain.agent('writer', { fallback: 'gpt-4o-mnii' }, () => plainClient.chat.completions.create(CALL)),
    ).rejects.toBeInstanceOf(UnknownModelError);
    expect(mock.requests).toHaveLength(0);
  });

  it('fence.agent() takes a fallback: its calls go to the cheaper model when the asked one does not fit', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 100 });
    const fence = new TokenFence();
    const client = fence.guard(openAIClient(mock));
    // gpt-4o's worst case (≥ 1,000 output tokens × $10/1M = $0.01) does not fit $0.005; gpt-4o-mini's does.
    const response = await fence.agent('writer', { budget: 0.005, fallback: 'gpt-4o-mini' }, () =>
      client.chat.completions.create(CALL),
    );
    expect(response.object).toBe('chat.completion');
    expect(mock.requests[0]).toMatchObject({ body: { model: 'gpt-4o-mini' } });
  });
});

describe('a local stop answer is marked', () => {
  it('isBudgetStop() is true for the JSON response and the stream of a stop, false for real ones; the header is set', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10 });
    const real = guard(openAIClient(mock));
    const realJson = await real.chat.completions.create(CALL);
    const realStream = await real.chat.completions.create({ ...CALL, stream: true });
    for await (const _ of realStream);
    expect(isBudgetStop(realJson)).toBe(false);
    expect(isBudgetStop(realStream)).toBe(false);
    const realResponse = await real.chat.completions.create(CALL).asResponse();
    expect(isBudgetStop(realResponse)).toBe(false);

    const sent = mock.requests.length;
    const stopped = guard(openAIClient(mock), { budget: 0 });
    const json = await stopped.chat.completions.create(CALL);
    expect(isBudgetStop(json)).toBe(true);
    expect(json.choices[0]?.message.content).toContain('Budget exceeded');
    const stream = await stopped.chat.completions.create({ ...CALL, stream: true });
    expect(isBudgetStop(stream)).toBe(true);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('Budget exceeded');
    const response = await stopped.chat.completions.create(CALL).asResponse();
    expect(response.headers.get('x-tokenfence-stop')).toBe('budget-exceeded');
    expect(isBudgetStop(response)).toBe(true);

    const anthropic = guard(anthropicClient(mock), { budget: 0 });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: chatMessages,
    });
    expect(isBudgetStop(message)).toBe(true);
    const messageStream = anthropic.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: chatMessages,
    });
    expect(isBudgetStop(messageStream)).toBe(true);
    await messageStream.finalMessage();

    const gemini = guard(geminiClient(mock), { budget: 0 });
    const result = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Summarise.' });
    expect(isBudgetStop(result)).toBe(true);
    expect(mock.requests.length).toBe(sent); // no stop answer sent anything
    expect(isBudgetStop(null)).toBe(false);
    expect(isBudgetStop({ choices: [] })).toBe(false);
  });
});

describe('unknown models without a budget', () => {
  const UNPRICED = { model: 'in-house-llm-7b', messages: chatMessages, max_tokens: 50 } as const;

  it('tracking only: the call goes through, is recorded with cost unknown (not a known $0), and an event says so', async () => {
    mock.setScenario({ inputTokens: 12, outputTokens: 30 });
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({ store: 'memory', label: `tracking-${Date.now()}`, onEvent: (e) => events.push(e) });
    const client = fence.guard(openAIClient(mock), { label: 'local' });
    const response = await client.chat.completions.create(UNPRICED);
    expect(response.object).toBe('chat.completion');
    expect(mock.requests).toHaveLength(1);
    expect(events.filter((event) => event.type === 'model-unpriced')).toEqual([
      expect.objectContaining({ model: 'in-house-llm-7b', provider: 'openai', label: 'local' }),
    ]);
    const settled = events.find((event) => event.type === 'call-settled');
    expect(settled).toMatchObject({ source: 'unknown', priceOrigin: 'unknown', costNanos: 0 });
    expect(fence.calls).toBe(1);
    expect(fence.unpricedCalls).toBe(1);
    expect(fence.spentNanos).toBe(0);
    fence.flush();
    const [record] = fence.store.queryCalls({}).filter((call) => call.scope.startsWith(fence.label));
    expect(record).toMatchObject({ model: 'in-house-llm-7b', costSource: 'unknown', costNanos: 0, outcome: 'ok' });
    expect(record?.inputUncached).toBe(12); // the usage is kept: it can be priced later
    // A kill still stops it.
    void fence.kill('stop');
    await expect(client.chat.completions.create(UNPRICED)).rejects.toBeInstanceOf(KillSwitchError);
  });

  it('with a budget anywhere up the tree, the refusal stays (UnknownModelError, nothing sent)', async () => {
    const fence = new TokenFence({ budget: 10 });
    const client = fence.guard(openAIClient(mock));
    await expect(client.chat.completions.create(UNPRICED)).rejects.toBeInstanceOf(UnknownModelError);
    const inRun = new TokenFence();
    const runClient = inRun.guard(openAIClient(mock));
    await expect(
      inRun.run({ workflow: 'w', budget: 1 }, () => runClient.chat.completions.create(UNPRICED)),
    ).rejects.toBeInstanceOf(UnknownModelError);
    expect(mock.requests).toHaveLength(0);
  });
});
