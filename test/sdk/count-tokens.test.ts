import { describe, expect, it } from 'vitest';
import { BudgetExceededError, createMemoryLedgerStore, guard, TokenFence } from '../../src/index.js';
import type { MockProvider, MockRequestRecord } from '../../src/testing/index.js';
import { anthropicClient, CANARY_KEY, geminiClient, openAIClient } from '../support/clients.js';
import { collectEvents, drain, sleep } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/**
 * 40,001 o200k tokens: the local bound for a Claude or Gemini model is ×1.5 (≈ 60,000 tokens), far more than
 * the 5,000 the provider counts in these tests.
 */
const BIG_PROMPT = 'word '.repeat(40_000);
/** The prompt bound a count of `tokens` stands for: +2 % and +64 tokens (src/budget/counted-prompt-bound.ts). */
const planned = (tokens: number) => tokens + Math.ceil(tokens * 0.02) + 64;

/** Requests to the counting endpoints, and to the billed ones. */
const countRequests = () => mock.countRequests;
const callRequests = () => mock.requests;

/** Waits until the mock has answered everything (a count it was still delaying must not reach the next test). */
async function settled(): Promise<void> {
  while (mock.openRequests > 0) await sleep(20);
}

function onlyCount(): MockRequestRecord {
  const counts = countRequests();
  expect(counts).toHaveLength(1);
  return counts[0] as MockRequestRecord;
}

