import type { createAnthropic } from '@ai-sdk/anthropic';
import type { createGoogleGenerativeAI } from '@ai-sdk/google';
import type { createOpenAI } from '@ai-sdk/openai';
import type { generateText, streamText, wrapLanguageModel } from 'ai';
import { expect, it } from 'vitest';
import { BudgetExceededError } from '../../../src/index.js';
import {
  type MiddlewareSpecificationVersion,
  type TokenfenceMiddlewareOptions,
  tokenfenceMiddleware,
} from '../../../src/integrations/ai-sdk/index.js';
import { type MockProvider, sampleAttachments } from '../../../src/testing/index.js';
import { CANARY_KEY } from '../../support/clients.js';
import { collectEvents, sleep } from '../../support/collect-events.js';
import { useMockProvider } from '../../support/mock-provider.js';
import { describeSdkLine, type SdkLine } from '../../support/sdk-line.js';

/**
 * One AI SDK line as the contract uses it: `ai` and the `@ai-sdk/openai`, `@ai-sdk/anthropic` and
 * `@ai-sdk/google` of that line, typed with the ai 6 line (the others are cast: their types are the same
 * shapes under other specification versions).
 */
export interface AiSdkModules {
  ai: { generateText: typeof generateText; streamText: typeof streamText; wrapLanguageModel: typeof wrapLanguageModel };
  createOpenAI: typeof createOpenAI;
  createAnthropic: typeof createAnthropic;
  createGoogleGenerativeAI: typeof createGoogleGenerativeAI;
}

export interface AiSdkLine extends SdkLine<AiSdkModules> {
  /** The language model specification of the line's providers: v2 (ai 5), v3 (ai 6), v4 (ai 7). */
  modelSpecification: 'v2' | 'v3' | 'v4';
  /** The middleware specification the line's `wrapLanguageModel` types ask for (ai 5 reads none: v3). */
  middlewareSpecification: MiddlewareSpecificationVersion;
}

// Nano-USD per token. gpt-4o: $2.50 / $1.25 cached / $10 output per 1M; gpt-4o-mini: $0.15 / $0.60;
// claude-haiku-4-5: $1 / $0.10 read / $1.25 5m write / $5 output; gemini-2.5-flash: $0.30 / $0.03 cached /
// $2.50 output.
const GPT_4O = { input: 2_500, cached: 1_250, output: 10_000 };
const GPT_4O_MINI = { input: 150, output: 600 };
const HAIKU = { input: 1_000, read: 100, write5m: 1_250, output: 5_000 };
const FLASH = { input: 300, cached: 30, output: 2_500 };

/** 800 uncached + 200 cached prompt tokens, 500 output tokens of which 100 reasoning. */
const V01 = { inputTokens: 800, cachedTokens: 200, outputTokens: 500, reasoningTokens: 100 };
const V01_GPT_4O = 800 * GPT_4O.input + 200 * GPT_4O.cached + 500 * GPT_4O.output;

async function readText(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of stream) text += piece;
  return text;
}

/**
 * The middleware's contract with one AI SDK line: `wrapLanguageModel` + `generateText` / `streamText` over the
 * real providers of that line against the local mock — the same assertions for ai 5, 6 and 7.
 */
