import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createOpenAI as createOpenAIV2 } from '@ai-sdk/openai-v2';
import { generateObject, generateText, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import {
  generateText as generateTextV5,
  stepCountIs as stepCountIsV5,
  streamText as streamTextV5,
  tool as toolV5,
  wrapLanguageModel as wrapLanguageModelV5,
} from 'ai-v5';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  BudgetExceededError,
  createMemoryLedgerStore,
  InvalidOptionsError,
  KillSwitchError,
  LoopDetectedError,
  TokenFence,
  type TokenFenceEvent,
} from '../../src/index.js';
import { type TokenfenceMiddlewareOptions, tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import { createFakeClock, type MockProvider } from '../../src/testing/index.js';
import { CANARY_KEY } from '../support/clients.js';
import { collectEvents, sleep } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';
import { fakeToolCallMiddleware, fakeToolCallMiddlewareV2 } from './fake-tool-call.ai-sdk.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// Nano-USD per token. gpt-4o: $2.50 / $1.25 cached / $10 output per 1M; gpt-4o-mini: $0.15 / $0.075 / $0.60;
// claude-haiku-4-5: $1 / $0.10 read / $1.25 5m write / $2 1h write / $5 output; deepseek-chat: $0.27 / $1.10.
const GPT_4O = { input: 2_500, cached: 1_250, output: 10_000 };
const GPT_4O_MINI = { input: 150, cached: 75, output: 600 };
const HAIKU = { input: 1_000, read: 100, write5m: 1_250, write1h: 2_000, output: 5_000 };
const DEEPSEEK = { input: 270, output: 1_100 };

/** 800 uncached + 200 cached prompt tokens, 500 output tokens of which 100 reasoning. */
const V01 = { inputTokens: 800, cachedTokens: 200, outputTokens: 500, reasoningTokens: 100 };
const V01_GPT_4O = 800 * GPT_4O.input + 200 * GPT_4O.cached + 500 * GPT_4O.output;

const openai = () => createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });
const anthropic = () => createAnthropic({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });

type ModelV3 = Parameters<typeof wrapLanguageModel>[0]['model'];

function fenced(model: ModelV3, options: TokenfenceMiddlewareOptions = {}) {
  const store = createMemoryLedgerStore();
  const events = collectEvents();
  const middleware = tokenfenceMiddleware({ budget: 1, store, onEvent: events.onEvent, ...options });
  const wrapped = wrapLanguageModel({ model, middleware });
  const records = () => {
    middleware.tokenfence.flush();
    return store.queryCalls({});
  };
  return { middleware, model: wrapped, fence: middleware.tokenfence, records, ...events };
}

async function readText(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of stream) text += piece;
  return text;
}

describe('tokenfenceMiddleware: the handle and its options', () => {
  it('carries a read-only TokenFence built from the guard() options', () => {
    const middleware = tokenfenceMiddleware({ budget: '$2', label: 'writer', threshold: 0.5 });
    expect(middleware.specificationVersion).toBe('v3');
    expect(middleware.tokenfence).toBeInstanceOf(TokenFence);
    expect(middleware.tokenfence.label).toBe('writer');
    expect(middleware.tokenfence.budget).toBe(2);
    expect(() => {
      (middleware as { tokenfence: unknown }).tokenfence = null;
    }).toThrow(TypeError);
  });

  it('validates options like guard(), and asks for fallback models rather than ids', () => {
    expect(() => tokenfenceMiddleware({ budget: -1 })).toThrow(InvalidOptionsError);
    expect(() => tokenfenceMiddleware({ colour: 'red' } as TokenfenceMiddlewareOptions)).toThrow(/colour/);
    const byId = { fallback: 'gpt-4o-mini' } as unknown as TokenfenceMiddlewareOptions;
    expect(() => tokenfenceMiddleware(byId)).toThrow(/language model/);
  });

  it('counts in a parent scope and in the run it is called in', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 10 });
    const store = createMemoryLedgerStore();
    const parent = new TokenFence({ budget: 1, store });
    const middleware = tokenfenceMiddleware({ parent, label: 'ai' });
    const model = wrapLanguageModel({ model: openai().chat('gpt-4o'), middleware });
    await parent.run({ workflow: 'digest', runId: 'run-1' }, () => generateText({ model, prompt: 'Hi' }));
    const cost = 100 * GPT_4O.input + 10 * GPT_4O.output;
    expect(middleware.tokenfence.spentNanos).toBe(cost);
    expect(parent.spentNanos).toBe(cost);
    parent.flush();
    // The run is the primary scope of a call made inside it; the middleware's scope counts it too.
    expect(store.queryCalls({})).toMatchObject([{ scope: 'default/digest', runId: 'run-1', workflow: 'digest' }]);
  });
});

