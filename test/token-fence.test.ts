import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  guard,
  InvalidOptionsError,
  isInvalidOptionsError,
  isTokenFenceError,
  type SpendView,
  TokenFence,
  type TokenFenceEvent,
  UnsupportedClientError,
} from '../src/index.js';
import { type MockProvider, startMockProvider } from '../src/testing/index.js';
import { anthropicClient, CANARY_KEY, chatMessages, openAIClient } from './support/clients.js';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ scenario: { inputTokens: 1_000, outputTokens: 1_000 } });
});
afterAll(() => mock.close());

describe('options are validated at construction', () => {
  it.each([
    [{ budget: -1 }, 'budget'],
    [{ budget: Number.NaN }, 'budget'],
    [{ budget: Number.POSITIVE_INFINITY }, 'budget'],
    [{ budget: 'lots' }, 'budget'],
    [{ budget: '$-5' }, 'budget'],
    [{ budget: 1e300 }, 'budget'],
    [{ budget: {} }, 'budget'],
    [{ threshold: 1.5 }, 'threshold'],
    [{ threshold: -0.1 }, 'threshold'],
    [{ threshold: Number.NaN }, 'threshold'],
    [{ onLimit: 'explode' }, 'onLimit'],
    [{ share: 0.5 }, 'share'],
    [{ fallback: '' }, 'fallback'],
    [{ fallback: [42] }, 'fallback'],
    [{ label: '' }, 'label'],
    [{ label: 'a\nb' }, 'label'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
    [{ onEvent: 'log' }, 'onEvent'],
    [{ parent: {} }, 'parent'],
    [{ budgte: 1 }, 'budgte'],
  ])('%j → InvalidOptionsError naming %s', (options, option) => {
    const attempt = () => new TokenFence(options as never);
    expect(attempt).toThrow(InvalidOptionsError);
    try {
      attempt();
    } catch (error) {
      expect(isInvalidOptionsError(error)).toBe(true);
      expect((error as InvalidOptionsError).option).toBe(option);
      expect((error as InvalidOptionsError).code).toBe('INVALID_OPTIONS');
    }
  });

  it.each([
    [0, 'share'],
    [1.01, 'share'],
    [Number.NaN, 'share'],
  ])('share %s outside (0, 1] is refused', (share, option) => {
    const parent = new TokenFence({ budget: 1 });
    expect(() => parent.guard(openAIClient(mock), { share })).toThrow(expect.objectContaining({ option }));
  });

  it.each([null, 42, 'openai', {}, [], new Map(), { chat: {} }])('guard(%j) → UnsupportedClientError', (client) => {
    expect(() => guard(client as never, { budget: 1 })).toThrow(UnsupportedClientError);
  });

  it('refuses to guard a client twice', () => {
    const client = guard(openAIClient(mock), { budget: 1 });
    expect(() => guard(client, { budget: 1 })).toThrow(UnsupportedClientError);
  });

  it('accepts budgets as numbers and dollar strings', () => {
    expect(new TokenFence({ budget: '$1.50' }).budget).toBe(1.5);
    expect(new TokenFence({ budget: 0 }).budget).toBe(0);
    expect(new TokenFence().budget).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the budget tree', () => {
  it('counts spend in every ancestor, caps a child by its share, and allows shares to overcommit', async () => {
    mock.requests.length = 0;
    const run = new TokenFence({ budget: 1, label: 'doc-summary-v2' });
    const researcher = run.guard(openAIClient(mock), { label: 'researcher', share: 0.6 });
    const writer = run.guard(anthropicClient(mock), { label: 'writer', share: 0.6 });
    expect(researcher.tokenfence.budget).toBe(0.6);
    expect(writer.tokenfence.budget).toBe(0.6);
    await researcher.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    await writer.messages.create({ model: 'claude-haiku-4-5', max_tokens: 1_000, messages: chatMessages });
    const researcherNanos = 1_000 * 2_500 + 1_000 * 10_000;
    const writerNanos = 1_000 * 1_000 + 1_000 * 5_000;
    expect(researcher.tokenfence.spent).toBe(researcherNanos / 1e9);
    expect(writer.tokenfence.spent).toBe(writerNanos / 1e9);
    expect(run.spentNanos).toBe(researcherNanos + writerNanos);
    expect(run.calls).toBe(2);
    expect(run.remaining).toBeCloseTo(1 - (researcherNanos + writerNanos) / 1e9, 12);
  });

  it('exposes the handle read-only, with every documented field', () => {
    const client = guard(openAIClient(mock), { budget: 2, label: 'planner' });
    const handle: SpendView = client.tokenfence;
    expect(handle).toMatchObject({
      label: 'planner',
      budget: 2,
      spent: 0,
      reserved: 0,
      remaining: 2,
      calls: 0,
      usageRatio: 0,
      shouldDowngrade: false,
      budgetExceeded: false,
      killed: false,
    });
    expect(() => {
      (client as { tokenfence: unknown }).tokenfence = null;
    }).toThrow(TypeError);
    expect(client.tokenfence).toBe(handle);
  });

  it('reset() starts a fresh period and revives a killed scope', async () => {
    const client = guard(openAIClient(mock), { budget: 1 });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    client.tokenfence.kill('pause');
    expect(client.tokenfence.killed).toBe(true);
    client.tokenfence.reset();
    expect(client.tokenfence).toMatchObject({ spent: 0, calls: 0, killed: false, budgetExceeded: false });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    expect(client.tokenfence.calls).toBe(1);
  });

  it('delivers events to listeners on the scope and its ancestors; a throwing listener breaks nothing', async () => {
    const run = new TokenFence({ budget: 1 });
    const seen: TokenFenceEvent[] = [];
    run.on('call-settled', (event) => seen.push(event));
    run.on('*', () => {
      throw new Error('listener bug');
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const client = run.guard(openAIClient(mock), { label: 'agent' });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ label: 'agent', path: ['default', 'agent'] });
    expect(warnings.some((message) => message.includes('listener bug'))).toBe(true);
  });
});

describe('drop-in types', () => {
  it('guard() returns the client type unchanged, plus the handle', () => {
    const openai = guard(new OpenAI({ apiKey: CANARY_KEY }), { budget: 1 });
    expectTypeOf(openai).toExtend<OpenAI>();
    expectTypeOf(openai.chat.completions.create).toEqualTypeOf<OpenAI['chat']['completions']['create']>();
    const anthropic = new TokenFence({ budget: 1 }).guard(new Anthropic({ apiKey: CANARY_KEY }));
    expectTypeOf(anthropic).toExtend<Anthropic>();
    expectTypeOf(anthropic.tokenfence).toEqualTypeOf<SpendView>();
  });
});

describe('secrets', () => {
  it('never puts the API key into errors or events', async () => {
    mock.requests.length = 0;
    const seen: unknown[] = [];
    const run = new TokenFence({ budget: 0.02, onEvent: (event) => seen.push(event) });
    const client = run.guard(openAIClient(mock), { onLimit: 'throw', fallback: 'gpt-4o-mini' });
    for (let index = 0; index < 4; index += 1) {
      await client.chat.completions
        .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 })
        .catch((error: unknown) => seen.push(error));
    }
    await client.chat.completions
      .create({ model: 'no-such-model', messages: chatMessages })
      .catch((error: unknown) => seen.push(error));
    run.kill('stop');
    await client.chat.completions
      .create({ model: 'gpt-4o', messages: chatMessages })
      .catch((error: unknown) => seen.push(error));
    const errors = seen.filter(isTokenFenceError);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    const text = seen
      .map((item) =>
        item instanceof Error ? `${item.message} ${item.stack} ${JSON.stringify(item)}` : JSON.stringify(item),
      )
      .join('\n');
    expect(text).not.toContain(CANARY_KEY);
    expect(text).not.toContain('sk-');
  });
});
