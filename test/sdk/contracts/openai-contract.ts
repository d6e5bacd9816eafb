import type OpenAI from 'openai';
import { expect, it } from 'vitest';
import { BudgetExceededError, guard } from '../../../src/index.js';
import type { MockProvider } from '../../../src/testing/index.js';
import { CANARY_KEY, chatMessages } from '../../support/clients.js';
import { collectEvents, sleep } from '../../support/collect-events.js';
import { useMockProvider } from '../../support/mock-provider.js';
import { describeSdkLine, type SdkLine } from '../../support/sdk-line.js';

/** The `openai` package as the contract uses it (the default export: the client class and its error classes). */
export interface OpenAIModule {
  default: typeof OpenAI;
}

// Nano-USD per token. gpt-4o: $2.50 input, $1.25 cached, $10 output per 1M; gpt-4o-mini: $0.15 / $0.60;
// gpt-5: $1.25 / $0.125 cached / $10 output.
const GPT_4O = { input: 2_500, cached: 1_250, output: 10_000 };
const GPT_4O_MINI = { input: 150, output: 600 };
const GPT_5 = { input: 1_250, cached: 125, output: 10_000 };

/**
 * The guard's contract with one major line of `openai`: the same assertions for every line, run against the
 * real package and the local mock server.
 */
