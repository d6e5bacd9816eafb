import { describe, expect, it } from 'vitest';
import { normalizeAiSdkUsage } from './normalize-ai-sdk-usage.js';

const plain = { cacheWrite: undefined, inputExcludesCache: false };

describe('normalizeAiSdkUsage: V3 (ai 6)', () => {
  it('takes noCache as the uncached prompt: cache reads and writes are inside inputTokens.total', () => {
    const usage = {
      inputTokens: { total: 1_000, noCache: 800, cacheRead: 200, cacheWrite: undefined },
      outputTokens: { total: 500, text: 400, reasoning: 100 },
    };
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toEqual({
      inputUncached: 800,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 400,
      outputReasoning: 100,
    });
  });

  it('splits Anthropic cache writes 5 m / 1 h from the raw usage', () => {
    const usage = {
      inputTokens: { total: 6_000, noCache: 1_000, cacheRead: 3_000, cacheWrite: 2_000 },
      outputTokens: { total: 500, text: undefined, reasoning: undefined },
      raw: { cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1_500 } },
    };
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toMatchObject({
      inputUncached: 1_000,
      inputCacheRead: 3_000,
      inputCacheWrite5m: 500,
      inputCacheWrite1h: 1_500,
      outputText: 500,
    });
  });

  it('finds the split in providerMetadata.anthropic.usage, else prices writes at the requested TTL', () => {
    const usage = {
      inputTokens: { total: 3_000, noCache: 1_000, cacheRead: 0, cacheWrite: 2_000 },
      outputTokens: { total: 10 },
    };
    const metadata = { anthropic: { usage: { cache_creation: { ephemeral_1h_input_tokens: 2_000 } } } };
    expect(normalizeAiSdkUsage(usage, metadata, plain)).toMatchObject({
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 2_000,
    });
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toMatchObject({ inputCacheWrite5m: 2_000 });
    expect(normalizeAiSdkUsage(usage, undefined, { ...plain, cacheWrite: '1h' })).toMatchObject({
      inputCacheWrite1h: 2_000,
    });
  });

  it('derives the uncached prompt from the total when noCache is missing, never below zero', () => {
    const usage = { inputTokens: { total: 100, cacheRead: 30, cacheWrite: 20 }, outputTokens: { total: 5 } };
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toMatchObject({ inputUncached: 50, outputText: 5 });
    const odd = { inputTokens: { total: 10, cacheRead: 30 }, outputTokens: { total: 0 } };
    expect(normalizeAiSdkUsage(odd, undefined, plain)).toMatchObject({ inputUncached: 0 });
  });

  it('counts Gemini-style reasoning once: outputTokens.total already includes it', () => {
    const usage = { inputTokens: { total: 10, noCache: 10 }, outputTokens: { total: 300, text: 100, reasoning: 200 } };
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toMatchObject({ outputText: 100, outputReasoning: 200 });
  });

  it('returns null when the model reported no usage', () => {
    const empty = {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
    expect(normalizeAiSdkUsage(empty, undefined, plain)).toBeNull();
    expect(normalizeAiSdkUsage(undefined, undefined, plain)).toBeNull();
    expect(normalizeAiSdkUsage('garbage', undefined, plain)).toBeNull();
  });
});

describe('normalizeAiSdkUsage: V2 (ai 5)', () => {
  it('OpenAI: inputTokens include cached tokens, outputTokens include reasoning', () => {
    const usage = {
      inputTokens: 1_000,
      outputTokens: 500,
      totalTokens: 1_500,
      cachedInputTokens: 200,
      reasoningTokens: 100,
    };
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toEqual({
      inputUncached: 800,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 400,
      outputReasoning: 100,
    });
  });

  it('Anthropic: inputTokens exclude the cache; writes come from providerMetadata', () => {
    const usage = { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500, cachedInputTokens: 3_000 };
    const metadata = {
      anthropic: {
        cacheCreationInputTokens: 2_000,
        usage: { cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1_500 } },
      },
    };
    expect(normalizeAiSdkUsage(usage, metadata, { cacheWrite: undefined, inputExcludesCache: true })).toEqual({
      inputUncached: 1_000,
      inputCacheRead: 3_000,
      inputCacheWrite5m: 500,
      inputCacheWrite1h: 1_500,
      outputText: 500,
      outputReasoning: 0,
    });
  });

  it('Google: reasoning counted apart from outputTokens (the total shows it) is not subtracted', () => {
    const usage = { inputTokens: 10, outputTokens: 100, totalTokens: 310, reasoningTokens: 200 };
    expect(normalizeAiSdkUsage(usage, undefined, plain)).toMatchObject({ outputText: 100, outputReasoning: 200 });
  });

  it('returns null without token counts', () => {
    expect(normalizeAiSdkUsage({ inputTokens: undefined, outputTokens: undefined }, undefined, plain)).toBeNull();
  });

  it('returns null without an input or an output count, or with any malformed count', () => {
    const fine = { inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedInputTokens: 0 };
    expect(normalizeAiSdkUsage(fine, undefined, plain)).not.toBeNull();
    expect(normalizeAiSdkUsage({ inputTokens: 10 }, undefined, plain)).toBeNull();
    expect(normalizeAiSdkUsage({ outputTokens: 5 }, undefined, plain)).toBeNull();
    for (const bad of [-1, 1.5, Number.NaN, '10', 1e9]) {
      expect(normalizeAiSdkUsage({ ...fine, inputTokens: bad }, undefined, plain)).toBeNull();
      expect(normalizeAiSdkUsage({ ...fine, cachedInputTokens: bad }, undefined, plain)).toBeNull();
      expect(normalizeAiSdkUsage({ ...fine, reasoningTokens: bad }, undefined, plain)).toBeNull();
    }
  });
});

describe('normalizeAiSdkUsage: V3 garbage', () => {
  const fine = {
    inputTokens: { total: 100, noCache: 100, cacheRead: 0, cacheWrite: undefined },
    outputTokens: { total: 10, text: 10, reasoning: 0 },
  };

  it('returns null when a count is negative, fractional, NaN, a string or absurd', () => {
    expect(normalizeAiSdkUsage(fine, undefined, plain)).not.toBeNull();
    for (const bad of [-1, 1.5, Number.NaN, '10', 1e9]) {
      expect(
        normalizeAiSdkUsage({ ...fine, inputTokens: { ...fine.inputTokens, noCache: bad } }, undefined, plain),
      ).toBeNull();
      expect(
        normalizeAiSdkUsage({ ...fine, outputTokens: { ...fine.outputTokens, reasoning: bad } }, undefined, plain),
      ).toBeNull();
    }
  });

  it('returns null without a prompt count or without an output count', () => {
    expect(normalizeAiSdkUsage({ ...fine, inputTokens: { cacheRead: 5 } }, undefined, plain)).toBeNull();
    expect(normalizeAiSdkUsage({ ...fine, outputTokens: { reasoning: 5 } }, undefined, plain)).toBeNull();
  });
});