export function describeAiSdkContract(line: AiSdkLine): void {
  describeSdkLine(line, (sdk) => {
    let mock: MockProvider;
    useMockProvider((started) => {
      mock = started;
    });
    const openai = () => sdk().createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });
    const anthropic = () => sdk().createAnthropic({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });
    const google = () => sdk().createGoogleGenerativeAI({ baseURL: `${mock.url}/v1beta`, apiKey: CANARY_KEY });
    type Model = Parameters<AiSdkModules['ai']['wrapLanguageModel']>[0]['model'];

    function fenced(model: Model, options: TokenfenceMiddlewareOptions = {}) {
      const events = collectEvents();
      const middleware = tokenfenceMiddleware({
        budget: 1,
        onEvent: events.onEvent,
        ...options,
        specificationVersion: line.middlewareSpecification,
      });
      // The contract is typed with ai 6 (a v3 middleware); ai 7's wrapLanguageModel types take the v4 one.
      const wrapped = sdk().ai.wrapLanguageModel({ model, middleware: middleware as never });
      return { middleware, model: wrapped, fence: middleware.tokenfence, ...events };
    }

    it(`wraps the line's models (specification ${line.modelSpecification}) under a ${line.middlewareSpecification} middleware`, () => {
      const { middleware } = fenced(openai().chat('gpt-4o'));
      expect(middleware.specificationVersion).toBe(line.middlewareSpecification);
      for (const model of [openai().chat('gpt-4o'), openai().responses('gpt-4o'), anthropic()('claude-haiku-4-5')]) {
        expect((model as { specificationVersion: string }).specificationVersion).toBe(line.modelSpecification);
      }
    });

    it('generateText and streamText (chat) settle the exact cost from the usage, cached and reasoning split', async () => {
      mock.setScenario(V01);
      const { model, fence, of } = fenced(openai().chat('gpt-4o'), { label: 'planner' });
      const { text } = await sdk().ai.generateText({ model, prompt: 'Summarise the report.', maxOutputTokens: 600 });
      expect(text).toContain('lorem');
      expect(fence.spentNanos).toBe(V01_GPT_4O);
      expect(of('call-settled')[0]).toMatchObject({ label: 'planner', outcome: 'ok', source: 'provider' });
      expect(of('call-settled')[0]?.usage).toEqual({
        inputUncached: 800,
        inputCacheRead: 200,
        inputCacheWrite5m: 0,
        inputCacheWrite1h: 0,
        outputText: 400,
        outputReasoning: 100,
      });
      const streamed = sdk().ai.streamText({ model, prompt: 'Summarise the report.', maxOutputTokens: 600 });
      expect(await readText(streamed.textStream)).toContain('lorem');
      expect(fence.spentNanos).toBe(2 * V01_GPT_4O);
      expect(of('call-settled')[1]).toMatchObject({ stream: true, outcome: 'ok', source: 'provider' });
      expect(fence.reserved).toBe(0);
    });

    it('prices the responses API model exactly, generate and stream', async () => {
      mock.setScenario({ inputTokens: 100, outputTokens: 10 });
      const { model, fence } = fenced(openai().responses('gpt-4o'));
      await sdk().ai.generateText({ model, prompt: 'Hi', maxOutputTokens: 100 });
      await sdk().ai.streamText({ model, prompt: 'Hi', maxOutputTokens: 100 }).consumeStream();
      expect(mock.requests.map((request) => request.path)).toEqual(['/v1/responses', '/v1/responses']);
      expect(fence.spentNanos).toBe(2 * (100 * GPT_4O.input + 10 * GPT_4O.output));
    });

    it('prices @ai-sdk/anthropic exactly: cache reads and writes from the raw usage, never counted twice', async () => {
      mock.setScenario({ inputTokens: 1_000, cachedTokens: 3_000, cacheWrite5mTokens: 2_000, outputTokens: 500 });
      const { model, fence, of } = fenced(anthropic()('claude-haiku-4-5'));
      await sdk().ai.generateText({ model, prompt: 'Summarise it.', maxOutputTokens: 600 });
      await sdk().ai.streamText({ model, prompt: 'Summarise it.', maxOutputTokens: 600 }).consumeStream();
      const cost = 1_000 * HAIKU.input + 3_000 * HAIKU.read + 2_000 * HAIKU.write5m + 500 * HAIKU.output;
      expect(mock.requests.map((request) => request.path)).toEqual(['/v1/messages', '/v1/messages']);
      expect(of('call-settled').map((settled) => settled.usage)).toEqual([
        expect.objectContaining({ inputUncached: 1_000, inputCacheRead: 3_000, inputCacheWrite5m: 2_000 }),
        expect.objectContaining({ inputUncached: 1_000, inputCacheRead: 3_000, inputCacheWrite5m: 2_000 }),
      ]);
      expect(fence.spentNanos).toBe(2 * cost);
    });

    it('prices @ai-sdk/google exactly: thoughts as output, cached input split out', async () => {
      mock.setScenario({ inputTokens: 1_000, cachedTokens: 400, outputTokens: 300, reasoningTokens: 100 });
      const { model, fence } = fenced(google()('gemini-2.5-flash'));
      await sdk().ai.generateText({ model, prompt: 'Summarise the findings.', maxOutputTokens: 500 });
      await sdk().ai.streamText({ model, prompt: 'Summarise the findings.', maxOutputTokens: 500 }).consumeStream();
      expect(fence.spentNanos).toBe(2 * (1_000 * FLASH.input + 400 * FLASH.cached + 300 * FLASH.output));
      expect(mock.requests.map((request) => request.path)).toEqual([
        '/v1beta/models/gemini-2.5-flash:generateContent',
        '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      ]);
    });

    it('sizes an inline image from its bytes (not as a part of unknown size, bounded by the context window)', async () => {
      mock.setScenario({ inputTokens: 300, outputTokens: 10 });
      // gpt-4o's 128k-token context at $2.50/1M is $0.32: an image of unknown size would not fit $0.05.
      const { model, fence } = fenced(openai().chat('gpt-4o'), { budget: 0.05, onLimit: 'throw' });
      const image = sampleAttachments.png(64, 64);
      await sdk().ai.generateText({
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image', image, mediaType: 'image/png' },
            ],
          },
        ],
        maxOutputTokens: 100,
      });
      expect(fence.spentNanos).toBe(300 * GPT_4O.input + 10 * GPT_4O.output);
    });

    it("refuses a call that does not fit before any request under onLimit: 'throw', generate and stream", async () => {
      const { model, fence } = fenced(openai().chat('gpt-4o'), { budget: 0.001, onLimit: 'throw' });
      await expect(
        sdk().ai.generateText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000, maxRetries: 0 }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      const errors: unknown[] = [];
      await sdk()
        .ai.streamText({
          model,
          prompt: 'Summarise.',
          maxOutputTokens: 1_000,
          maxRetries: 0,
          onError: ({ error }) => {
            errors.push(error);
          },
        })
        .consumeStream();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(BudgetExceededError);
      expect(mock.requests).toHaveLength(0);
      expect(fence.spent).toBe(0);
    });

    it("answers locally under onLimit: 'stop' (the default) in the line's own shapes, sending nothing", async () => {
      const { model } = fenced(openai().chat('gpt-4o'), { budget: 0.001 });
      const generated = await sdk().ai.generateText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000 });
      expect(generated.text).toMatch(/^\[TokenFence\] Budget exceeded/);
      expect(generated.finishReason).toBe('stop');
      const streamed = sdk().ai.streamText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000 });
      expect(await readText(streamed.textStream)).toMatch(/No request was sent/);
      expect(mock.requests).toHaveLength(0);
    });

    it('downgrades to the fallback model when the asked one does not fit, priced at its own rates', async () => {
      mock.setScenario({ inputTokens: 100, outputTokens: 50 });
      const provider = openai();
      const { model, fence, of } = fenced(provider.chat('gpt-4o'), {
        budget: 0.005,
        fallback: provider.chat('gpt-4o-mini'),
      });
      await sdk().ai.generateText({ model, prompt: 'Summarise.', maxOutputTokens: 1_000 });
      expect(mock.requests[0]?.body.model).toBe('gpt-4o-mini');
      expect(of('model-downgraded')[0]).toMatchObject({ from: 'gpt-4o', to: 'gpt-4o-mini', reason: 'budget' });
      expect(fence.spentNanos).toBe(100 * GPT_4O_MINI.input + 50 * GPT_4O_MINI.output);
    });

    it('clamps the output cap to what the budget can pay for when the call sets none, and sends it', async () => {
      mock.setScenario({ inputTokens: 10, outputTokens: 10 });
      const { model, of } = fenced(openai().chat('gpt-4o'), { budget: 0.01 });
      await sdk().ai.generateText({ model, prompt: 'Hi' });
      const clampedTo = of('max-tokens-clamped')[0]?.clampedTo;
      expect(clampedTo).toBeLessThan(1_000);
      expect(mock.requests[0]?.body.max_tokens).toBe(clampedTo);
    });

    it('releases the hold on a caller abort of generateText and when the reader leaves a stream early', async () => {
      mock.setScenario({ delayMs: 300 });
      const { model, fence, of } = fenced(openai().chat('gpt-4o'));
      const controller = new AbortController();
      const pending = sdk().ai.generateText({
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
      mock.setScenario({ chunks: 20, chunkDelayMs: 10 });
      const streamController = new AbortController();
      const streamed = sdk().ai.streamText({
        model,
        prompt: 'Summarise.',
        maxOutputTokens: 100,
        abortSignal: streamController.signal,
        onError: () => {},
      });
      for await (const _piece of streamed.textStream) {
        streamController.abort();
        break;
      }
      await sleep(50);
      expect(fence.reserved).toBe(0);
      expect(of('call-settled').map((settled) => [settled.outcome, settled.source])).toEqual([
        ['aborted', 'estimated'],
        ['aborted', 'estimated'],
      ]);
    });

    it('an HTTP error releases the hold: nothing charged', async () => {
      mock.setScenario({ failStatus: 400 });
      const { model, fence, of } = fenced(openai().chat('gpt-4o'));
      await expect(
        sdk().ai.generateText({ model, prompt: 'Summarise.', maxOutputTokens: 100, maxRetries: 0 }),
      ).rejects.toThrow();
      expect(fence.spent).toBe(0);
      expect(fence.reserved).toBe(0);
      expect(of('call-settled')[0]).toMatchObject({ outcome: 'error', status: 400, costNanos: 0 });
    });
  });
}