describe('Anthropic: messages/count_tokens near the budget edge', () => {
  // claude-sonnet-4-6: $3 input, $15 output per 1M. Local bound ≈ 60,009 × 3,000 + 1,000 × 15,000 n$ ≈ $0.195.
  const ask = {
    model: 'claude-sonnet-4-6',
    max_tokens: 1_000,
    messages: [{ role: 'user' as const, content: BIG_PROMPT }],
  };

  it('admits on the exact count a prompt whose local bound does not fit, without downgrade, and books only the call', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000, outputTokens: 20 });
    const store = createMemoryLedgerStore();
    const { onEvent, of } = collectEvents();
    const fence = new TokenFence({ budget: 0.05, fallback: ['claude-haiku-4-5'], store, onEvent });
    const client = fence.guard(anthropicClient(mock));
    const message = await client.messages.create({ ...ask, stop_sequences: ['END'], metadata: { user_id: 'u1' } });
    expect(message.type).toBe('message');
    expect(of('model-downgraded')).toEqual([]);
    const [counted] = of('prompt-counted');
    expect(counted).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', result: 'counted' });
    expect(counted?.countedTokens).toBe(5_000);
    expect(counted?.plannedTokens).toBe(planned(5_000));
    expect(counted?.boundTokens).toBeGreaterThan(60_000);
    // The hold: the counted prompt bound at $3/1M plus 1,000 output tokens at $15/1M.
    expect(of('call-settled')[0]?.reservedUsd).toBeCloseTo((planned(5_000) * 3_000 + 1_000 * 15_000) / 1e9, 9);
    // Only the call is charged and recorded: 5,000 × $3/1M + 20 × $15/1M.
    expect(fence.spentNanos).toBe(5_000 * 3_000 + 20 * 15_000);
    fence.flush();
    expect(store.queryCalls({})).toHaveLength(1);
    const [sent] = callRequests();
    expect(sent?.body.model).toBe('claude-sonnet-4-6');
    expect(sent?.body.max_tokens).toBe(1_000);
  });

  it('sends the count with the caller’s headers (key, version, betas) and only the fields the endpoint accepts', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000 });
    const client = guard(anthropicClient(mock), { budget: 0.05, onLimit: 'throw' });
    await client.beta.messages.create({
      ...ask,
      betas: ['context-management-2025-06-27'],
      system: 'You are terse.',
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      tools: [{ name: 'lookup', description: 'Look up a word', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'auto' },
    });
    const count = onlyCount();
    expect(count.path).toBe('/v1/messages/count_tokens');
    expect(Object.keys(count.body).sort()).toEqual(['messages', 'model', 'system', 'tool_choice', 'tools']);
    const [sent] = callRequests();
    // The SDK's credential header (x-api-key, or authorization with an auth token), version and betas.
    for (const name of ['x-api-key', 'authorization', 'anthropic-version', 'anthropic-beta', 'user-agent']) {
      expect(count.headers[name]).toBe(sent?.headers[name]);
    }
    expect(count.headers['x-api-key'] ?? count.headers.authorization).toBe('[redacted]');
    expect(count.headers['anthropic-beta']).toContain('context-management-2025-06-27');
  });

  it('still refuses, or downgrades, what does not fit even on the exact count', async () => {
    // 30,000 counted: 30,664 × 3,000 + 1,000 × 15,000 n$ ≈ $0.107.
    mock.setScenario({ count: { tokens: 30_000 } });
    const refusing = guard(anthropicClient(mock), { budget: 0.05, onLimit: 'throw' });
    await expect(refusing.messages.create(ask)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(callRequests()).toEqual([]);
    expect(refusing.tokenfence.spentNanos).toBe(0);
    expect(refusing.tokenfence.reserved).toBe(0);

    // Budget $0.08: haiku's local bound (≈ 60,009 × $1/1M + 1,000 × $5/1M ≈ $0.065) fits, as it did before counting.
    mock.requests.length = 0;
    mock.countRequests.length = 0;
    const { onEvent, of } = collectEvents();
    const downgrading = guard(anthropicClient(mock), {
      budget: 0.08,
      fallback: ['claude-haiku-4-5'],
      onLimit: 'throw',
      onEvent,
    });
    await downgrading.messages.create(ask);
    expect(of('model-downgraded')).toMatchObject([{ from: 'claude-sonnet-4-6', to: 'claude-haiku-4-5' }]);
    expect(callRequests()[0]?.body.model).toBe('claude-haiku-4-5');
    expect(onlyCount().body.model).toBe('claude-sonnet-4-6');
  });

  it.each([
    ['an HTTP 500', { tokens: 5_000, failStatus: 500 }, 'failed'],
    ['a timeout', { tokens: 5_000, delayMs: 400 }, 'timeout'],
    ['a count that is not a number', { body: { input_tokens: '5000' } }, 'failed'],
    ['a negative count', { body: { input_tokens: -5 } }, 'failed'],
    ['a body without the count', { body: { tokens: 5_000 } }, 'failed'],
  ] as const)('falls back to the local bound on %s (never admits on a failed count)', async (_name, count, result) => {
    mock.setScenario({ count });
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), {
      budget: 0.05,
      countTokens: { timeoutMs: 100 },
      onLimit: 'throw',
      onEvent,
    });
    await expect(client.messages.create(ask)).rejects.toBeInstanceOf(BudgetExceededError);
    const [counted] = of('prompt-counted');
    expect(counted).toMatchObject({ result, countedTokens: null });
    expect(counted?.plannedTokens).toBe(counted?.boundTokens);
    expect(callRequests()).toEqual([]);
    expect(client.tokenfence.reserved).toBe(0);
    expect(JSON.stringify(of('prompt-counted'))).not.toContain(CANARY_KEY);
    await settled();
  });

  it('counts nothing when the local bound fits, or when countTokens is false', async () => {
    const roomy = guard(anthropicClient(mock), { budget: 5 });
    await roomy.messages.create(ask);
    expect(countRequests()).toEqual([]);
    mock.setScenario({ count: { tokens: 5_000 } });
    const never = guard(anthropicClient(mock), { budget: 0.05, countTokens: false, onLimit: 'throw' });
    await expect(never.messages.create(ask)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(countRequests()).toEqual([]);
  });

  it('counts before a stream, and the stream settles on its usage', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000, outputTokens: 30 });
    const client = guard(anthropicClient(mock), { budget: 0.05, onLimit: 'throw' });
    const stream = client.messages.stream(ask);
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(30);
    expect(client.tokenfence.spentNanos).toBe(5_000 * 3_000 + 30 * 15_000);
    expect(client.tokenfence.reserved).toBe(0);
    onlyCount();
  });

  it('a stream helper refused after the count fails with the refusal as the SDK error’s cause, sending nothing', async () => {
    mock.setScenario({ count: { tokens: 30_000 } });
    const client = guard(anthropicClient(mock), { budget: 0.05, onLimit: 'throw' });
    const error = await client.messages
      .stream(ask)
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(BudgetExceededError);
    expect(callRequests()).toEqual([]);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('counts once per call: an SDK retry goes to the admitted call, reserved on its own', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000, failStatus: 500, failTimes: 1 });
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock, { maxRetries: 1 }), { budget: 0.05, onEvent });
    await client.messages.create(ask);
    onlyCount();
    expect(callRequests().map((request) => request.status)).toEqual([500, 200]);
    expect(of('call-settled').map((event) => event.outcome)).toEqual(['error', 'ok']);
    expect(client.tokenfence.spentNanos).toBe(5_000 * 3_000 + 16 * 15_000);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('gives up the call, holding nothing, when the caller aborts during the count', async () => {
    mock.setScenario({ count: { tokens: 5_000, delayMs: 300 } });
    const controller = new AbortController();
    const client = guard(anthropicClient(mock), { budget: 0.05 });
    const pending = client.messages.create(ask, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
    expect(callRequests()).toEqual([]);
    expect(client.tokenfence.reserved).toBe(0);
    expect(client.tokenfence.spentNanos).toBe(0);
    await settled();
  });

  it('counts requests that bypass the methods (client.post) the same way', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000 });
    const client = guard(anthropicClient(mock), { budget: 0.05, onLimit: 'throw' });
    await client.post('/v1/messages', { body: ask });
    onlyCount();
    expect(client.tokenfence.spentNanos).toBe(5_000 * 3_000 + 16 * 15_000);
  });
});

