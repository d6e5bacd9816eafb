import type * as GenAI from '@google/genai';
import { expect, it } from 'vitest';
import { BudgetExceededError, guard } from '../../../src/index.js';
import type { MockProvider } from '../../../src/testing/index.js';
import { CANARY_KEY } from '../../support/clients.js';
import { collectEvents, drain, sleep } from '../../support/collect-events.js';
import { useMockProvider } from '../../support/mock-provider.js';
import { describeSdkLine, type SdkLine } from '../../support/sdk-line.js';

/** The `@google/genai` package as the contract uses it. */
export interface GoogleGenAIModule {
  GoogleGenAI: typeof GenAI.GoogleGenAI;
  ApiError: typeof GenAI.ApiError;
}

// Nano-USD per token. gemini-2.5-pro (≤ 200k prompt): $1.25 input, $0.125 cached, $10 output per 1M;
// gemini-2.5-flash: $0.30 input, $2.50 output.
const PRO = { input: 1_250, cached: 125, output: 10_000 };
const FLASH = { input: 300, output: 2_500 };
const question = 'Summarise the quarterly report in three bullet points.';
/** The REST path of a model method, in any API version (@google/genai 2 sends v1beta, 3 sends v1). */
const geminiPath = (model: string, method: string) => new RegExp(`^/v1[a-z0-9]*/models/${model}:${method}$`);

/** The guard's contract with one line of `@google/genai`, against the real package and the local mock. */
export function describeGoogleGenAIContract(line: SdkLine<GoogleGenAIModule>): void {
  describeSdkLine(line, (sdk) => {
    let mock: MockProvider;
    useMockProvider((started) => {
      mock = started;
    });
    const client = () => new (sdk().GoogleGenAI)({ apiKey: CANARY_KEY, httpOptions: { baseUrl: mock.url } });

    it('prices generateContent exactly: cached tokens inside the prompt, thoughts beside the candidates', async () => {
      mock.setScenario({ inputTokens: 800, cachedTokens: 200, outputTokens: 500, reasoningTokens: 100 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 1, onEvent });
      const response = await guarded.models.generateContent({
        model: 'gemini-2.5-pro',
        contents: question,
        config: { maxOutputTokens: 600 },
      });
      expect(response.text).toMatch(/lorem ipsum/);
      expect(guarded.tokenfence.spentNanos).toBe(800 * PRO.input + 200 * PRO.cached + 500 * PRO.output);
      expect(of('call-settled')[0]).toMatchObject({
        provider: 'google',
        outcome: 'ok',
        source: 'provider',
        usage: { inputUncached: 800, inputCacheRead: 200, outputText: 400, outputReasoning: 100 },
      });
      expect(guarded.tokenfence.reserved).toBe(0);
    });

    it("prices generateContentStream exactly from the last chunk's running usage", async () => {
      mock.setScenario({ inputTokens: 200, outputTokens: 300, chunks: 5 });
      const guarded = guard(client(), { budget: 1 });
      const stream = await guarded.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: question,
        config: { maxOutputTokens: 400 },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.text ?? '';
      expect(text).toMatch(/^lorem ipsum/);
      expect(guarded.tokenfence.spentNanos).toBe(200 * FLASH.input + 300 * FLASH.output);
      expect(mock.requests[0]?.path).toMatch(geminiPath('gemini-2.5-flash', 'streamGenerateContent'));
    });

    it('guards chat sessions: sendMessage and sendMessageStream, with the whole history', async () => {
      mock.setScenario({ inputTokens: 100, outputTokens: 50 });
      const guarded = guard(client(), { budget: 1 });
      const chat = guarded.chats.create({ model: 'gemini-2.5-flash', config: { maxOutputTokens: 200 } });
      expect((await chat.sendMessage({ message: 'Hello' })).text).toMatch(/lorem/);
      await drain(await chat.sendMessageStream({ message: 'And again' }));
      expect(guarded.tokenfence.calls).toBe(2);
      expect(guarded.tokenfence.spentNanos).toBe(2 * (100 * FLASH.input + 50 * FLASH.output));
      expect(mock.requests[1]?.body.contents).toHaveLength(3);
    });

    it("refuses a call that does not fit before anything is sent, or answers it locally under 'stop'", async () => {
      const throwing = guard(client(), { budget: 0.000_1, onLimit: 'throw' });
      const params = { model: 'gemini-2.5-pro', contents: question, config: { maxOutputTokens: 1_000 } };
      await expect(throwing.models.generateContent(params)).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(throwing.models.generateContentStream(params)).rejects.toBeInstanceOf(BudgetExceededError);
      const stopping = guard(client(), { budget: 0.000_1, label: 'writer' });
      expect((await stopping.models.generateContent(params)).text).toMatch(/Budget exceeded for "writer"/);
      expect(mock.requests).toHaveLength(0);
    });

    it('downgrades to the fallback from the threshold on: the URL names the fallback', async () => {
      mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 0.015, threshold: 0.5, fallback: 'gemini-2.5-flash', onEvent });
      const params = { model: 'gemini-2.5-pro', contents: question, config: { maxOutputTokens: 1_000 } };
      await guarded.models.generateContent(params);
      await guarded.models.generateContent(params);
      expect(mock.requests[1]?.path).toMatch(geminiPath('gemini-2.5-flash', 'generateContent'));
      expect(of('call-settled')[1]).toMatchObject({
        modelUsed: 'gemini-2.5-flash',
        costNanos: 10 * FLASH.input + 1_000 * FLASH.output,
      });
    });

    it('clamps maxOutputTokens to what the budget can pay for when the request sets none', async () => {
      mock.setScenario({ outputTokens: 50_000 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 0.05, onEvent });
      await guarded.models.generateContent({ model: 'gemini-2.5-pro', contents: question });
      const clampedTo = of('max-tokens-clamped')[0]?.clampedTo;
      expect(clampedTo).toBeGreaterThan(100);
      expect(clampedTo).toBeLessThan(65_535);
      expect(mock.requests[0]?.body.generationConfig).toMatchObject({ maxOutputTokens: clampedTo });
      expect(guarded.tokenfence.spent).toBeLessThanOrEqual(0.05);
    });

    it("releases the hold when the consumer breaks out, or the caller's own abortSignal fires", async () => {
      mock.setScenario({ chunks: 20, chunkDelayMs: 10 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 1, onEvent });
      const broken = await guarded.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: question,
        config: { maxOutputTokens: 100 },
      });
      for await (const _chunk of broken) break;
      const controller = new AbortController();
      const aborted = await guarded.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: question,
        config: { maxOutputTokens: 100, abortSignal: controller.signal },
      });
      const iterator = aborted[Symbol.asyncIterator]();
      await iterator.next();
      controller.abort();
      await expect(drain({ [Symbol.asyncIterator]: () => iterator })).rejects.toThrow();
      await sleep(50);
      expect(of('call-settled').map((settled) => settled.outcome)).toEqual(['aborted', 'aborted']);
      expect(guarded.tokenfence.reserved).toBe(0);
      expect(mock.openRequests).toBe(0);
    });

    it("charges nothing for a failed call and surfaces the SDK's own ApiError", async () => {
      mock.setScenario({ failStatus: 400 });
      const guarded = guard(client(), { budget: 1 });
      const error = await guarded.models
        .generateContent({ model: 'gemini-2.5-flash', contents: question, config: { maxOutputTokens: 100 } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(sdk().ApiError);
      expect(guarded.tokenfence.spentNanos).toBe(0);
      expect(guarded.tokenfence.reserved).toBe(0);
    });
  });
}
