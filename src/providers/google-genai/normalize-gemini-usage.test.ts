import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE } from '../../core/usage.js';
import { createGenaiPricesSource } from '../../pricing/genai-prices-source.js';
import { priceUsage } from '../../pricing/price-usage.js';
import { geminiUsageOf, normalizeGeminiUsage } from './normalize-gemini-usage.js';

const source = createGenaiPricesSource();
const at = new Date('2026-11-30T12:00:00Z');

function costOf(model: string, usageMetadata: Record<string, number>): number {
  const rates = source.resolve('google', model, at);
  if (!rates) throw new Error(`no price for ${model}`);
  const usage = normalizeGeminiUsage(usageMetadata);
  if (!usage) throw new Error('no usage');
  return priceUsage(usage, rates);
}

describe('normalizeGeminiUsage', () => {
  it('keeps thoughts apart from candidates and both as output', () => {
    expect(
      normalizeGeminiUsage({ promptTokenCount: 100_000, candidatesTokenCount: 1_000, thoughtsTokenCount: 2_000 }),
    ).toEqual({ ...EMPTY_USAGE, inputUncached: 100_000, outputText: 1_000, outputReasoning: 2_000 });
  });

  it('splits cached tokens out of the prompt count, never adding them again', () => {
    expect(
      normalizeGeminiUsage({
        promptTokenCount: 250_000,
        cachedContentTokenCount: 100_000,
        candidatesTokenCount: 1_000,
      }),
    ).toEqual({ ...EMPTY_USAGE, inputUncached: 150_000, inputCacheRead: 100_000, outputText: 1_000 });
  });

  it('bills tool-use prompt tokens as input, and reads garbage as unknown (null), never as 0', () => {
    expect(normalizeGeminiUsage({ promptTokenCount: 10, toolUsePromptTokenCount: 5 })?.inputUncached).toBe(15);
    expect(normalizeGeminiUsage({ promptTokenCount: 10, cachedContentTokenCount: 50 })).toMatchObject({
      inputUncached: 0,
      inputCacheRead: 10,
    });
    for (const garbage of [
      { promptTokenCount: -3, candidatesTokenCount: 1 },
      { promptTokenCount: 3, candidatesTokenCount: 'x' },
      { promptTokenCount: Number.NaN },
      { promptTokenCount: 2.5 },
      { promptTokenCount: '12' },
      { promptTokenCount: 1e9 },
      { promptTokenCount: 10, thoughtsTokenCount: -1 },
      { promptTokenCount: 10, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: -4 }] },
      { promptTokenCount: 10, cacheTokensDetails: 'AUDIO' },
      { promptTokenCount: 10, candidatesTokensDetails: [null] },
      'usage',
    ]) {
      expect(normalizeGeminiUsage(garbage)).toBeNull();
    }
    // Without a prompt count the cost is unknown too; zeros that are present are a real 0.
    expect(normalizeGeminiUsage({ candidatesTokenCount: 5 })).toBeNull();
    expect(normalizeGeminiUsage({ promptTokenCount: 0, candidatesTokenCount: 0 })).toEqual(EMPTY_USAGE);
    expect(normalizeGeminiUsage(undefined)).toBeNull();
    expect(geminiUsageOf({ candidates: [] })).toBeNull();
  });
});

describe('golden vectors V15–V18 (PRICING.md §6)', () => {
  it('V15 gemini-2.5-pro: 100,000 in, 3,000 out of which 2,000 thoughts → $0.155', () => {
    expect(
      costOf('gemini-2.5-pro', { promptTokenCount: 100_000, candidatesTokenCount: 1_000, thoughtsTokenCount: 2_000 }),
    ).toBe(155_000_000);
  });

  it('V16 gemini-2.5-pro over 200k: the higher tier applies to the whole request → $0.64', () => {
    expect(costOf('gemini-2.5-pro', { promptTokenCount: 250_000, candidatesTokenCount: 1_000 })).toBe(640_000_000);
  });

  it('V17 gemini-2.5-pro over 200k with 100,000 cached → $0.415', () => {
    expect(
      costOf('gemini-2.5-pro', {
        promptTokenCount: 250_000,
        cachedContentTokenCount: 100_000,
        candidatesTokenCount: 1_000,
      }),
    ).toBe(415_000_000);
  });

  it('V18 gemini-2.5-flash: 10,000 in, 2,000 out of which 1,500 thoughts → $0.008', () => {
    expect(
      costOf('gemini-2.5-flash', { promptTokenCount: 10_000, candidatesTokenCount: 500, thoughtsTokenCount: 1_500 }),
    ).toBe(8_000_000);
  });

  it('reads usageMetadata from a response object', () => {
    const response = { candidates: [], usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 3 } };
    expect(geminiUsageOf(response)).toEqual({ ...EMPTY_USAGE, inputUncached: 7, outputText: 3 });
  });
});

describe('media, tool-use details and tiers', () => {
  it('carves tool-use media out of the tool-use count, DOCUMENT and unknown modalities stay text', () => {
    expect(
      normalizeGeminiUsage({
        promptTokenCount: 300,
        promptTokensDetails: [
          { modality: 'DOCUMENT', tokenCount: 200 },
          { modality: 'TEXT', tokenCount: 50 },
          { modality: 'HOLOGRAM', tokenCount: 50 },
        ],
        toolUsePromptTokenCount: 40,
        toolUsePromptTokensDetails: [
          { modality: 'TEXT', tokenCount: 30 },
          { modality: 'IMAGE', tokenCount: 10 },
        ],
        candidatesTokenCount: 20,
        candidatesTokensDetails: [{ modality: 'AUDIO', tokenCount: 15 }],
      }),
    ).toEqual({ ...EMPTY_USAGE, inputUncached: 330, inputImage: 10, outputText: 5, outputAudio: 15 });
  });

  it('reads the served tier from serviceTier (Gemini API), trafficType (Vertex AI) or the SDK-kept header', () => {
    expect(normalizeGeminiUsage({ promptTokenCount: 1, serviceTier: 'priority' })?.tiers).toEqual(['priority']);
    expect(normalizeGeminiUsage({ promptTokenCount: 1, serviceTier: 'SERVICE_TIER_FLEX' })?.tiers).toEqual(['flex']);
    expect(normalizeGeminiUsage({ promptTokenCount: 1, serviceTier: 'standard' })).not.toHaveProperty('tiers');
    expect(normalizeGeminiUsage({ promptTokenCount: 1, trafficType: 'ON_DEMAND_PRIORITY' })?.tiers).toEqual([
      'priority',
    ]);
    expect(normalizeGeminiUsage({ promptTokenCount: 1, trafficType: 'ON_DEMAND' })).not.toHaveProperty('tiers');
    const response = {
      usageMetadata: { promptTokenCount: 1 },
      sdkHttpResponse: { headers: { 'x-gemini-service-tier': 'priority' } },
    };
    expect(geminiUsageOf(response)?.tiers).toEqual(['priority']);
  });

  it('keeps a text-only answer free of extras', () => {
    const usage = geminiUsageOf({
      modelVersion: 'gemini-2.5-flash',
      candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'STOP' }],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 2,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }],
      },
    });
    expect(usage).toEqual({ ...EMPTY_USAGE, inputUncached: 10, outputText: 2 });
  });
});
