import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleAttachments as fixtures } from '../../testing/sample-attachments.js';
import type { AttachmentInfo } from './attachment-info.js';
import { type AttachmentProvider, attachmentTokenBound } from './attachment-token-bound.js';
import { inspectAttachment } from './inspect-attachment.js';

const image = (width: number, height: number): AttachmentInfo => ({
  kind: 'image',
  format: 'png',
  width,
  height,
  bytes: 1,
});
const sizeless: AttachmentInfo = { kind: 'image', format: 'heic', bytes: 1 };
const pdf = (pages: number): AttachmentInfo => ({ kind: 'pdf', pages, bytes: 1 });
const audio = (seconds: number, exact = true): AttachmentInfo => ({
  kind: 'audio',
  format: 'wav',
  seconds,
  exact,
  bytes: 1,
});

describe('attachmentTokenBound: OpenAI', () => {
  it.each([
    // The worked examples of the vision guide.
    ['gpt-4o', 1024, 1024, 'high', 765],
    ['gpt-4o', 2048, 4096, 'high', 1105],
    ['gpt-4o-2024-08-06', 4096, 8192, 'low', 85],
    ['gpt-4.1-mini', 1024, 1024, 'high', Math.ceil(1024 * 1.62)],
    ['gpt-4.1-mini', 1800, 2400, 'high', Math.ceil(1536 * 1.62)],
    ['gpt-4.1-nano', 1800, 2400, 'low', Math.ceil(1536 * 2.46)],
    ['o4-mini', 64, 64, 'high', Math.ceil(4 * 1.72)],
    ['gpt-4o-mini', 1024, 1024, 'high', 2833 + 4 * 5667],
    // 128x64 is billed one tile, not upscaled: 255 on gpt-4o, 225 on o3 (measured 267 and 236 with the prompt text).
    ['gpt-4o', 128, 64, 'high', 255],
    ['o3', 128, 64, 'high', 225],
    ['gpt-5', 1024, 1024, 'high', Math.max(70 + 4 * 140, Math.ceil(1024 * 1.2))],
  ] as const)('%s %ix%i detail %s costs %i', (model, width, height, detail, tokens) => {
    expect(attachmentTokenBound('openai', model, image(width, height), { detail })).toEqual({
      tokens,
      basis: 'proven',
    });
  });

  it('charges auto and absent detail as high', () => {
    expect(attachmentTokenBound('openai', 'gpt-4o', image(1024, 1024))).toEqual({ tokens: 765, basis: 'proven' });
    expect(attachmentTokenBound('openai', 'openai/gpt-4o', image(1024, 1024), { detail: 'auto' })).toMatchObject({
      tokens: 765,
    });
  });

  it('bounds an image of unknown size by the largest the model can bill', () => {
    expect(attachmentTokenBound('openai', 'gpt-4o', sizeless, { detail: 'high' })).toEqual({
      tokens: 85 + 8 * 170,
      basis: 'proven',
    });
    expect(attachmentTokenBound('openai', 'gpt-4.1-mini', sizeless)).toMatchObject({ tokens: Math.ceil(1536 * 1.62) });
  });

  it('charges an unknown model the dearest known formula, as an estimate', () => {
    const bound = attachmentTokenBound('openai', 'gpt-7-turbo', image(1024, 1024));
    expect(bound.basis).toBe('estimated');
    expect(bound.tokens).toBeGreaterThanOrEqual(2833 + 4 * 5667);
    expect(attachmentTokenBound('openai', 'gpt-5.4', image(4000, 3000), { detail: 'original' })).toEqual({
      tokens: Math.ceil(10_000 * 1.2),
      basis: 'estimated',
    });
  });

  it('charges a PDF page as text plus the dearest page image', () => {
    expect(attachmentTokenBound('openai', 'gpt-4o', pdf(100))).toEqual({
      tokens: 100 * (3000 + 85 + 8 * 170),
      basis: 'estimated',
    });
  });

  it('charges audio at twice the Realtime input rate', () => {
    expect(attachmentTokenBound('openai', 'gpt-4o-audio-preview', audio(60))).toEqual({
      tokens: 1200,
      basis: 'estimated',
    });
  });
});