describe('ai 6 (LanguageModelV3) with @ai-sdk/openai', () => {
  it('generateText (chat): reserves, settles the exact cost from the usage, records one call', async () => {
    mock.setScenario(V01);
    const { model, fence, records, of } = fenced(openai().chat('gpt-4o'), { label: 'planner' });
    const { text, usage } = await generateText({ model, prompt: 'Summarise the report.', maxOutputTokens: 600 });
    expect(text).toContain('lorem');
    expect(usage.inputTokens).toBe(1_000);
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/chat/completions']);
    expect(fence.spentNanos).toBe(V01_GPT_4O);
    expect(fence.reserved).toBe(0);
    expect(fence.calls).toBe(1);
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({ label: 'planner', model: 'gpt-4o', outcome: 'ok', source: 'provider' });
    expect(settled?.usage).toEqual({
      inputUncached: 800,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 400,
      outputReasoning: 100,
    });
    expect(settled?.reservedUsd).toBeGreaterThan(600 * GPT_4O.output * 1e-9);
    expect(records()).toMatchObject([
      { provider: 'openai', model: 'gpt-4o', modelUsed: 'gpt-4o', costNanos: V01_GPT_4O, stream: false, outcome: 'ok' },
    ]);
  });

  it('generateText (responses API) is priced the same way', async () => {
    mock.setScenario(V01);
    const { model, fence } = fenced(openai()('gpt-4o'));
    await generateText({ model, prompt: 'Summarise the report.', maxOutputTokens: 600 });
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/responses']);
    expect(fence.spentNanos).toBe(V01_GPT_4O);
  });

  it('streamText: settles on the finish part, one stream record', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    const { model, fence, records } = fenced(openai().chat('gpt-4o'));
    const result = streamText({ model, prompt: 'Summarise the report.', maxOutputTokens: 600 });
    expect(await readText(result.textStream)).toContain('lorem');
    expect((await result.usage).outputTokens).toBe(500);
    const cost = 1_000 * GPT_4O.input + 500 * GPT_4O.output;
    expect(fence.spentNanos).toBe(cost);
    expect(fence.reserved).toBe(0);
    expect(records()).toMatchObject([{ costNanos: cost, costSource: 'provider', stream: true, outcome: 'ok' }]);
  });

  it('streamText (responses API) settles exactly too', async () => {
    mock.setScenario(V01);
    const { model, fence } = fenced(openai()('gpt-4o'));
    const result = streamText({ model, prompt: 'Summarise the report.', maxOutputTokens: 600 });
    await result.consumeStream();
    expect(mock.requests[0]?.path).toBe('/v1/responses');
    expect(fence.spentNanos).toBe(V01_GPT_4O);
  });

  it('charges the hold, flagged estimated, for a stream that ends without usage', async () => {
    mock.setScenario({ omitUsage: true });
    const { model, fence, of } = fenced(openai().chat('gpt-4o'));
    const result = streamText({ model, prompt: 'Summarise the report.', maxOutputTokens: 100 });
    await result.consumeStream();
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({ source: 'estimated' });
    expect(settled?.costNanos).toBeGreaterThan(100 * GPT_4O.output);
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
    expect(fence.reserved).toBe(0);
  });

  it('charges the hold for a stream cut before its finish part', async () => {
    mock.setScenario({ cutAfterChunks: 2, chunks: 6 });
    const { model, fence, of } = fenced(openai().chat('gpt-4o'));
    const errors: unknown[] = [];
    const result = streamText({
      model,
      prompt: 'Summarise the report.',
      maxOutputTokens: 100,
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    await result.consumeStream();
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({ source: 'estimated', outcome: 'aborted' });
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
    expect(fence.reserved).toBe(0);
    expect(fence.calls).toBe(1);
  });

  it('generateObject: a zod schema, the JSON answer parsed, the call priced', async () => {
    mock.setScenario({ inputTokens: 300, outputTokens: 20, text: '{"city":"Paris","temperature":21}' });
    const { model, fence, records } = fenced(openai().chat('gpt-4o'));
    const { object } = await generateObject({
      model,
      schema: z.object({ city: z.string(), temperature: z.number() }),
      prompt: 'Weather in Paris?',
      maxOutputTokens: 100,
    });
    expect(object).toEqual({ city: 'Paris', temperature: 21 });
    expect(mock.requests[0]?.body.response_format).toMatchObject({ type: 'json_schema' });
    expect(fence.spentNanos).toBe(300 * GPT_4O.input + 20 * GPT_4O.output);
    expect(records()).toHaveLength(1);
  });

  it('multi-step tool calls: every step is one reservation, one request, one record', async () => {
    mock.setScenario({ inputTokens: 200, outputTokens: 30 });
    const store = createMemoryLedgerStore();
    const { onEvent, of } = collectEvents();
    const middleware = tokenfenceMiddleware({ budget: 1, store, onEvent });
    const toolCalls = fakeToolCallMiddleware('weather', { city: 'Paris' });
    const model = wrapLanguageModel({ model: openai().chat('gpt-4o'), middleware: [middleware, toolCalls] });
    const executed: string[] = [];
    const result = await generateText({
      model,
      prompt: 'What is the weather in Paris?',
      maxOutputTokens: 200,
      stopWhen: stepCountIs(5),
      tools: {
        weather: tool({
          description: 'Current weather of a city',
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            executed.push(city);
            return { city, temperature: 21 };
          },
        }),
      },
    });
    expect(executed).toEqual(['Paris']);
    expect(result.steps).toHaveLength(2);
    expect(mock.requests).toHaveLength(2);
    // The second step sends the tool call and its result back: the middleware described both.
    expect(JSON.stringify(mock.requests[1]?.body.messages)).toContain('temperature');
    expect(of('call-settled')).toHaveLength(2);
    expect(middleware.tokenfence.calls).toBe(2);
    expect(middleware.tokenfence.spentNanos).toBe(2 * (200 * GPT_4O.input + 30 * GPT_4O.output));
    middleware.tokenfence.flush();
    expect(store.queryCalls({})).toHaveLength(2);
  });

  it('multi-step streamText: one reservation per step as well', async () => {
    mock.setScenario({ inputTokens: 200, outputTokens: 30 });
    const middleware = tokenfenceMiddleware({ budget: 1 });
    const model = wrapLanguageModel({
      model: openai().chat('gpt-4o'),
      middleware: [middleware, fakeToolCallMiddleware('weather', { city: 'Oslo' })],
    });
    const result = streamText({
      model,
      prompt: 'What is the weather in Oslo?',
      maxOutputTokens: 200,
      stopWhen: stepCountIs(5),
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => ({ city, temperature: -3 }),
        }),
      },
    });
    expect(await readText(result.textStream)).toContain('lorem');
    expect(await result.steps).toHaveLength(2);
    expect(middleware.tokenfence.calls).toBe(2);
    expect(middleware.tokenfence.spentNanos).toBe(2 * (200 * GPT_4O.input + 30 * GPT_4O.output));
  });
});

