import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE, type NormalizedUsage } from '../core/usage.js';
import { estimateWorstCase } from './estimate-worst-case.js';
import { createGenaiPricesSource } from './genai-prices-source.js';
import type { ModelRates } from './model-rates.js';
import { parsePriceTable, withPriceOverrides } from './price-overrides.js';
import { hasUnpricedFees, priceUsage } from './price-usage.js';

const source = createGenaiPricesSource();
const at = new Date('2026-11-30T12:00:00Z');

function rates(provider: string, model: string): ModelRates {
  const resolved = source.resolve(provider, model, at);
  if (!resolved) throw new Error(`no price for ${model}`);
  return resolved;
}

/** Canonical usage of PRICING.md §6: `input` counts every prompt token, cache reads and writes included. */
function usage(
  input: number,
  parts: Partial<NormalizedUsage> & { output: number; reasoning?: number },
): NormalizedUsage {
  const cacheRead = parts.inputCacheRead ?? 0;
  const write5m = parts.inputCacheWrite5m ?? 0;
  const write1h = parts.inputCacheWrite1h ?? 0;
  const reasoning = parts.reasoning ?? 0;
  return {
    ...EMPTY_USAGE,
    inputUncached: input - cacheRead - write5m - write1h,
    inputCacheRead: cacheRead,
    inputCacheWrite5m: write5m,
    inputCacheWrite1h: write1h,
    outputText: parts.output - reasoning,
    outputReasoning: reasoning,
  };
}

describe('golden vectors (PRICING.md §6)', () => {
  const vectors: Array<[string, string, string, NormalizedUsage, number]> = [
    ['V01', 'openai', 'gpt-4o', usage(1_000, { inputCacheRead: 200, output: 500 }), 7_250_000],
    ['V02', 'openai', 'gpt-4o-2024-08-06', usage(1_000, { inputCacheRead: 200, output: 500 }), 7_250_000],
    ['V03', 'openai', 'openai/gpt-4o', usage(1_000, { inputCacheRead: 200, output: 500 }), 7_250_000],
    ['V04', 'openai', 'gpt-4o-mini', usage(1_000, { inputCacheRead: 200, output: 500 }), 435_000],
    ['V05', 'openai', 'gpt-4.1', usage(10_000, { inputCacheRead: 4_000, output: 1_000 }), 22_000_000],
    ['V06', 'openai', 'o3', usage(2_000, { output: 3_000, reasoning: 2_500 }), 28_000_000],
    ['V07', 'openai', 'gpt-5', usage(10_000, { inputCacheRead: 5_000, output: 2_000, reasoning: 1_500 }), 26_875_000],
    ['V08', 'openai', 'gpt-5-mini', usage(50_000, { output: 5_000 }), 22_500_000],
    [
      'V09',
      'anthropic',
      'claude-sonnet-4-20250514',
      usage(6_000, { inputCacheRead: 3_000, inputCacheWrite5m: 2_000, output: 500 }),
      18_900_000,
    ],
    [
      'V10',
      'anthropic',
      'claude-sonnet-4-20250514',
      usage(6_000, { inputCacheRead: 3_000, inputCacheWrite1h: 2_000, output: 500 }),
      23_400_000,
    ],
    ['V11', 'anthropic', 'claude-opus-4-1-20250805', usage(1_000, { output: 500 }), 52_500_000],
    [
      'V12',
      'anthropic',
      'claude-haiku-4-5-20251001',
      usage(30_000, { inputCacheRead: 20_000, output: 1_000 }),
      17_000_000,
    ],
    [
      'V13',
      'anthropic',
      'claude-opus-4-5-20251101',
      usage(2_000, { inputCacheWrite5m: 1_000, output: 1_000 }),
      36_250_000,
    ],
    ['V14', 'anthropic', 'claude-3-5-haiku-20241022', usage(1_000, { output: 500 }), 2_800_000],
    ['V15', 'google', 'gemini-2.5-pro', usage(100_000, { output: 3_000, reasoning: 2_000 }), 155_000_000],
    ['V16', 'google', 'gemini-2.5-pro', usage(250_000, { output: 1_000 }), 640_000_000],
    ['V17', 'google', 'gemini-2.5-pro', usage(250_000, { inputCacheRead: 100_000, output: 1_000 }), 415_000_000],
    ['V18', 'google', 'gemini-2.5-flash', usage(10_000, { output: 2_000, reasoning: 1_500 }), 8_000_000],
    ['V19', 'google', 'gemini-2.0-flash', usage(1_000, { output: 500 }), 300_000],
    ['V20', 'x-ai', 'grok-4', usage(1_000, { output: 500 }), 10_500_000],
    // Disputed (V21): pins today's dataset answer (the retired 1M-context tier); fails loudly if the source changes.
    ['V21', 'anthropic', 'claude-sonnet-4-5-20250929', usage(250_000, { output: 1_000 }), 1_522_500_000],
  ];
  it.each(vectors)('%s %s/%s', (_id, provider, model, given, expectedNanos) => {
    expect(priceUsage(given, rates(provider, model))).toBe(expectedNanos);
  });
});