describe('attachmentTokenBound: Anthropic', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 1092, 1092, 1590],
    ['claude-3-7-sonnet-latest', 1000, 1000, 1334],
  ])('%s %ix%i costs about the documented %i tokens', (model, width, height, tokens) => {
    expect(attachmentTokenBound('anthropic', model, image(width, height))).toEqual({ tokens, basis: 'estimated' });
  });

  it('never goes below the documented approximations', () => {
    expect(attachmentTokenBound('anthropic', 'claude-haiku-4-5', image(200, 200)).tokens).toBeGreaterThanOrEqual(54);
  });

  it('shrinks large images to the native resolution of the model', () => {
    const standard = attachmentTokenBound('anthropic', 'claude-sonnet-4-20250514', image(6000, 4000)).tokens ?? 0;
    expect(standard).toBeGreaterThanOrEqual(1568);
    expect(standard).toBeLessThanOrEqual(1700);
    const opus = attachmentTokenBound('anthropic', 'claude-opus-4-7', image(6000, 4000)).tokens ?? 0;
    expect(opus).toBeGreaterThanOrEqual(4784);
    expect(opus).toBeLessThanOrEqual(5300);
    expect(attachmentTokenBound('anthropic', 'claude-opus-5', image(6000, 4000)).tokens).toBe(opus);
  });

  it('charges a PDF page as up to 3,000 text tokens plus a full page image', () => {
    const bound = attachmentTokenBound('anthropic', 'claude-sonnet-4-5', pdf(100));
    expect(bound.basis).toBe('estimated');
    expect(bound.tokens).toBeGreaterThanOrEqual(100 * (3000 + 1600));
    expect(bound.tokens).toBeLessThanOrEqual(100 * (3000 + 1800));
  });

  it('has no bound for audio, which the Messages API does not take', () => {
    expect(attachmentTokenBound('anthropic', 'claude-sonnet-4-5', audio(10))).toEqual({
      tokens: undefined,
      basis: 'unknown',
    });
  });
});

describe('attachmentTokenBound: Google', () => {
  it.each([
    ['gemini-2.0-flash', 384, 384, 258],
    ['gemini-2.5-pro', 1600, 900, 258 * 6],
    ['gemini-1.5-flash', 100, 30, 258],
  ])('%s %ix%i costs %i', (model, width, height, tokens) => {
    expect(attachmentTokenBound('google', model, image(width, height))).toEqual({ tokens, basis: 'estimated' });
  });

  it('gives Gemini 3 images a fixed budget per media resolution, the dearest when it is not known', () => {
    expect(
      attachmentTokenBound('google', 'gemini-3-pro-preview', image(4000, 3000), { mediaResolution: 'unspecified' }),
    ).toEqual({ tokens: 1120, basis: 'proven' });
    expect(attachmentTokenBound('google', 'gemini-3-flash', sizeless, { mediaResolution: 'low' })).toEqual({
      tokens: 280,
      basis: 'proven',
    });
    expect(attachmentTokenBound('google', 'models/gemini-3.1-pro', image(10, 10))).toEqual({
      tokens: 2240,
      basis: 'estimated',
    });
  });

  it('charges PDF pages 258 each before Gemini 3 and 560 by default on it', () => {
    expect(attachmentTokenBound('google', 'gemini-2.5-flash', pdf(10))).toEqual({ tokens: 2580 + 16, basis: 'proven' });
    expect(attachmentTokenBound('google', 'gemini-3-pro', pdf(10), { mediaResolution: 'unspecified' })).toEqual({
      tokens: 5600 + 16,
      basis: 'proven',
    });
  });

  it('charges audio 32 tokens a second', () => {
    expect(attachmentTokenBound('google', 'gemini-2.5-flash', audio(60))).toEqual({ tokens: 1920, basis: 'proven' });
    expect(attachmentTokenBound('google', 'gemini-2.5-flash', audio(60, false))).toEqual({
      tokens: 1920,
      basis: 'estimated',
    });
  });

  it('has no bound for a tiled image of unknown size', () => {
    expect(attachmentTokenBound('google', 'gemini-2.5-pro', sizeless)).toEqual({ tokens: undefined, basis: 'unknown' });
  });
});

