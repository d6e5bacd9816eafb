import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { createGenaiPricesSource } from './genai-prices-source.js';
import { normalizeModelId, stripDateSuffix } from './normalize-model-id.js';
import { parsePriceTable, withPriceOverrides } from './price-overrides.js';

const at = new Date('2026-11-30T00:00:00Z');

describe('price overrides', () => {
  it('prices a model the dataset lacks, in USD per 1M tokens, with cache rates defaulting to input', () => {
    const source = withPriceOverrides(
      parsePriceTable({ 'my-model': { input: 1, output: '2.50' } }),
      createGenaiPricesSource(),
    );
    expect(source.resolve('openai', 'my-model', at)).toMatchObject({
      origin: 'override',
      base: {
        input: 1_000_000_000,
        output: 2_500_000_000,
        cacheRead: 1_000_000_000,
        cacheWrite5m: 1_000_000_000,
        cacheWrite1h: 1_000_000_000,
      },
    });
  });

  it('wins over the dataset for a known model, matched after normalisation', () => {
    const source = withPriceOverrides(
      parsePriceTable({ 'gpt-4o': { input: 1, output: 4, cachedInput: 0.5 } }),
      createGenaiPricesSource(),
    );
    expect(source.resolve('openai', 'openai/GPT-4o', at)?.base).toMatchObject({
      input: 1_000_000_000,
      cacheRead: 500_000_000,
    });
  });

  it('allows an explicit zero price (self-hosted models still count calls and tokens)', () => {
    const table = parsePriceTable({ 'local-llama': { input: 0, output: 0, maxOutputTokens: 2048 } });
    expect(table.get('local-llama')).toMatchObject({ base: { input: 0, output: 0 }, maxOutputTokens: 2048 });
  });

  it.each([
    [{ m: { input: -1, output: 1 } }, 'prices.m.input'],
    [{ m: { input: Number.NaN, output: 1 } }, 'prices.m.input'],
    [{ m: { input: 1, output: Number.POSITIVE_INFINITY } }, 'prices.m.output'],
    [{ m: { input: 1, output: 20_000 } }, 'prices.m.output'],
    [{ m: { input: 1 } }, 'prices.m.output'],
    [{ m: { input: 1, output: 1, typo: 1 } }, 'prices.m.typo'],
    [{ m: { input: 1, output: 1, maxOutputTokens: 1.5 } }, 'prices.m.maxOutputTokens'],
    [{ m: 'cheap' }, 'prices.m'],
    [JSON.parse('{"__proto__": {"input": 1, "output": 1}}'), 'prices.__proto__'],
    [[], 'prices'],
  ])('rejects %j naming %s', (table, option) => {
    const attempt = () => parsePriceTable(table);
    expect(attempt).toThrow(InvalidOptionsError);
    try {
      attempt();
    } catch (error) {
      expect((error as InvalidOptionsError).option).toBe(option);
    }
    expect(({} as Record<string, unknown>).input).toBeUndefined();
  });
});

describe('model id normalisation', () => {
  it.each([
    ['openai/gpt-4o', 'gpt-4o'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['  Anthropic/Claude-Sonnet-4-6 ', 'claude-sonnet-4-6'],
  ])('%s → %s', (given, expected) => {
    expect(normalizeModelId(given)).toBe(expected);
  });

  it('strips dated snapshots for limit lookups', () => {
    expect(stripDateSuffix('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(stripDateSuffix('claude-3-5-haiku-20241022')).toBe('claude-3-5-haiku');
  });

  it('returns null for an unknown model, never a $0 price', () => {
    expect(createGenaiPricesSource().resolve('openai', 'gpt-4o-2099-nonexistent-model-x', at)).toBeNull();
  });
});
