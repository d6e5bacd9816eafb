import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  guard,
  isBudgetExceededError,
  KillSwitchError,
  TokenFence,
  UnknownModelError,
} from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { collectEvents, drain, sleep } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// gpt-4o: $2.50 / 1M input, $1.25 / 1M cached input, $10 / 1M output.
const V01_NANOS = 800 * 2_500 + 200 * 1_250 + 500 * 10_000;

describe('chat.completions.create', () => {
  it('prices a JSON call from the returned usage: cached and reasoning tokens split, never counted twice', async () => {
    mock.setScenario({ inputTokens: 800, cachedTokens: 200, outputTokens: 500, reasoningTokens: 100 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 1, label: 'planner', onEvent });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      max_tokens: 600,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.usage?.prompt_tokens).toBe(1_000);
    expect(client.tokenfence.spentNanos).toBe(V01_NANOS);
    expect(client.tokenfence.spent).toBe(0.00725);
    expect(client.tokenfence.reserved).toBe(0);
    expect(client.tokenfence.calls).toBe(1);
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({
      label: 'planner',
      model: 'gpt-4o',
      modelUsed: 'gpt-4o',
      attempt: 1,
      outcome: 'ok',
      source: 'provider',
      costNanos: V01_NANOS,
      status: 200,
    });
    expect(settled?.usage).toEqual({
      inputUncached: 800,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 400,
      outputReasoning: 100,
    });
  });

  it('keeps the APIPromise helpers: withResponse() and asResponse() work and still settle', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 10 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const promise = client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 50 });
    const { data, response, request_id } = await promise.withResponse();
    expect(data.choices[0]?.message.content).toContain('lorem');
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_mock');
    const raw = await client.chat.completions
      .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 50 })
      .asResponse();
    expect(((await raw.json()) as { object: string }).object).toBe('chat.completion');
    expect(client.tokenfence.spentNanos).toBe(2 * (100 * 2_500 + 10 * 10_000));
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('injects include_usage into streams and hides the extra usage chunk from the caller', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      max_tokens: 600,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(mock.requests.at(-1)?.body.stream_options).toEqual({ include_usage: true });
    expect(chunks.some((chunk) => chunk.choices.length === 0)).toBe(false);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toContain('lorem');
    expect(client.tokenfence.spentNanos).toBe(1_000 * 2_500 + 500 * 10_000);
  });

  it('passes the usage chunk through to a caller who asked for it', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 5 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 20,
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBe(5);
    expect(client.tokenfence.spentNanos).toBe(10 * 2_500 + 5 * 10_000);
  });

  it('charges a stream that ends without usage an estimate (the hold), flagged, never $0', async () => {
    mock.setScenario({ omitUsage: true, outputTokens: 5 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 1, onEvent });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      max_tokens: 100,
    });
    await drain(stream);
    const [settled] = of('call-settled');
    expect(settled?.source).toBe('estimated');
    expect(settled?.costNanos).toBeGreaterThan(0);
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('releases nothing held and charges the hold when the consumer breaks out of the stream', async () => {
    mock.setScenario({ chunks: 8, chunkDelayMs: 5 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 1, onEvent });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      max_tokens: 100,
    });
    for await (const _chunk of stream) break;
    await sleep(20);
    expect(client.tokenfence.reserved).toBe(0);
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'aborted', source: 'estimated' });
  });

  it('does not prevent tee(), and both branches see every chunk', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 8, chunks: 4 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      max_tokens: 20,
    });
    const [left, right] = stream.tee();
    const read = async (branch: typeof left) => {
      let text = '';
      for await (const chunk of branch) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    const [a, b] = await Promise.all([read(left), read(right)]);
    expect(a).toBe(b);
    expect(a).toContain('lorem');
    expect(client.tokenfence.spentNanos).toBe(10 * 2_500 + 8 * 10_000);
  });

  it('does not prevent controller.abort(): the stream stops and the hold is charged once', async () => {
    mock.setScenario({ chunks: 10, chunkDelayMs: 10 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      max_tokens: 100,
    });
    let seen = 0;
    for await (const _chunk of stream) {
      seen += 1;
      if (seen === 2) stream.controller.abort();
    }
    await sleep(20);
    expect(client.tokenfence.reserved).toBe(0);
    expect(client.tokenfence.calls).toBe(1);
  });

  it("honours the caller's own AbortSignal next to the guard's", async () => {
    mock.setScenario({ delayMs: 2_000 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'gpt-4o', messages: chatMessages, max_tokens: 5 },
      { signal: controller.signal },
    );
    await sleep(20);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(client.tokenfence.reserved).toBe(0);
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      client.chat.completions.create(
        { model: 'gpt-4o', messages: chatMessages, max_tokens: 5 },
        { signal: aborted.signal },
      ),
    ).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('charges nothing and holds nothing for a failed call (4xx / 5xx)', async () => {
    mock.setScenario({ failStatus: 400 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 1, onEvent });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 10 }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(client.tokenfence.spent).toBe(0);
    expect(client.tokenfence.reserved).toBe(0);
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'error', costNanos: 0, status: 400 });
  });

  it('works through the chat.completions.stream() helper and its events', async () => {
    mock.setScenario({ inputTokens: 20, outputTokens: 6 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const runner = client.chat.completions.stream({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 });
    let deltas = '';
    runner.on('content', (delta) => {
      deltas += delta;
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(deltas);
    expect(client.tokenfence.spentNanos).toBe(20 * 2_500 + 6 * 10_000);
  });
});

describe('requests that bypass the intercepted methods', () => {
  it('guards chat.completions.runTools() from the request body', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 10 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o',
      messages: chatMessages,
      max_tokens: 50,
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'Looks it up',
            parameters: { type: 'object', properties: {} },
            function: () => 'ok',
            parse: JSON.parse,
          },
        },
      ],
    });
    await runner.finalContent();
    expect(client.tokenfence.spentNanos).toBe(100 * 2_500 + 10 * 10_000);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('refuses a raw client.post() to a priced endpoint that does not fit, sending nothing', async () => {
    const client = guard(openAIClient(mock), { budget: 0, onLimit: 'throw' });
    const error = await client
      .post('/chat/completions', { body: { model: 'gpt-4o', messages: chatMessages, max_tokens: 10 } })
      .catch((caught: unknown) => caught);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(0);
  });

  it('passes requests to other endpoints through untouched', async () => {
    const client = guard(openAIClient(mock), { budget: 0 });
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(mock.requests).toHaveLength(1);
  });
});

