import { describe, expect, it } from 'vitest';
import { guard, isBudgetExceededError } from '../../src/index.js';

import { type MockProvider, sampleAttachments } from '../../src/testing/index.js';
import { anthropicClient, geminiClient, openAIClient } from '../support/clients.js';
import { collectEvents } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const pdf = (pages: number) => base64(sampleAttachments.pdf(pages));
/** n$ for `tokens` at `usdPerMillion` (1 token at $1/1M = 1,000 n$). */
const at = (tokens: number, usdPerMillion: number) => tokens * usdPerMillion * 1_000;

/** Held for the call: the `reservedUsd` of its settlement, in n$. */
function heldNanos(of: ReturnType<typeof collectEvents>['of']): number {
  const [settled] = of('call-settled');
  if (!settled) throw new Error('no call-settled event');
  return Math.round(settled.reservedUsd * 1e9);
}

describe('attachments in the worst case, through the real SDKs', () => {
  // A budget that affords a 5,000-token prompt and the answer, and no more.
  const fiveThousandTokens = (at(5_000, 3) + at(500, 15)) / 1e9;

  it('Anthropic: a 100-page PDF (> 150k tokens) is refused under a budget that affords 5k tokens; 1 page passes', async () => {
    const ask = (pages: number) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 500,
      messages: [
        {
          role: 'user' as const,
          content: [
            {
              type: 'document' as const,
              source: { type: 'base64' as const, media_type: 'application/pdf' as const, data: pdf(pages) },
            },
            { type: 'text' as const, text: 'Summarise it.' },
          ],
        },
      ],
    });
    const client = guard(anthropicClient(mock), { budget: fiveThousandTokens, onLimit: 'throw' });
    const refusal = await client.messages.create(ask(100)).catch((error: unknown) => error);
    expect(isBudgetExceededError(refusal)).toBe(true);
    expect(mock.requests).toHaveLength(0);
    mock.setScenario({ inputTokens: 2_000, outputTokens: 100 });
    await client.messages.create(ask(1));
    expect(mock.requests).toHaveLength(1);
  });

  it('OpenAI: an image is reserved by its tiles (1024×1024 high detail = 765 tokens on gpt-4o), a URL by the context window', async () => {
    const image = `data:image/png;base64,${base64(sampleAttachments.png(1024, 1024))}`;
    const { onEvent, of } = collectEvents();
    const client = guard(openAIClient(mock), { budget: 10, onEvent });
    mock.setScenario({ inputTokens: 800, outputTokens: 10 });
    await client.chat.completions.create({
      model: 'gpt-4o',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: image, detail: 'high' } },
            { type: 'text', text: 'What is it?' },
          ],
        },
      ],
    });
    const held = heldNanos(of);
    expect(held).toBeGreaterThanOrEqual(at(765, 2.5) + at(10, 10));
    expect(held).toBeLessThan(at(2_000, 2.5) + at(10, 10));

    const byUrl = collectEvents();
    const urlClient = guard(openAIClient(mock), { budget: 10, onEvent: byUrl.onEvent });
    await urlClient.chat.completions.create({
      model: 'gpt-4o',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
    });
    // gpt-4o reads up to 128k tokens: an image the request does not carry is bounded by that, not by 4,000.
    expect(heldNanos(byUrl.of)).toBeGreaterThanOrEqual(at(128_000, 2.5));
  });

  it('Gemini: an inline 100-page PDF is bounded per page and refused when the pages do not fit', async () => {
    const client = guard(geminiClient(mock), { budget: (at(5_000, 0.3) + at(500, 2.5)) / 1e9, onLimit: 'throw' });
    const refusal = await client.models
      .generateContent({
        model: 'gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'application/pdf', data: pdf(100) } }] }],
        config: { maxOutputTokens: 500 },
      })
      .catch((error: unknown) => error);
    expect(isBudgetExceededError(refusal)).toBe(true);
    expect(mock.requests).toHaveLength(0);
  });
});
