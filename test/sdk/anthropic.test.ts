import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { guard, KillSwitchError, TokenFence } from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { anthropicClient, chatMessages } from '../support/clients.js';
import { collectEvents, drain, sleep } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// claude-sonnet-4-6: $3 input, $0.30 cache read, $3.75 5m write, $6 1h write, $15 output (per 1M).
const V09_NANOS = 1_000 * 3_000 + 3_000 * 300 + 2_000 * 3_750 + 500 * 15_000;

describe('messages.create', () => {
  it('prices cache reads and 5-minute writes from usage (input_tokens excludes cache tokens)', async () => {
    mock.setScenario({ inputTokens: 1_000, cachedTokens: 3_000, cacheWrite5mTokens: 2_000, outputTokens: 500 });
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), { budget: '$1.50', label: 'writer', onEvent });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1_000,
      messages: chatMessages,
    });
    expect(message.type).toBe('message');
    expect(client.tokenfence.spentNanos).toBe(V09_NANOS);
    expect(client.tokenfence.budget).toBe(1.5);
    expect(of('call-settled')[0]?.usage).toEqual({
      inputUncached: 1_000,
      inputCacheRead: 3_000,
      inputCacheWrite5m: 2_000,
      inputCacheWrite1h: 0,
      outputText: 500,
      outputReasoning: 0,
    });
  });

  it('prices 1-hour cache writes at their own rate and reserves for them up front', async () => {
    mock.setScenario({ inputTokens: 1_000, cachedTokens: 3_000, cacheWrite1hTokens: 2_000, outputTokens: 500 });
    const client = guard(anthropicClient(mock), { budget: 1 });
    const system = [
      {
        type: 'text' as const,
        text: 'You are a careful writer.',
        cache_control: { type: 'ephemeral' as const, ttl: '1h' as const },
      },
    ];
    const pending = client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1_000,
      system,
      messages: chatMessages,
    });
    const reserved = client.tokenfence.reserved;
    await pending;
    expect(client.tokenfence.spentNanos).toBe(1_000 * 3_000 + 3_000 * 300 + 2_000 * 6_000 + 500 * 15_000);
    // The worst case prices every prompt byte at the 1h write rate ($6/1M), never at plain input.
    expect(reserved * 1e9).toBeGreaterThanOrEqual(1_000 * 15_000);
  });

  it('keeps withResponse() working', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10 });
    const client = guard(anthropicClient(mock), { budget: 1 });
    const { data, response } = await client.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: chatMessages })
      .withResponse();
    expect(data.content[0]?.type).toBe('text');
    expect(response.ok).toBe(true);
    expect(client.tokenfence.spentNanos).toBe(10 * 1_000 + 10 * 5_000);
  });
});

describe('streams', () => {
  it('takes the latest cumulative message_delta usage, never the sum', async () => {
    mock.setScenario({ inputTokens: 200, outputTokens: 300, chunks: 5 });
    const client = guard(anthropicClient(mock), { budget: 1 });
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 400,
      messages: chatMessages,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('message_stop');
    expect(client.tokenfence.spentNanos).toBe(200 * 1_000 + 300 * 5_000);
  });

  it('works through the messages.stream() helper with its events', async () => {
    mock.setScenario({ inputTokens: 50, outputTokens: 40 });
    const client = guard(anthropicClient(mock), { budget: 1 });
    let text = '';
    const stream = client.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: chatMessages })
      .on('text', (delta) => {
        text += delta;
      });
    const final = await stream.finalMessage();
    expect(final.content[0]?.type === 'text' && final.content[0].text).toBe(text);
    expect(client.tokenfence.spentNanos).toBe(50 * 1_000 + 40 * 5_000);
  });

  it('charges the hold for an in-band error after HTTP 200 (no message_stop)', async () => {
    mock.setScenario({ inputTokens: 50, outputTokens: 40, inBandErrorAfterChunks: 2 });
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), { budget: 1, onEvent });
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: chatMessages,
      stream: true,
    });
    await expect(drain(stream)).rejects.toThrow();
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({ source: 'estimated', outcome: 'error' });
    expect(settled?.costNanos).toBe(Math.round((settled?.reservedUsd ?? 0) * 1e9));
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('charges the hold when the connection is cut mid-stream', async () => {
    mock.setScenario({ chunks: 6, cutAfterChunks: 2, chunkDelayMs: 5 });
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), { budget: 1, onEvent });
    const stream = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: chatMessages,
      stream: true,
    });
    await expect(drain(stream)).rejects.toThrow();
    await sleep(10);
    expect(of('call-settled')[0]?.source).toBe('estimated');
    expect(client.tokenfence.spent).toBeGreaterThan(0);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it("answers messages.stream() locally under onLimit: 'stop', with the helper's events", async () => {
    const client = guard(anthropicClient(mock), { budget: 0.000_01, label: 'reviewer' });
    const final = await client.messages
      .stream({ model: 'claude-sonnet-4-6', max_tokens: 1_000, messages: chatMessages })
      .finalText();
    expect(final).toMatch(/Budget exceeded for "reviewer"/);
    expect(mock.requests).toHaveLength(0);
  });

  it('kill() aborts the messages.stream() helper mid-way', async () => {
    mock.setScenario({ chunks: 40, chunkDelayMs: 20 });
    const run = new TokenFence({ budget: 1 });
    const client = run.guard(anthropicClient(mock), { label: 'writer' });
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 100, messages: chatMessages });
    await new Promise<void>((resolve) => stream.once('text', () => resolve()));
    run.kill('enough');
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(KillSwitchError);
    expect(run.reserved).toBe(0);
    await sleep(30);
    expect(mock.openRequests).toBe(0);
  });
});