describe('responses and embeddings', () => {
  it('prices responses.create as JSON and as a stream', async () => {
    mock.setScenario({ inputTokens: 300, cachedTokens: 100, outputTokens: 50, reasoningTokens: 20 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const response = await client.responses.create({
      model: 'gpt-5',
      input: 'Plan the research.',
      max_output_tokens: 100,
    });
    expect(response.output_text).toContain('lorem');
    const perCall = 300 * 1_250 + 100 * 125 + 50 * 10_000;
    expect(client.tokenfence.spentNanos).toBe(perCall);
    const stream = await client.responses.create({
      model: 'gpt-5',
      input: 'Plan the research.',
      max_output_tokens: 100,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
    expect(client.tokenfence.spentNanos).toBe(2 * perCall);
  });

  it('prices embeddings.create on input tokens', async () => {
    mock.setScenario({ inputTokens: 1_000 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(result.data).toHaveLength(1);
    expect(client.tokenfence.spentNanos).toBe(1_000 * 20);
  });
});

describe('budgets', () => {
  it('refuses an unknown model before any request', async () => {
    const client = guard(openAIClient(mock), { budget: 1 });
    await expect(
      client.chat.completions.create({ model: 'gpt-9-imaginary', messages: chatMessages }),
    ).rejects.toBeInstanceOf(UnknownModelError);
    expect(mock.requests).toHaveLength(0);
  });

  it('prices an unknown model through `prices`', async () => {
    mock.setScenario({ inputTokens: 1_000_000, outputTokens: 1_000 });
    const client = guard(openAIClient(mock), { budget: 5, prices: { 'gpt-9-imaginary': { input: 1, output: 2 } } });
    await client.chat.completions.create({ model: 'gpt-9-imaginary', messages: chatMessages, max_tokens: 1_000 });
    expect(client.tokenfence.spent).toBe(1.002);
  });

  it('lets 8–9 of 40 concurrent calls through a budget that affords 9, and never ends above it', async () => {
    mock.setScenario({ outputTokens: 1_000, delayMs: 20 });
    const perCallWorstCase = 0.01 + 0.000_05; // 1,000 output tokens at $10/1M, plus a small prompt
    const client = guard(openAIClient(mock), { budget: perCallWorstCase * 9.5, onLimit: 'throw' });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        client.chat.completions.create({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'hi' }],
          max_tokens: 1_000,
        }),
      ),
    );
    const admitted = results.filter((result) => result.status === 'fulfilled').length;
    expect(admitted).toBeGreaterThanOrEqual(8);
    expect(admitted).toBeLessThanOrEqual(9);
    expect(
      results.filter((result) => result.status === 'rejected').every((result) => isBudgetExceededError(result.reason)),
    ).toBe(true);
    expect(mock.requests).toHaveLength(admitted);
    expect(client.tokenfence.spent).toBeLessThanOrEqual(client.tokenfence.budget);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('clamps max_tokens to what the budget can pay for when the request sets no cap', async () => {
    mock.setScenario({ outputTokens: 50_000 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 0.05, onEvent });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages });
    const clamped = of('max-tokens-clamped')[0];
    expect(clamped?.clampedTo).toBeGreaterThan(100);
    expect(clamped?.clampedTo).toBeLessThan(16_384);
    expect(mock.requests[0]?.body.max_completion_tokens).toBe(clamped?.clampedTo);
    expect(client.tokenfence.spent).toBeLessThanOrEqual(0.05);
  });

  it('reserves the model maximum output when the request sets no cap and it fits', async () => {
    const client = guard(openAIClient(mock), { budget: 1, onLimit: 'throw' });
    const pending = client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages });
    expect(client.tokenfence.reserved).toBeGreaterThanOrEqual((16_384 * 10) / 1e6);
    await pending;
    expect(mock.requests[0]?.body.max_completion_tokens).toBeUndefined();
  });

  it('downgrades to the fallback from the threshold on: the provider receives the fallback model', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 0.015, label: 'researcher', fallback: 'gpt-4o-mini', onEvent });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    expect(client.tokenfence.shouldDowngrade).toBe(true);
    expect(of('threshold-crossed')).toHaveLength(1);
    const second = await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    expect(mock.requests[1]?.body.model).toBe('gpt-4o-mini');
    expect(second.model).toBe('gpt-4o-mini');
    expect(of('model-downgraded')[0]).toMatchObject({ from: 'gpt-4o', to: 'gpt-4o-mini', reason: 'threshold' });
    expect(of('call-settled')[1]).toMatchObject({
      model: 'gpt-4o',
      modelUsed: 'gpt-4o-mini',
      costNanos: 1_000 * 150 + 1_000 * 600,
    });
  });

  it("answers locally with a completion that says so under onLimit: 'stop' (the default), sending nothing", async () => {
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 0.0001, label: 'writer', onEvent });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      max_tokens: 1_000,
    });
    expect(completion.choices[0]?.message.content).toMatch(/Budget exceeded for "writer"/);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      max_tokens: 1_000,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toMatch(/Budget exceeded/);
    expect(mock.requests).toHaveLength(0);
    expect(of('budget-exceeded').map((event) => event.action)).toEqual(['stop', 'stop']);
    expect(client.tokenfence.budgetExceeded).toBe(true);
  });

  it("answers responses.create locally under 'stop', as JSON and as a stream", async () => {
    const client = guard(openAIClient(mock), { budget: 0.000_01, label: 'writer' });
    const response = await client.responses.create({
      model: 'gpt-5',
      input: 'Write it all.',
      max_output_tokens: 5_000,
    });
    expect(response.output_text).toMatch(/Budget exceeded/);
    const stream = await client.responses.create({
      model: 'gpt-5',
      input: 'Write it all.',
      max_output_tokens: 5_000,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(mock.requests).toHaveLength(0);
  });

  it("rejects embeddings that do not fit even under 'stop' (there is no meaningful local answer)", async () => {
    const client = guard(openAIClient(mock), { budget: 0 });
    await expect(client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    expect(mock.requests).toHaveLength(0);
  });

  it('surfaces a refusal inside the chat.completions.stream() helper as its error, caused by BudgetExceededError', async () => {
    const client = guard(openAIClient(mock), { budget: 0.000_01, onLimit: 'throw' });
    const error = await client.chat.completions
      .stream({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 })
      .finalChatCompletion()
      .catch((caught: unknown) => caught);
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(0);
  });

  it.each(['throw', 'raise'] as const)("rejects with BudgetExceededError under onLimit: '%s'", async (onLimit) => {
    const client = guard(openAIClient(mock), { budget: 0.0001, label: 'writer', onLimit });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      label: 'writer',
      budget: 0.0001,
      spent: 0,
      model: 'gpt-4o',
    });
    expect((error as BudgetExceededError).requested).toBeGreaterThan(0.01);
    expect(mock.requests).toHaveLength(0);
  });

  it("lets the call through and emits budget-exceeded under onLimit: 'warn'", async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 0.0001, onLimit: 'warn', onEvent });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    expect(mock.requests).toHaveLength(1);
    expect(of('budget-exceeded')[0]?.action).toBe('warn');
    expect(client.tokenfence.spentNanos).toBe(10 * 2_500 + 10 * 10_000);
  });
});

