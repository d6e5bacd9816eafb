import { describe, expect, it } from 'vitest';
import { totalInputTokens, totalOutputTokens } from '../../core/usage.js';
import { normalizeOpenAIUsage, openAITiers } from './normalize-openai-usage.js';

describe('normalizeOpenAIUsage', () => {
  it('splits cached audio and images out of the cached and uncached prompt, every token once', () => {
    const usage = normalizeOpenAIUsage({
      prompt_tokens: 1_000,
      completion_tokens: 50,
      prompt_tokens_details: {
        cached_tokens: 400,
        cached_tokens_details: { audio_tokens: 300, image_tokens: 50 },
        audio_tokens: 500,
        image_tokens: 100,
      },
    });
    expect(usage).toMatchObject({
      inputUncached: 350,
      inputCacheRead: 50,
      inputAudio: 200,
      inputAudioCacheRead: 300,
      inputImage: 50,
      inputImageCacheRead: 50,
    });
    expect(usage && totalInputTokens(usage)).toBe(1_000);
  });

  it('clamps details that claim more than the counts they are part of', () => {
    const usage = normalizeOpenAIUsage({
      prompt_tokens: 100,
      completion_tokens: 10,
      prompt_tokens_details: { cached_tokens: 80, cache_write_tokens: 50, audio_tokens: 500 },
      completion_tokens_details: { reasoning_tokens: 8, audio_tokens: 9 },
    });
    expect(usage).toMatchObject({ inputCacheRead: 80, inputCacheWrite5m: 20, inputUncached: 0, outputReasoning: 8 });
    expect(usage && totalInputTokens(usage)).toBe(100);
    expect(usage && totalOutputTokens(usage)).toBe(10);
  });

  it('keeps a text-only answer free of extras (the fast path)', () => {
    const usage = normalizeOpenAIUsage({ prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: {} });
    expect(usage).toEqual({
      inputUncached: 10,
      inputCacheRead: 0,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 5,
      outputReasoning: 0,
    });
  });

  it('reads Images API output as image tokens unless the details split off text', () => {
    expect(
      normalizeOpenAIUsage({ input_tokens: 5, output_tokens: 100 }, 'completion', { outputIsImage: true }),
    ).toMatchObject({ outputImage: 100, outputText: 0 });
    expect(
      normalizeOpenAIUsage(
        { input_tokens: 5, output_tokens: 100, output_tokens_details: { image_tokens: 90, text_tokens: 10 } },
        'completion',
        { outputIsImage: true },
      ),
    ).toMatchObject({ outputImage: 90, outputText: 10 });
  });

  it('returns null for missing or malformed counts, and needs only the prompt for input-only endpoints', () => {
    expect(normalizeOpenAIUsage(undefined)).toBeNull();
    expect(normalizeOpenAIUsage({ prompt_tokens: 10 })).toBeNull();
    expect(normalizeOpenAIUsage({ prompt_tokens: 10, completion_tokens: null })).toBeNull();
    expect(
      normalizeOpenAIUsage({ prompt_tokens: 10, completion_tokens: 1, prompt_tokens_details: { cached_tokens: '1' } }),
    ).toBeNull();
    expect(
      normalizeOpenAIUsage({
        prompt_tokens: 10,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens_details: { audio_tokens: 1.5 } },
      }),
    ).toBeNull();
    expect(normalizeOpenAIUsage({ prompt_tokens: 10 }, 'input-only')).toMatchObject({ inputUncached: 10 });
    expect(normalizeOpenAIUsage({ prompt_tokens: 0, completion_tokens: 0 })).toMatchObject({ inputUncached: 0 });
  });

  it('turns the served tier into a tier list, the standard tiers into none', () => {
    expect(openAITiers('priority')).toEqual(['priority']);
    expect(openAITiers('flex')).toEqual(['flex']);
    expect(openAITiers('default')).toBeUndefined();
    expect(openAITiers('auto')).toBeUndefined();
    expect(openAITiers(42)).toBeUndefined();
    expect(
      normalizeOpenAIUsage({ prompt_tokens: 1, completion_tokens: 1 }, 'completion', { serviceTier: 'flex' })?.tiers,
    ).toEqual(['flex']);
  });
});