describe('refusals, aborts and the kill switch', () => {
  it("onLimit: 'throw' rejects with BudgetExceededError before any request", async () => {
    const { model, fence, records, of } = fenced(openai().chat('gpt-4o'), { budget: 0.001, onLimit: 'throw' });
    await expect(
      generateText({ model, prompt: 'Summarise the report.', maxOutputTokens: 1_000, maxRetries: 0 }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    const errors: unknown[] = [];
    await streamText({
      model,
      prompt: 'Summarise.',
      maxOutputTokens: 1_000,
      maxRetries: 0,
      onError: ({ error }) => {
        errors.push(error);
      },
    }).consumeStream();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(0);
    expect(fence.spent).toBe(0);
    expect(fence.budgetExceeded).toBe(true);
    expect(of('budget-exceeded')[0]).toMatchObject({ action: 'throw', model: 'gpt-4o' });
    expect(records().map((record) => record.outcome)).toEqual(['blocked', 'blocked']);
  });

  it("onLimit: 'stop' (default) answers locally with a text that says so, for generate and stream", async () => {
    const { model, fence, of } = fenced(openai().chat('gpt-4o'), { budget: 0.001 });
    const generated = await generateText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000 });
    expect(generated.text).toMatch(/^\[TokenFence\] Budget exceeded/);
    expect(generated.finishReason).toBe('stop');
    expect(generated.providerMetadata).toEqual({ tokenfence: { stopped: true } });
    const streamed = streamText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000 });
    expect(await readText(streamed.textStream)).toMatch(/No request was sent/);
    expect(mock.requests).toHaveLength(0);
    expect(fence.spent).toBe(0);
    expect(of('budget-exceeded').map((event) => event.action)).toEqual(['stop', 'stop']);
  });

  it("onLimit: 'stop' rejects a JSON request (generateObject): a refusal text cannot match the schema", async () => {
    const { model, of } = fenced(openai().chat('gpt-4o'), { budget: 0.001 });
    await expect(
      generateObject({
        model,
        schema: z.object({ city: z.string() }),
        prompt: 'Weather?',
        maxOutputTokens: 1_000,
        maxRetries: 0,
      }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(of('budget-exceeded')[0]?.action).toBe('throw');
    expect(mock.requests).toHaveLength(0);
  });

  it('clamps the output cap to what the budget can pay for and sends it', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10 });
    const { model, of } = fenced(openai().chat('gpt-4o'), { budget: 0.01 });
    await generateText({ model, prompt: 'Hi' });
    const [clamped] = of('max-tokens-clamped');
    expect(clamped?.clampedTo).toBeLessThan(1_000);
    expect(mock.requests[0]?.body.max_tokens).toBe(clamped?.clampedTo);
  });

  it('a caller abort ends the call: nothing stays held, the hold is charged as the outcome is unknown', async () => {
    mock.setScenario({ delayMs: 500 });
    const { model, fence, of } = fenced(openai().chat('gpt-4o'));
    const controller = new AbortController();
    const pending = generateText({
      model,
      prompt: 'Summarise.',
      maxOutputTokens: 100,
      abortSignal: controller.signal,
      maxRetries: 0,
    });
    await sleep(50);
    expect(fence.reserved).toBeGreaterThan(0);
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(fence.reserved).toBe(0);
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'aborted', source: 'estimated' });
  });

  it('an HTTP error releases the hold (the provider refused it): nothing charged', async () => {
    mock.setScenario({ failStatus: 400 });
    const { model, fence, of } = fenced(openai().chat('gpt-4o'));
    await expect(generateText({ model, prompt: 'Summarise.', maxOutputTokens: 100, maxRetries: 0 })).rejects.toThrow();
    expect(fence.spent).toBe(0);
    expect(fence.reserved).toBe(0);
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'error', status: 400, costNanos: 0 });
  });

  it('every AI SDK retry is a call of its own, reserved and recorded', async () => {
    mock.setScenario({ failStatus: 500, failTimes: 1, inputTokens: 100, outputTokens: 10 });
    const { model, fence, of } = fenced(openai().chat('gpt-4o'));
    await generateText({ model, prompt: 'Summarise.', maxOutputTokens: 100, maxRetries: 1 });
    expect(of('call-settled').map((event) => event.outcome)).toEqual(['error', 'ok']);
    expect(fence.spentNanos).toBe(100 * GPT_4O.input + 10 * GPT_4O.output);
  });

  it('middleware.tokenfence.kill() aborts an in-flight streamText and refuses later calls', async () => {
    mock.setScenario({ chunks: 20, chunkDelayMs: 20 });
    const { middleware, model, fence, records } = fenced(openai().chat('gpt-4o'));
    const result = streamText({ model, prompt: 'Summarise.', maxOutputTokens: 100, maxRetries: 0 });
    let pieces = 0;
    // The reader sees the kill as the stream's error, not as a bare abort.
    const reading = (async () => {
      for await (const _piece of result.textStream) {
        pieces += 1;
        if (pieces === 2) middleware.tokenfence.kill('runaway');
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(KillSwitchError);
    expect(pieces).toBe(2);
    expect(fence.killed).toBe(true);
    expect(fence.reserved).toBe(0);
    expect(records()).toMatchObject([{ outcome: 'killed', costSource: 'estimated' }]);
    await expect(generateText({ model, prompt: 'Again.', maxOutputTokens: 100, maxRetries: 0 })).rejects.toBeInstanceOf(
      KillSwitchError,
    );
    // The mock hears the closed connection a moment later on a busy machine.
    await expect.poll(() => mock.openRequests, { timeout: 2_000 }).toBe(0);
    expect(mock.requests).toHaveLength(1);
  });
});

describe('the kill switch on generateText', () => {
  it('aborts an in-flight generateText with the KillSwitchError, no AI SDK retry', async () => {
    mock.setScenario({ delayMs: 300 });
    const { model, fence, of } = fenced(openai().chat('gpt-4o'));
    const pending = generateText({ model, prompt: 'Summarise.', maxOutputTokens: 100 });
    await sleep(50);
    fence.kill();
    await expect(pending).rejects.toBeInstanceOf(KillSwitchError);
    expect(mock.requests).toHaveLength(1);
    expect(fence.reserved).toBe(0);
    expect(of('call-settled')).toMatchObject([{ outcome: 'killed', source: 'estimated' }]);
  });
});

describe('ledger and loop options', () => {
  it('records prompt and completion with storeContent', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 5, text: 'Paris is sunny.' });
    const { model, records } = fenced(openai().chat('gpt-4o'), { storeContent: true });
    await generateText({ model, system: 'Be brief.', prompt: 'Weather in Paris?', maxOutputTokens: 50 });
    await streamText({ model, prompt: 'Weather in Oslo?', maxOutputTokens: 50 }).consumeStream();
    const [generated, streamed] = records();
    expect(generated?.prompt).toContain('Weather in Paris?');
    expect(generated?.prompt).toContain('Be brief.');
    expect(generated?.completion).toContain('Paris is sunny.');
    expect(streamed?.prompt).toContain('Weather in Oslo?');
    expect(streamed?.completion).toBe('Paris is sunny.');
  });

  it('refuses the same prompt to the same model past maxRepeats, before sending it', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 5 });
    const { model } = fenced(openai().chat('gpt-4o'), { maxRepeats: 1 });
    await generateText({ model, prompt: 'Same question.', maxOutputTokens: 50 });
    await expect(
      generateText({ model, prompt: 'Same question.', maxOutputTokens: 50, maxRetries: 0 }),
    ).rejects.toBeInstanceOf(LoopDetectedError);
    expect(mock.requests).toHaveLength(1);
  });
});