describe('OpenAI Responses: responses/input_tokens near the budget edge', () => {
  // gpt-4.1-mini: $0.40 input, $1.60 output per 1M; `previous_response_id` bounds the prompt by the whole
  // 1,047,576-token context (≈ $0.42).
  const ask = { model: 'gpt-4.1-mini', previous_response_id: 'resp_earlier', input: 'Go on.' };

  it('admits on the exact count a prompt with hidden context, without downgrade or clamp', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000, outputTokens: 40 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 0.1, fallback: ['gpt-4.1-nano'], onEvent });
    await client.responses.create({ ...ask, store: true, metadata: { run: 'r1' } });
    expect(of('model-downgraded')).toEqual([]);
    expect(of('max-tokens-clamped')).toEqual([]);
    const count = onlyCount();
    expect(count.path).toBe('/v1/responses/input_tokens');
    expect(Object.keys(count.body).sort()).toEqual(['input', 'model', 'previous_response_id']);
    expect(count.headers.authorization).toBe('[redacted]');
    const [sent] = callRequests();
    expect(sent?.body.model).toBe('gpt-4.1-mini');
    expect(sent?.body.max_output_tokens).toBeUndefined();
    expect(client.tokenfence.spentNanos).toBe(5_000 * 400 + 40 * 1_600);
  });

  it('falls back to the local bound when the count fails', async () => {
    mock.setScenario({ count: { failStatus: 404 } });
    const client = guard(openAIClient(mock), { budget: 0.1, onLimit: 'throw' });
    await expect(client.responses.create(ask)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(callRequests()).toEqual([]);
  });

  it('never counts a request built from a stored prompt template (the endpoint would not see it)', async () => {
    mock.setScenario({ count: { tokens: 5_000 } });
    const client = guard(openAIClient(mock), { budget: 0.1, onLimit: 'throw' });
    await expect(
      client.responses.create({ model: 'gpt-4.1-mini', prompt: { id: 'pmpt_1' }, input: 'Hi.' }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toEqual([]);
    expect(mock.countRequests).toEqual([]);
  });

  it('chat completions have no counting endpoint: planned on the local count, nothing asked', async () => {
    const client = guard(openAIClient(mock), { budget: 0.001, onLimit: 'throw' });
    await expect(
      client.chat.completions.create({
        model: 'gpt-4.1-mini',
        max_completion_tokens: 1_000,
        messages: [{ role: 'user', content: BIG_PROMPT }],
      }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toEqual([]);
    expect(mock.countRequests).toEqual([]);
  });
});

describe('Gemini: models.countTokens near the budget edge', () => {
  // gemini-2.5-flash: $0.30 input, $2.50 output per 1M. Local bound ≈ 60,009 × 300 + 1,000 × 2,500 n$ ≈ $0.0205.
  const ask = { model: 'gemini-2.5-flash', contents: BIG_PROMPT, config: { maxOutputTokens: 1_000 } };

  it('admits on the exact count through the caller’s client, without downgrade', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000, outputTokens: 25 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 0.01, fallback: ['gemini-2.5-flash-lite'], onEvent });
    await client.models.generateContent(ask);
    expect(of('model-downgraded')).toEqual([]);
    expect(of('prompt-counted')[0]).toMatchObject({ provider: 'google', result: 'counted', countedTokens: 5_000 });
    const count = onlyCount();
    expect(count.path).toBe('/v1beta/models/gemini-2.5-flash:countTokens');
    expect(Object.keys(count.body)).toEqual(['contents']);
    expect(count.headers['x-goog-api-key']).toBe('[redacted]');
    expect(callRequests()[0]?.body.model).toBe('gemini-2.5-flash');
    expect(client.tokenfence.spentNanos).toBe(5_000 * 300 + 25 * 2_500);
  });

  it('adds the byte bound of a system instruction the Gemini API count cannot take', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 0.01, onEvent });
    const system = 'Answer in one short sentence.';
    await client.models.generateContent({ ...ask, config: { ...ask.config, systemInstruction: system } });
    const counted = of('prompt-counted')[0]?.countedTokens ?? 0;
    expect(counted).toBeGreaterThanOrEqual(5_000 + system.length);
    expect(counted).toBeLessThan(5_000 + system.length + 16);
    expect(onlyCount().body.systemInstruction).toBeUndefined();
  });

  it('streams after the count, and falls back to the local bound on a late count', async () => {
    mock.setScenario({ count: { tokens: 5_000 }, inputTokens: 5_000 });
    const client = guard(geminiClient(mock), { budget: 0.01 });
    await drain(await client.models.generateContentStream(ask));
    expect(client.tokenfence.reserved).toBe(0);
    expect(client.tokenfence.spentNanos).toBe(5_000 * 300 + 16 * 2_500);

    mock.requests.length = 0;
    mock.countRequests.length = 0;
    mock.setScenario({ count: { tokens: 5_000, delayMs: 400 } });
    const { onEvent, of } = collectEvents();
    const late = guard(geminiClient(mock), { budget: 0.01, countTokens: { timeoutMs: 50 }, onLimit: 'throw', onEvent });
    await expect(late.models.generateContent(ask)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(of('prompt-counted')[0]?.result).toBe('timeout');
    expect(callRequests()).toEqual([]);
    await settled();
  });

  it('counts nothing when the local bound fits', async () => {
    const client = guard(geminiClient(mock), { budget: 1 });
    await client.models.generateContent(ask);
    expect(countRequests()).toEqual([]);
  });
});
