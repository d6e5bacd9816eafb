import { describe, expect, it } from 'vitest';
import { createGenaiPricesSource } from './genai-prices-source.js';
import { modelLookups } from './normalize-model-id.js';

const at = new Date('2026-12-01T12:00:00Z');
const source = createGenaiPricesSource();
/** USD per 1M tokens → n$ per 1M tokens. */
const perMillion = (usd: number) => Math.round(usd * 1e9);

describe('aggregator ids', () => {
  it('looks an id up as given at the aggregator, then normalized there, then at the vendor', () => {
    expect(modelLookups('openrouter', 'Anthropic/claude-sonnet-4.5')).toEqual([
      { provider: 'openrouter', model: 'anthropic/claude-sonnet-4.5' },
      { provider: 'openrouter', model: 'claude-sonnet-4.5' },
      { provider: 'anthropic', model: 'claude-sonnet-4.5' },
    ]);
    // At the vendor itself, or without a vendor prefix, only the normalized id.
    expect(modelLookups('openai', 'openai/gpt-4o')).toEqual([{ provider: 'openai', model: 'gpt-4o' }]);
    expect(modelLookups('together', 'meta-llama/llama-3.3-70b')).toEqual([
      { provider: 'together', model: 'meta-llama/llama-3.3-70b' },
    ]);
    expect(modelLookups('google', 'models/gemini-2.5-pro')).toEqual([{ provider: 'google', model: 'gemini-2.5-pro' }]);
    // A routing variant is never priced at the vendor's list price.
    expect(modelLookups('openrouter', 'anthropic/claude-sonnet-4.5:online').map((lookup) => lookup.provider)).toEqual([
      'openrouter',
      'openrouter',
    ]);
  });

  it.each([
    // OpenRouter's own entries (genai-prices provider `openrouter`), USD per 1M tokens as the dataset lists them.
    ['openrouter', 'openai/gpt-4o', 'openrouter', 'openai/gpt-4o', 2.5, 10],
    ['openrouter', 'anthropic/claude-sonnet-4.5', 'openrouter', 'anthropic/claude-sonnet-4.5', 3, 15],
    ['openrouter', 'google/gemini-2.5-pro', 'openrouter', 'google/gemini-2.5-pro', 1.25, 10],
    ['groq', 'openai/gpt-oss-120b', 'groq', 'openai/gpt-oss-120b', 0.15, 0.6],
    // No entry at the aggregator (Vercel AI Gateway, DeepInfra are not in the dataset): the vendor's list price.
    ['vercel', 'anthropic/claude-sonnet-4.5', 'anthropic', 'claude-sonnet-4-5', 3, 15],
    ['deepinfra', 'openai/gpt-4o', 'openai', 'gpt-4o', 2.5, 10],
  ])('%s %s → %s %s at $%s / $%s', (provider, model, pricedAt, entry, input, output) => {
    const rates = source.resolve(provider, model, at);
    expect(rates).toMatchObject({ provider: pricedAt, model: entry });
    expect([rates?.base.input, rates?.base.output]).toEqual([perMillion(input), perMillion(output)]);
  });

  it('an unknown aggregator id, and a routing variant the dataset lacks, stay unknown (never $0)', () => {
    expect(source.resolve('openrouter', 'nobody/nothing-1', at)).toBeNull();
    expect(source.resolve('openrouter', 'anthropic/claude-sonnet-4.5:online', at)).toBeNull();
  });

  it("prices a free model (a dataset entry with an empty price, OpenRouter's :free) at an explicit $0", () => {
    const rates = source.resolve('openrouter', 'google/gemini-2.0-flash-exp:free', at);
    expect(rates?.base).toEqual({ input: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0 });
    expect(rates?.origin).toBe('genai-prices');
  });

  it('re-prices a time-of-day model at every request start, from the cached entry', () => {
    // DeepSeek lists an off-peak discount (UTC 16:30–00:30) on deepseek-chat in this data.
    const peak = source.resolve('deepseek', 'deepseek-chat', new Date('2026-12-01T12:00:00Z'));
    const offPeak = source.resolve('deepseek', 'deepseek-chat', new Date('2026-12-01T18:00:00Z'));
    expect(peak).not.toBeNull();
    expect(offPeak).not.toBeNull();
    expect(offPeak?.base.input).toBeLessThan(peak?.base.input ?? 0);
  });
});