describe('fallback models', () => {
  it('calls the fallback model when the asked one does not fit, priced at its own rates', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 50 });
    const provider = openai();
    const { model, fence, records, of } = fenced(provider.chat('gpt-4o'), {
      budget: 0.005,
      fallback: provider.chat('gpt-4o-mini'),
    });
    await generateText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000 });
    expect(mock.requests[0]?.body.model).toBe('gpt-4o-mini');
    expect(of('model-downgraded')[0]).toMatchObject({ from: 'gpt-4o', to: 'gpt-4o-mini', reason: 'budget' });
    expect(fence.spentNanos).toBe(100 * GPT_4O_MINI.input + 50 * GPT_4O_MINI.output);
    expect(records()).toMatchObject([{ model: 'gpt-4o', modelUsed: 'gpt-4o-mini' }]);
  });

  it('switches to the fallback from the threshold on, streams included', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    const provider = openai();
    const { model, of } = fenced(provider.chat('gpt-4o'), {
      budget: 0.02,
      threshold: 0.2,
      fallback: [provider.chat('gpt-4o-mini')],
    });
    await generateText({ model, prompt: 'Summarise.', maxOutputTokens: 500 });
    await streamText({ model, prompt: 'Summarise.', maxOutputTokens: 500 }).consumeStream();
    expect(mock.requests.map((request) => request.body.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(of('model-downgraded')[0]).toMatchObject({ to: 'gpt-4o-mini', reason: 'threshold' });
  });

  it('ignores a fallback priced at another provider', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 50 });
    const { model } = fenced(openai().chat('gpt-4o'), {
      budget: 0.005,
      onLimit: 'throw',
      fallback: anthropic()('claude-haiku-4-5'),
    });
    await expect(
      generateText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000, maxRetries: 0 }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('ai 6 with @ai-sdk/anthropic', () => {
  const usage = { inputTokens: 1_000, cachedTokens: 3_000, cacheWrite1hTokens: 2_000, outputTokens: 500 };
  const cost = 1_000 * HAIKU.input + 3_000 * HAIKU.read + 2_000 * HAIKU.write1h + 500 * HAIKU.output;
  const prompt = [
    {
      role: 'user' as const,
      content: [
        {
          type: 'text' as const,
          text: 'A long shared context.',
          providerOptions: { anthropic: { cacheControl: { type: 'ephemeral', ttl: '1h' } } },
        },
        { type: 'text' as const, text: 'Summarise it.' },
      ],
    },
  ];

  it('generateText: cache reads and 1 h writes priced from the raw usage, input never counted twice', async () => {
    mock.setScenario(usage);
    const { model, fence, of } = fenced(anthropic()('claude-haiku-4-5'));
    await generateText({ model, messages: prompt, maxOutputTokens: 600 });
    expect(mock.requests.map((request) => request.path)).toEqual(['/v1/messages']);
    expect(of('call-settled')[0]?.usage).toEqual({
      inputUncached: 1_000,
      inputCacheRead: 3_000,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 2_000,
      outputText: 500,
      outputReasoning: 0,
    });
    expect(fence.spentNanos).toBe(cost);
  });

  it('streamText: the same exact cost from the finish part', async () => {
    mock.setScenario(usage);
    const { model, fence, records } = fenced(anthropic()('claude-haiku-4-5'));
    await streamText({ model, messages: prompt, maxOutputTokens: 600 }).consumeStream();
    expect(fence.spentNanos).toBe(cost);
    expect(records()).toMatchObject([{ provider: 'anthropic', stream: true, inputCacheWrite1h: 2_000 }]);
  });

  it('charges the hold for a stream whose provider reports an error inside it', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 50, chunks: 4, inBandErrorAfterChunks: 2 });
    const { model, fence, of } = fenced(anthropic()('claude-haiku-4-5'));
    await streamText({ model, prompt: 'Hi', maxOutputTokens: 100, maxRetries: 0, onError: () => {} }).consumeStream();
    const [settled] = of('call-settled');
    expect(settled?.source).toBe('estimated');
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
    expect(fence.reserved).toBe(0);
  });

  it('prices 5 m writes at the 5 m rate', async () => {
    mock.setScenario({ inputTokens: 100, cacheWrite5mTokens: 400, outputTokens: 10 });
    const { model, fence } = fenced(anthropic()('claude-haiku-4-5'));
    await generateText({ model, prompt: 'Hi', maxOutputTokens: 100 });
    expect(fence.spentNanos).toBe(100 * HAIKU.input + 400 * HAIKU.write5m + 10 * HAIKU.output);
  });
});

