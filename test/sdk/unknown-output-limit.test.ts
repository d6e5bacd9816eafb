/**
 * A model whose maximum output is unknown: the request goes as written while a whole context window of
 * output (200,000 tokens when the window is unknown too) fits the budget; the default cap is injected
 * only when it does not.
 */
import { describe, expect, it } from 'vitest';
import { guard } from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { collectEvents } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** $1 / $2 per million tokens, no known output or context limit. */
const prices = { 'gpt-9-imaginary': { input: 1, output: 2 } };

describe('uncapped request on a model with no known output limit', () => {
  it('reserves 200,000 output tokens and sends the request as written when that fits', async () => {
    const client = guard(openAIClient(mock), { budget: 1, prices });
    const pending = client.chat.completions.create({ model: 'gpt-9-imaginary', messages: chatMessages });
    expect(client.tokenfence.reserved).toBeGreaterThanOrEqual((200_000 * 2) / 1e6);
    await pending;
    expect(mock.requests[0]?.body).not.toHaveProperty('max_completion_tokens');
    expect(mock.requests[0]?.body).not.toHaveProperty('max_tokens');
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('injects the default cap (4,096) only when a whole window of output does not fit', async () => {
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 0.1, prices, onEvent });
    const pending = client.chat.completions.create({ model: 'gpt-9-imaginary', messages: chatMessages });
    expect(client.tokenfence.reserved).toBeLessThan(0.1);
    expect(client.tokenfence.reserved).toBeGreaterThanOrEqual((4_096 * 2) / 1e6);
    await pending;
    expect(mock.requests[0]?.body.max_completion_tokens).toBe(4_096);
    expect(of('max-tokens-clamped')[0]).toMatchObject({ requested: undefined, clampedTo: 4_096 });
  });
});