describe('priceUsage', () => {
  it('rounds up once per call, never down', () => {
    // 1 token of gpt-4o-mini input is $0.00000015 = 150 n$ exactly; 1 token at $0.075/1M is 75 n$.
    expect(priceUsage({ ...EMPTY_USAGE, inputUncached: 1 }, rates('openai', 'gpt-4o-mini'))).toBe(150);
    const fractional = parsePriceTable({ tiny: { input: '0.0000001', output: 0 } });
    const tiny = withPriceOverrides(fractional, source).resolve('openai', 'tiny', at) as ModelRates;
    expect(priceUsage({ ...EMPTY_USAGE, inputUncached: 3 }, tiny)).toBe(1);
  });

  it('prices the whole request at the tier once the prompt passes the threshold (> 200k, not ≥)', () => {
    const pro = rates('google', 'gemini-2.5-pro');
    expect(priceUsage(usage(200_000, { output: 0 }), pro)).toBe(250_000_000);
    expect(priceUsage(usage(200_001, { output: 0 }), pro)).toBe(500_002_500);
  });
});

describe('worst-case reservations (PRICING.md §5)', () => {
  it.each([
    ['R1', 'openai', 'gpt-4o', 12_000, 4_096, undefined, 70_960_000],
    ['R2', 'anthropic', 'claude-sonnet-4-5-20250929', 12_000, 4_096, undefined, 97_440_000],
    ['R3', 'anthropic', 'claude-sonnet-4-5-20250929', 10_000, 1_000, '1h' as const, 75_000_000],
    ['R5', 'openai', 'gpt-5', 1_000, 128_000, undefined, 1_281_250_000],
  ])('%s %s/%s', (_id, provider, model, input, output, cacheWrite, expected) => {
    expect(estimateWorstCase(rates(provider, model), { inputTokens: input, outputTokens: output, cacheWrite })).toBe(
      expected,
    );
  });

  it('R4 uses the long-context tier when the prompt bound crosses it', () => {
    const pro = rates('google', 'gemini-2.5-pro');
    expect(estimateWorstCase(pro, { inputTokens: 209_000, outputTokens: 65_536 })).toBe(
      209_000 * 2_500 + 65_536 * 15_000,
    );
    expect(estimateWorstCase(pro, { inputTokens: 190_000, outputTokens: 65_536 })).toBe(
      190_000 * 1_250 + 65_536 * 10_000,
    );
  });

  it('is never below the cost of any usage within the bounds', () => {
    const sonnet = rates('anthropic', 'claude-sonnet-4-6');
    const worst = estimateWorstCase(sonnet, { inputTokens: 5_000, outputTokens: 1_000, cacheWrite: '1h' });
    for (const split of [
      usage(5_000, { output: 1_000 }),
      usage(5_000, { inputCacheWrite1h: 5_000, output: 1_000 }),
      usage(5_000, { inputCacheWrite5m: 2_500, output: 1_000 }),
    ]) {
      expect(priceUsage(split, sonnet)).toBeLessThanOrEqual(worst);
    }
  });
});