describe('ai 6 with @ai-sdk/openai-compatible', () => {
  const compatible = (includeUsage: boolean) =>
    createOpenAICompatible({ name: 'deepseek', baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY, includeUsage });

  it('prices `<name>.chat` models at that provider, generate and stream', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    // DeepSeek prices by time of day: 10:00 UTC is the standard (peak) rate.
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 10));
    const { model, fence, records } = fenced(compatible(true)('deepseek-chat'), { clock });
    await generateText({ model, prompt: 'Hi', maxOutputTokens: 600 });
    await streamText({ model, prompt: 'Hi', maxOutputTokens: 600 }).consumeStream();
    const cost = 1_000 * DEEPSEEK.input + 500 * DEEPSEEK.output;
    expect(fence.spentNanos).toBe(2 * cost);
    expect(records().map((record) => [record.provider, record.stream])).toEqual([
      ['deepseek', false],
      ['deepseek', true],
    ]);
  });

  it('charges the hold for streams of a provider created without includeUsage', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    const { model, of } = fenced(compatible(false)('deepseek-chat'));
    await streamText({ model, prompt: 'Hi', maxOutputTokens: 600 }).consumeStream();
    expect(of('call-settled')[0]?.source).toBe('estimated');
  });

  it('takes the `provider` option for a server the price data does not know', async () => {
    mock.setScenario({ inputTokens: 300, outputTokens: 200 });
    const local = createOpenAICompatible({ name: 'local-vllm', baseURL: `${mock.url}/v1`, includeUsage: true });
    const { model, fence } = fenced(local('llama-3.1-8b'), {
      provider: 'vllm',
      prices: { 'llama-3.1-8b': { input: 1, output: 2, maxOutputTokens: 4_096 } },
    });
    await generateText({ model, prompt: 'Hi' });
    expect(fence.spentNanos).toBe(300 * 1_000 + 200 * 2_000);
  });
});