describe('retries', () => {
  it('reserves and settles every SDK retry attempt: failed attempts cost nothing, each is visible', async () => {
    mock.setScenario({ failStatus: 500, failTimes: 2, inputTokens: 10, outputTokens: 10 });
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock, { maxRetries: 2 }), { budget: 1, onEvent });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 });
    expect(mock.requests.map((request) => request.retryCount)).toEqual([0, 1, 2]);
    expect(of('call-settled').map((event) => [event.attempt, event.outcome, event.costNanos])).toEqual([
      [1, 'error', 0],
      [2, 'error', 0],
      [3, 'ok', 10 * 2_500 + 10 * 10_000],
    ]);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('caps the SDK retries with maxRetries', async () => {
    mock.setScenario({ failStatus: 503 });
    const client = guard(openAIClient(mock, { maxRetries: 5 }), { budget: 1, maxRetries: 1 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    expect(mock.requests).toHaveLength(2);
  });

  it('stops a retry that no longer fits the budget with BudgetExceededError, sending nothing more', async () => {
    mock.setScenario((request) =>
      request.body.max_tokens === 1_000 ? { failStatus: 500, failTimes: 1 } : { delayMs: 50 },
    );
    const run = new TokenFence({ budget: 0.015, onLimit: 'throw' });
    const other = run.guard(openAIClient(mock), { label: 'other' });
    let otherCall: Promise<unknown> | undefined;
    // When the first attempt fails, another agent takes the headroom its retry would need.
    run.on('call-settled', (event) => {
      if (event.outcome === 'error')
        otherCall ??= other.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 900 });
    });
    const agent = run.guard(openAIClient(mock, { maxRetries: 2 }), { label: 'agent' });
    const error = await agent.chat.completions
      .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(mock.requests.filter((request) => request.body.max_tokens === 1_000)).toHaveLength(1);
    await otherCall;
    expect(run.reserved).toBe(0);
  });
});