describe('cross-check against the vendored LiteLLM snapshot', () => {
  // A compact derivation of the 2026-07-24 snapshot (scripts/derive-litellm-fixture.mjs), vendored in the repository.
  const snapshot = JSON.parse(
    readFileSync(new URL('./__fixtures__/litellm-prices-2026-07-24.json', import.meta.url), 'utf8'),
  ) as Record<string, Record<string, number> | undefined>;
  const perMillionNanos = (perToken: number | undefined) =>
    perToken === undefined ? undefined : Math.round(perToken * 1e15);
  it.each([
    ['openai', 'gpt-4o'],
    ['openai', 'gpt-4o-mini'],
    ['openai', 'gpt-4.1'],
    ['openai', 'gpt-4.1-mini'],
    ['openai', 'o3'],
    ['openai', 'o4-mini'],
    ['openai', 'gpt-5'],
    ['openai', 'gpt-5-mini'],
    ['openai', 'gpt-5-nano'],
    ['anthropic', 'claude-sonnet-4-5-20250929'],
    ['anthropic', 'claude-haiku-4-5-20251001'],
    ['anthropic', 'claude-opus-4-5-20251101'],
  ])('%s/%s agrees within 0.5 %%', (provider, model) => {
    const entry = snapshot[model];
    expect(entry, `${model} missing from the snapshot`).toBeDefined();
    const ours = rates(provider, model).base;
    const pairs: Array<[number, number | undefined]> = [
      [ours.input, perMillionNanos(entry?.input_cost_per_token)],
      [ours.output, perMillionNanos(entry?.output_cost_per_token)],
      [ours.cacheRead, perMillionNanos(entry?.cache_read_input_token_cost)],
    ];
    if (provider === 'anthropic')
      pairs.push([ours.cacheWrite5m, perMillionNanos(entry?.cache_creation_input_token_cost)]);
    for (const [mine, theirs] of pairs) {
      if (theirs === undefined) continue;
      expect(Math.abs(mine - theirs) / Math.max(theirs, 1)).toBeLessThanOrEqual(0.005);
    }
  });
});

