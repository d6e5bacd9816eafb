import type Anthropic from '@anthropic-ai/sdk';
import { expect, it } from 'vitest';
import { BudgetExceededError, guard } from '../../../src/index.js';
import type { MockProvider } from '../../../src/testing/index.js';
import { CANARY_KEY, chatMessages } from '../../support/clients.js';
import { collectEvents, sleep } from '../../support/collect-events.js';
import { useMockProvider } from '../../support/mock-provider.js';
import { describeSdkLine, type SdkLine } from '../../support/sdk-line.js';

/** The `@anthropic-ai/sdk` package as the contract uses it (the default export: the client and its errors). */
export interface AnthropicModule {
  default: typeof Anthropic;
}

// Nano-USD per token. claude-sonnet-4-6: $3 input, $0.30 cache read, $3.75 5m write, $6 1h write, $15 output
// per 1M; claude-haiku-4-5: $1 input, $5 output.
const SONNET = { input: 3_000, read: 300, write5m: 3_750, output: 15_000 };
const HAIKU = { input: 1_000, output: 5_000 };

/** The guard's contract with one line of `@anthropic-ai/sdk`, against the real package and the local mock. */
export function describeAnthropicContract(line: SdkLine<AnthropicModule>): void {
  describeSdkLine(line, (sdk) => {
    let mock: MockProvider;
    useMockProvider((started) => {
      mock = started;
    });
    const client = () => {
      const { default: Client } = sdk();
      return new Client({ apiKey: CANARY_KEY, baseURL: mock.url, maxRetries: 0 });
    };

    it('prices a JSON call exactly: input_tokens excludes the cache reads and writes', async () => {
      mock.setScenario({ inputTokens: 1_000, cachedTokens: 3_000, cacheWrite5mTokens: 2_000, outputTokens: 500 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 1, label: 'writer', onEvent });
      const message = await guarded.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1_000,
        messages: chatMessages,
      });
      expect(message.type).toBe('message');
      expect(guarded.tokenfence.spentNanos).toBe(
        1_000 * SONNET.input + 3_000 * SONNET.read + 2_000 * SONNET.write5m + 500 * SONNET.output,
      );
      expect(of('call-settled')[0]?.usage).toEqual({
        inputUncached: 1_000,
        inputCacheRead: 3_000,
        inputCacheWrite5m: 2_000,
        inputCacheWrite1h: 0,
        outputText: 500,
        outputReasoning: 0,
      });
      expect(guarded.tokenfence.reserved).toBe(0);
    });

    it('prices a stream exactly from the cumulative message_delta usage', async () => {
      mock.setScenario({ inputTokens: 200, outputTokens: 300, chunks: 5 });
      const guarded = guard(client(), { budget: 1 });
      const stream = await guarded.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 400,
        messages: chatMessages,
        stream: true,
      });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types.at(-1)).toBe('message_stop');
      expect(guarded.tokenfence.spentNanos).toBe(200 * HAIKU.input + 300 * HAIKU.output);
    });

    it('keeps withResponse() and the messages.stream() helper with finalMessage()', async () => {
      mock.setScenario({ inputTokens: 50, outputTokens: 40 });
      const guarded = guard(client(), { budget: 1 });
      const { data, response } = await guarded.messages
        .create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: chatMessages })
        .withResponse();
      expect(data.content[0]?.type).toBe('text');
      expect(response.ok).toBe(true);
      let text = '';
      const final = await guarded.messages
        .stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: chatMessages })
        .on('text', (delta) => {
          text += delta;
        })
        .finalMessage();
      expect(final.content[0]?.type === 'text' && final.content[0].text).toBe(text);
      expect(guarded.tokenfence.spentNanos).toBe(2 * (50 * HAIKU.input + 40 * HAIKU.output));
      expect(guarded.tokenfence.reserved).toBe(0);
    });

    it("refuses a call that does not fit before anything is sent, or answers it locally under 'stop'", async () => {
      const throwing = guard(client(), { budget: 0.000_01, onLimit: 'throw' });
      await expect(
        throwing.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1_000, messages: chatMessages }),
      ).rejects.toBeInstanceOf(BudgetExceededError);
      const stopping = guard(client(), { budget: 0.000_01, label: 'reviewer' });
      const text = await stopping.messages
        .stream({ model: 'claude-sonnet-4-6', max_tokens: 1_000, messages: chatMessages })
        .finalText();
      expect(text).toMatch(/Budget exceeded for "reviewer"/);
      expect(mock.requests).toHaveLength(0);
    });

    it('downgrades to the fallback from the threshold on, priced at the fallback', async () => {
      mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 0.04, threshold: 0.4, fallback: 'claude-haiku-4-5', onEvent });
      const request = { model: 'claude-sonnet-4-6', max_tokens: 1_000, messages: chatMessages };
      await guarded.messages.create(request);
      await guarded.messages.create(request);
      expect(mock.requests[1]?.body.model).toBe('claude-haiku-4-5');
      expect(of('model-downgraded')[0]).toMatchObject({ from: 'claude-sonnet-4-6', to: 'claude-haiku-4-5' });
      expect(of('call-settled')[1]?.costNanos).toBe(1_000 * HAIKU.input + 1_000 * HAIKU.output);
    });

    it('releases the hold when the consumer breaks out of a stream or aborts the helper', async () => {
      mock.setScenario({ chunks: 8, chunkDelayMs: 5 });
      const { onEvent, of } = collectEvents();
      const guarded = guard(client(), { budget: 1, onEvent });
      const stream = await guarded.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: chatMessages,
        stream: true,
      });
      for await (const _event of stream) break;
      const helper = guarded.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: chatMessages });
      await new Promise<void>((resolve) => helper.once('text', () => resolve()));
      helper.abort();
      await helper.done().catch(() => undefined);
      await sleep(30);
      expect(guarded.tokenfence.reserved).toBe(0);
      expect(of('call-settled').map((settled) => settled.outcome)).toEqual(['aborted', 'aborted']);
      expect(mock.openRequests).toBe(0);
    });

    it("charges nothing for a failed call and surfaces the SDK's own error class", async () => {
      mock.setScenario({ failStatus: 400 });
      const guarded = guard(client(), { budget: 1 });
      await expect(
        guarded.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: chatMessages }),
      ).rejects.toBeInstanceOf(sdk().default.BadRequestError);
      expect(guarded.tokenfence.spentNanos).toBe(0);
      expect(guarded.tokenfence.reserved).toBe(0);
    });
  });
}