describe('kill switch', () => {
  it('aborts an in-flight stream mid-way within 100 ms and refuses later calls without a request', async () => {
    mock.setScenario({ chunks: 50, chunkDelayMs: 20 });
    const run = new TokenFence({ budget: 5, label: 'doc-summary-v2' });
    const researcher = run.guard(openAIClient(mock), { label: 'researcher', share: 0.5 });
    const stream = await researcher.chat.completions.create({
      model: 'gpt-4o',
      messages: chatMessages,
      stream: true,
      max_tokens: 500,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const killedAt = performance.now();
    run.kill('runaway');
    const error = await (async () => {
      try {
        for (;;) if ((await iterator.next()).done) return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(performance.now() - killedAt).toBeLessThan(100);
    expect(error).toBeInstanceOf(KillSwitchError);
    expect(researcher.tokenfence.killed).toBe(true);
    expect(run.reserved).toBe(0);
    const before = mock.requests.length;
    await expect(
      researcher.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 5 }),
    ).rejects.toBeInstanceOf(KillSwitchError);
    expect(mock.requests).toHaveLength(before);
    await sleep(30);
    expect(mock.openRequests).toBe(0);
  });

  it('aborts a JSON call waiting for its response and rejects it with KillSwitchError', async () => {
    mock.setScenario({ delayMs: 2_000 });
    const client = guard(openAIClient(mock), { budget: 1 });
    const pending = client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 5 });
    await sleep(20);
    const killedAt = performance.now();
    client.tokenfence.kill();
    await expect(pending).rejects.toBeInstanceOf(KillSwitchError);
    expect(performance.now() - killedAt).toBeLessThan(100);
    expect(client.tokenfence.reserved).toBe(0);
  });
});