describe('priceUsage exactness', () => {
  it('equals the exact rational ceiling for random usage, on both the number and the bigint path', async () => {
    const fc = (await import('fast-check')).default;
    const tokens = fc.integer({ min: 0, max: 2_000_000 });
    const rate = fc.integer({ min: 0, max: 150_000_000_000 });
    fc.assert(
      fc.property(
        tokens,
        tokens,
        tokens,
        tokens,
        tokens,
        rate,
        rate,
        rate,
        rate,
        rate,
        (a, b, c, d, e, r1, r2, r3, r4, r5) => {
          const base = { input: r1, cacheRead: r2, cacheWrite5m: r3, cacheWrite1h: r4, output: r5 };
          const model: ModelRates = {
            model: 'm',
            provider: 'p',
            base,
            tiers: [],
            origin: 'override',
            maxOutputTokens: undefined,
          };
          const given = {
            inputUncached: a,
            inputCacheRead: b,
            inputCacheWrite5m: c,
            inputCacheWrite1h: d,
            outputText: e,
            outputReasoning: 0,
          };
          const exact =
            BigInt(a) * BigInt(r1) +
            BigInt(b) * BigInt(r2) +
            BigInt(c) * BigInt(r3) +
            BigInt(d) * BigInt(r4) +
            BigInt(e) * BigInt(r5);
          const expected = (exact + 999_999n) / 1_000_000n;
          expect(priceUsage(given, model)).toBe(
            Number(expected > 9_007_199_254_740_991n ? 9_007_199_254_740_991n : expected),
          );
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('every cost driver', () => {
  it('prices modality buckets at their own rates and the rest at the text rates (gemini-2.5-flash audio)', () => {
    const flash = rates('google', 'gemini-2.5-flash');
    // $0.30 text in, $1.00 audio in, $0.10 cached audio, $2.50 out per 1M tokens.
    const call = { ...usage(1_000, { output: 200 }), inputUncached: 400, inputAudio: 500, inputAudioCacheRead: 100 };
    expect(priceUsage(call, flash)).toBe(400 * 300 + 500 * 1_000 + 100 * 100 + 200 * 2_500);
  });

  it('prices image output at the image rate (gemini-2.5-flash-image: $30 per 1M image tokens)', () => {
    const image = rates('google', 'gemini-2.5-flash-image');
    expect(priceUsage({ ...usage(10, { output: 0 }), outputImage: 1_290 }, image)).toBe(10 * 300 + 1_290 * 30_000);
  });

  it('adds per-use fees: ten Anthropic web searches are $0.10 on top of the tokens', () => {
    const sonnet = rates('anthropic', 'claude-sonnet-4-6');
    const call = { ...usage(10_809, { output: 644 }), fees: { webSearch: 10 } };
    expect(priceUsage(call, sonnet)).toBe(10_809 * 3_000 + 644 * 15_000 + 10 * 10_000_000);
  });

  it('scales token rates by the served tier (gpt-5: flex half, priority double) and leaves fees unscaled', () => {
    const gpt5 = rates('openai', 'gpt-5');
    const call = usage(10_000, { output: 2_000 });
    const standard = 10_000 * 1_250 + 2_000 * 10_000;
    expect(priceUsage({ ...call, tiers: ['flex'] }, gpt5)).toBe(standard / 2);
    expect(priceUsage({ ...call, tiers: ['priority'] }, gpt5)).toBe(standard * 2);
    expect(priceUsage({ ...call, tiers: ['unheard-of'] }, gpt5)).toBe(standard);
  });

  it('prices OpenAI audio models at their audio rates, which the dataset lacks', () => {
    const audio = rates('openai', 'gpt-4o-audio-preview');
    const call = { ...usage(100, { output: 50 }), inputUncached: 40, inputAudio: 60, outputText: 10, outputAudio: 40 };
    expect(priceUsage(call, audio)).toBe(40 * 2_500 + 60 * 40_000 + 10 * 10_000 + 40 * 80_000);
  });

  it('says when a fee has no price (the call is then charged its hold)', () => {
    const sonnet = rates('anthropic', 'claude-sonnet-4-6');
    expect(hasUnpricedFees({ ...EMPTY_USAGE, fees: { webSearch: 1 } }, sonnet)).toBe(false);
    expect(hasUnpricedFees({ ...EMPTY_USAGE, fees: { googleMaps: 1 } }, sonnet)).toBe(true);
  });

  it('reserves every fee at its cap, the asked tier and the dearest modality rate', () => {
    const flash = rates('google', 'gemini-2.5-flash');
    const text = estimateWorstCase(flash, { inputTokens: 1_000, outputTokens: 100 });
    expect(text).toBe(1_000 * 300 + 100 * 2_500);
    expect(estimateWorstCase(flash, { inputTokens: 1_000, outputTokens: 100, media: true })).toBe(
      1_000 * 1_000 + 100 * 2_500,
    );
    expect(estimateWorstCase(flash, { inputTokens: 1_000, outputTokens: 100, tiers: ['priority'] })).toBe(2 * text);
    const sonnet = rates('anthropic', 'claude-sonnet-4-6');
    expect(
      estimateWorstCase(sonnet, { inputTokens: 1_000, outputTokens: 100, feeUses: { webSearch: 5 } }) -
        estimateWorstCase(sonnet, { inputTokens: 1_000, outputTokens: 100 }),
    ).toBe(5 * 10_000_000);
  });
});
