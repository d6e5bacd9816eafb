import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE } from '../../core/usage.js';
import { createGeminiEmbedContentEndpoint, geminiEmbeddingUsageOf } from './gemini-embed-content-endpoint.js';

const endpoint = createGeminiEmbedContentEndpoint();

describe('models.embedContent', () => {
  it('describes an input-only request from every content and the title', () => {
    const request = endpoint.describe({
      model: 'gemini-embedding-001',
      contents: ['first text', { parts: [{ text: 'second' }, { inlineData: { mimeType: 'image/png', data: 'AA' } }] }],
      config: { title: 'A title', outputDimensionality: 768 },
    });
    expect(request).toMatchObject({ provider: 'google', producesOutput: false, outputCap: undefined, choices: 1 });
    expect(request?.prompt.texts).toEqual(['first text', 'second', 'A title']);
    expect(request?.prompt.attachments).toBe(1);
    expect(endpoint.describe({ contents: 'x' })).toBeNull();
    expect(endpoint.syntheticBody('gemini-embedding-001', 'stop', false)).toBeNull();
  });

  it('settles on Vertex token counts (summed, media split out) and on nothing else', () => {
    expect(
      geminiEmbeddingUsageOf({
        embeddings: [
          { values: [0.1], statistics: { tokenCount: 7, truncated: false } },
          { values: [0.2], statistics: { tokenCount: 300, tokensDetails: [{ modality: 'IMAGE', tokenCount: 258 }] } },
        ],
      }),
    ).toEqual({ ...EMPTY_USAGE, inputUncached: 49, inputImage: 258 });
    // The Gemini API returns vectors only (and Vertex's billableCharacterCount is no token count): unknown.
    expect(geminiEmbeddingUsageOf({ embeddings: [{ values: [0.1] }] })).toBeNull();
    expect(
      geminiEmbeddingUsageOf({ embeddings: [{ values: [0.1] }], metadata: { billableCharacterCount: 12 } }),
    ).toBeNull();
    expect(geminiEmbeddingUsageOf({ embeddings: [{ statistics: { tokenCount: 3 } }, { values: [0.1] }] })).toBeNull();
    expect(geminiEmbeddingUsageOf({ embeddings: [{ statistics: { tokenCount: -3 } }] })).toBeNull();
    expect(geminiEmbeddingUsageOf({ embeddings: [] })).toBeNull();
  });

  it('keeps the caller’s params and follows the model fallback only', () => {
    const params = { model: 'gemini-embedding-001', contents: 'x' };
    expect(endpoint.rewrite(params, { outputCap: 10 })).toBe(params);
    expect(endpoint.rewrite(params, { model: 'text-embedding-004' })).toEqual({
      ...params,
      model: 'text-embedding-004',
    });
  });
});