describe('attachmentTokenBound: the 100-page PDF that used to pass as 4,000 tokens', () => {
  it.each([
    ['openai', 'gpt-4.1'],
    ['anthropic', 'claude-sonnet-4-5'],
    ['google', 'gemini-2.5-pro'],
  ] as const)('is far above 5,000 tokens on %s', (provider, model) => {
    const info = inspectAttachment(fixtures.pdfWithObjectStream(100));
    expect(attachmentTokenBound(provider, model, info).tokens).toBeGreaterThan(25_000);
  });
});

describe('attachmentTokenBound: robustness', () => {
  it('answers unknown for URLs, file ids and unknown formats', () => {
    expect(attachmentTokenBound('openai', 'gpt-4o', undefined)).toEqual({ tokens: undefined, basis: 'unknown' });
    expect(attachmentTokenBound('google', 'gemini-2.5-pro', { kind: 'unknown', bytes: 9 })).toEqual({
      tokens: undefined,
      basis: 'unknown',
    });
    expect(attachmentTokenBound('anthropic', 'claude-opus-4-7', { kind: 'pdf', bytes: 9 })).toEqual({
      tokens: undefined,
      basis: 'unknown',
    });
  });

  const providers = fc.constantFrom<AttachmentProvider>('openai', 'anthropic', 'google');
  const models = fc.oneof(
    fc.constantFrom(
      'gpt-4o',
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'gpt-5',
      'gpt-5.4',
      'o3',
      'claude-3-5-sonnet-20241022',
      'claude-opus-4-7',
      'gemini-2.5-pro',
      'gemini-3-pro',
    ),
    fc.string(),
  );
  const side = fc.integer({ min: 1, max: 1_000_000 });
  const infos: fc.Arbitrary<AttachmentInfo> = fc.oneof(
    fc.record({
      kind: fc.constant('image' as const),
      format: fc.constant('png' as const),
      width: side,
      height: side,
      bytes: fc.nat(),
    }),
    fc.record({ kind: fc.constant('pdf' as const), pages: fc.integer({ min: 1, max: 100_000 }), bytes: fc.nat() }),
    fc.record({
      kind: fc.constant('audio' as const),
      format: fc.constant('mp3' as const),
      seconds: fc.double({ min: 0, max: 1e7, noNaN: true }),
      exact: fc.boolean(),
      bytes: fc.nat(),
    }),
  );
  const options = fc.record(
    {
      detail: fc.constantFrom('low' as const, 'high' as const, 'auto' as const, 'original' as const),
      mediaResolution: fc.constantFrom(
        'low' as const,
        'medium' as const,
        'high' as const,
        'ultra_high' as const,
        'unspecified' as const,
      ),
    },
    { requiredKeys: [] },
  );

  it('returns a non-negative integer or nothing, for any info and model', () => {
    fc.assert(
      fc.property(providers, models, infos, options, (provider, model, info, chosen) => {
        const bound = attachmentTokenBound(provider, model, info, chosen);
        if (bound.tokens === undefined) expect(bound.basis).toBe('unknown');
        else expect(Number.isSafeInteger(bound.tokens) && bound.tokens >= 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never charges a bigger image less on the tile and patch formulas of OpenAI', () => {
    fc.assert(
      fc.property(fc.constantFrom('gpt-4o', 'gpt-4.1-mini', 'o3'), side, side, (model, width, height) => {
        const smaller = attachmentTokenBound('openai', model, image(width, height)).tokens ?? 0;
        const largest = attachmentTokenBound('openai', model, sizeless).tokens ?? 0;
        expect(smaller).toBeLessThanOrEqual(largest);
      }),
    );
  });

  it('bounds whatever random or truncated bytes inspect to, within 50 ms', () => {
    const files = [fixtures.png(500, 500), fixtures.jpeg(800, 600), fixtures.pdf(3), fixtures.wav(1), fixtures.mp3(30)];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.tuple(fc.constantFrom(...files), fc.nat()).map(([file, cut]) => file.subarray(0, cut % (file.length + 1))),
        ),
        providers,
        models,
        (bytes, provider, model) => {
          const started = performance.now();
          const bound = attachmentTokenBound(provider, model, inspectAttachment(bytes));
          // A hang or a blow-up, not a busy machine: a parse of these small files takes microseconds.
          expect(performance.now() - started).toBeLessThan(500);
          if (bound.tokens !== undefined) expect(Number.isSafeInteger(bound.tokens) && bound.tokens >= 0).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