export function describeOpenAIContract(line: SdkLine<OpenAIModule>): void {
  describeSdkLine(line, (sdk) => {
    let mock: MockProvider;
    useMockProvider((started) => {
      mock = started;
    });
    const client = (options: ConstructorParameters<typeof OpenAI>[0] = {}) => {
      const { default: Client } = sdk();
      return new Client({ apiKey: CANARY_KEY, baseURL: `${mock.url}/v1`, maxRetries: 0, ...options });
    };

    it('prices a chat JSON call exactly: cached and reasoning tokens in their own buckets', async () => {
      mock.setScenario({ inputTokens: 800, cachedTokens: 200, outputTokens: 500, reasoningTokens: 100 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 1, label: 'planner', onEvent });
      const completion = await guarded.chat.completions.create({
        model: 'gpt-4o',
        messages: chatMessages,
        max_tokens: 600,
      });
      expect(completion.usage?.prompt_tokens).toBe(1_000);
      expect(guarded.tokenfence.spentNanos).toBe(800 * GPT_4O.input + 200 * GPT_4O.cached + 500 * GPT_4O.output);
      expect(guarded.tokenfence.reserved).toBe(0);
      expect(of('call-settled')[0]).toMatchObject({ label: 'planner', outcome: 'ok', source: 'provider' });
      expect(of('call-settled')[0]?.usage).toEqual({
        inputUncached: 800,
        inputCacheRead: 200,
        inputCacheWrite5m: 0,
        inputCacheWrite1h: 0,
        outputText: 400,
        outputReasoning: 100,
      });
    });

    it('prices a chat stream exactly, asking for usage and hiding the extra usage chunk', async () => {
      mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
      const guarded = guard(client(), { budget: 1 });
      const stream = await guarded.chat.completions.create({
        model: 'gpt-4o',
        messages: chatMessages,
        stream: true,
        max_tokens: 600,
      });
      let text = '';
      let choiceless = 0;
      for await (const chunk of stream) {
        if (chunk.choices.length === 0) choiceless += 1;
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toContain('lorem');
      expect(choiceless).toBe(0);
      expect(mock.requests.at(-1)?.body.stream_options).toEqual({ include_usage: true });
      expect(guarded.tokenfence.spentNanos).toBe(1_000 * GPT_4O.input + 500 * GPT_4O.output);
    });

    it('keeps withResponse(), and the chat.completions.stream() helper with finalChatCompletion()', async () => {
      mock.setScenario({ inputTokens: 20, outputTokens: 6 });
      const guarded = guard(client(), { budget: 1 });
      const { data, response } = await guarded.chat.completions
        .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 })
        .withResponse();
      expect(data.object).toBe('chat.completion');
      expect(response.status).toBe(200);
      const runner = guarded.chat.completions.stream({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 });
      let deltas = '';
      runner.on('content', (delta) => {
        deltas += delta;
      });
      const final = await runner.finalChatCompletion();
      expect(final.choices[0]?.message.content).toBe(deltas);
      expect(guarded.tokenfence.spentNanos).toBe(2 * (20 * GPT_4O.input + 6 * GPT_4O.output));
      expect(guarded.tokenfence.reserved).toBe(0);
    });

    it('prices responses.create as JSON and as a stream, and the responses.stream() helper', async () => {
      mock.setScenario({ inputTokens: 300, cachedTokens: 100, outputTokens: 50, reasoningTokens: 20 });
      const guarded = guard(client(), { budget: 1 });
      const perCall = 300 * GPT_5.input + 100 * GPT_5.cached + 50 * GPT_5.output;
      const response = await guarded.responses.create({ model: 'gpt-5', input: 'Plan it.', max_output_tokens: 100 });
      expect(response.output_text).toContain('lorem');
      const stream = await guarded.responses.create({
        model: 'gpt-5',
        input: 'Plan it.',
        max_output_tokens: 100,
        stream: true,
      });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types.at(-1)).toBe('response.completed');
      const final = await guarded.responses
        .stream({ model: 'gpt-5', input: 'Plan it.', max_output_tokens: 100 })
        .finalResponse();
      expect(final.status).toBe('completed');
      expect(JSON.stringify(final.output)).toContain('lorem');
      expect(guarded.tokenfence.spentNanos).toBe(3 * perCall);
      expect(guarded.tokenfence.reserved).toBe(0);
    });

    it('refuses a call that does not fit before anything is sent', async () => {
      const guarded = guard(client(), { budget: 0.0001, onLimit: 'throw' });
      await expect(
        guarded.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(
        guarded.responses.create({ model: 'gpt-5', input: 'Plan it.', max_output_tokens: 1_000, stream: true }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      expect(mock.requests).toHaveLength(0);
      expect(guarded.tokenfence.reserved).toBe(0);
    });

    it('downgrades to the fallback from the threshold on, priced at the fallback', async () => {
      mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 0.015, fallback: 'gpt-4o-mini', onEvent });
      await guarded.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
      const second = await guarded.chat.completions.create({
        model: 'gpt-4o',
        messages: chatMessages,
        max_tokens: 1_000,
      });
      expect(mock.requests[1]?.body.model).toBe('gpt-4o-mini');
      expect(second.model).toBe('gpt-4o-mini');
      expect(of('model-downgraded')[0]).toMatchObject({ from: 'gpt-4o', to: 'gpt-4o-mini', reason: 'threshold' });
      expect(of('call-settled')[1]?.costNanos).toBe(1_000 * GPT_4O_MINI.input + 1_000 * GPT_4O_MINI.output);
    });

    it('clamps the output cap to what the budget can pay for when the request sets none', async () => {
      mock.setScenario({ outputTokens: 50_000 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 0.05, onEvent });
      await guarded.chat.completions.create({ model: 'gpt-4o', messages: chatMessages });
      const clampedTo = of('max-tokens-clamped')[0]?.clampedTo;
      expect(clampedTo).toBeGreaterThan(100);
      expect(clampedTo).toBeLessThan(16_384);
      expect(mock.requests[0]?.body.max_completion_tokens).toBe(clampedTo);
      expect(guarded.tokenfence.spent).toBeLessThanOrEqual(0.05);
    });

    it('releases the hold when the consumer breaks out of a stream or aborts it', async () => {
      mock.setScenario({ chunks: 8, chunkDelayMs: 5 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 1, onEvent });
      const broken = await guarded.chat.completions.create({
        model: 'gpt-4o',
        messages: chatMessages,
        stream: true,
        max_tokens: 100,
      });
      for await (const _chunk of broken) break;
      const aborted = await guarded.chat.completions.create({
        model: 'gpt-4o',
        messages: chatMessages,
        stream: true,
        max_tokens: 100,
      });
      let seen = 0;
      for await (const _chunk of aborted) {
        seen += 1;
        if (seen === 2) aborted.controller.abort();
      }
      await sleep(30);
      expect(guarded.tokenfence.reserved).toBe(0);
      expect(of('call-settled').map((settled) => settled.outcome)).toEqual(['aborted', 'aborted']);
      expect(of('call-settled').every((settled) => settled.source === 'estimated')).toBe(true);
    });

    it("charges nothing for a failed call and surfaces the SDK's own error class", async () => {
      mock.setScenario({ failStatus: 400 });
      const guarded = guard(client(), { budget: 1 });
      await expect(
        guarded.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 10 }),
      ).rejects.toBeInstanceOf(sdk().default.BadRequestError);
      expect(guarded.tokenfence.spentNanos).toBe(0);
      expect(guarded.tokenfence.reserved).toBe(0);
    });
  });
}