describe('ai 5 (LanguageModelV2) with @ai-sdk/openai 2', () => {
  const openaiV2 = () => createOpenAIV2({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });

  function fencedV5(options: TokenfenceMiddlewareOptions = {}) {
    const events: TokenFenceEvent[] = [];
    const middleware = tokenfenceMiddleware({ budget: 1, onEvent: (event) => events.push(event), ...options });
    return { middleware, events };
  }

  it('generateText and streamText settle the exact cost from the flat V2 usage', async () => {
    mock.setScenario(V01);
    const { middleware } = fencedV5();
    const model = wrapLanguageModelV5({ model: openaiV2().chat('gpt-4o'), middleware });
    const { usage } = await generateTextV5({ model, prompt: 'Summarise.', maxOutputTokens: 600 });
    expect(usage).toMatchObject({ inputTokens: 1_000, cachedInputTokens: 200, reasoningTokens: 100 });
    expect(middleware.tokenfence.spentNanos).toBe(V01_GPT_4O);
    const streamed = streamTextV5({ model, prompt: 'Summarise.', maxOutputTokens: 600 });
    expect(await readText(streamed.textStream)).toContain('lorem');
    expect(middleware.tokenfence.spentNanos).toBe(2 * V01_GPT_4O);
    expect(middleware.tokenfence.reserved).toBe(0);
  });

  it('the responses API model is priced the same way', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 10 });
    const { middleware } = fencedV5();
    const model = wrapLanguageModelV5({ model: openaiV2()('gpt-4o'), middleware });
    await generateTextV5({ model, prompt: 'Hi', maxOutputTokens: 100 });
    expect(mock.requests[0]?.path).toBe('/v1/responses');
    expect(middleware.tokenfence.spentNanos).toBe(100 * GPT_4O.input + 10 * GPT_4O.output);
  });

  it('multi-step tool calls: one reservation and one request per step', async () => {
    mock.setScenario({ inputTokens: 200, outputTokens: 30 });
    const { middleware, events } = fencedV5();
    const model = wrapLanguageModelV5({
      model: openaiV2().chat('gpt-4o'),
      middleware: [middleware, fakeToolCallMiddlewareV2('weather', { city: 'Rome' })],
    });
    const result = await generateTextV5({
      model,
      prompt: 'What is the weather in Rome?',
      maxOutputTokens: 200,
      stopWhen: stepCountIsV5(5),
      tools: {
        weather: toolV5({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => ({ city, temperature: 25 }),
        }),
      },
    });
    expect(result.steps).toHaveLength(2);
    expect(mock.requests).toHaveLength(2);
    expect(events.filter((event) => event.type === 'call-settled')).toHaveLength(2);
    expect(middleware.tokenfence.spentNanos).toBe(2 * (200 * GPT_4O.input + 30 * GPT_4O.output));
  });

  it("onLimit: 'stop' answers in the V2 shapes; 'throw' rejects; nothing is sent", async () => {
    const stopping = fencedV5({ budget: 0.001 }).middleware;
    const model = wrapLanguageModelV5({ model: openaiV2().chat('gpt-4o'), middleware: stopping });
    const { text, finishReason } = await generateTextV5({ model, prompt: 'Hi', maxOutputTokens: 1_000 });
    expect(text).toMatch(/Budget exceeded/);
    expect(finishReason).toBe('stop');
    const streamed = streamTextV5({ model, prompt: 'Hi', maxOutputTokens: 1_000 });
    expect(await readText(streamed.textStream)).toMatch(/Budget exceeded/);
    const throwing = fencedV5({ budget: 0.001, onLimit: 'throw' }).middleware;
    const strict = wrapLanguageModelV5({ model: openaiV2().chat('gpt-4o'), middleware: throwing });
    await expect(
      generateTextV5({ model: strict, prompt: 'Hi', maxOutputTokens: 1_000, maxRetries: 0 }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(0);
  });

  it('kill() aborts an in-flight ai 5 stream', async () => {
    mock.setScenario({ chunks: 20, chunkDelayMs: 20 });
    const { middleware, events } = fencedV5();
    const model = wrapLanguageModelV5({ model: openaiV2().chat('gpt-4o'), middleware });
    const result = streamTextV5({ model, prompt: 'Hi', maxOutputTokens: 100, maxRetries: 0, onError: () => {} });
    let pieces = 0;
    const reading = (async () => {
      for await (const _piece of result.textStream) {
        pieces += 1;
        if (pieces === 2) middleware.tokenfence.kill();
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(KillSwitchError);
    expect(pieces).toBe(2);
    expect(middleware.tokenfence.reserved).toBe(0);
    expect(events.find((event) => event.type === 'call-settled')).toMatchObject({ outcome: 'killed' });
  });
});
