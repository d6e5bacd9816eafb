import type { CallRequest } from '../../budget/plan-call.js';
import type { NormalizedUsage } from '../../core/usage.js';
import { createPromptShape } from '../../tokens/estimate-prompt-tokens.js';
import { inputOnlyRequest } from '../input-only-request.js';
import type { MethodEndpointAdapter, RequestParams } from '../provider-adapter.js';
import { asObject } from '../read-json.js';
import { addGeminiContents } from './describe-gemini-request.js';
import { geminiAbortSignalOf, withGeminiAbortSignal, withGeminiModel } from './gemini-request-config.js';
import { usageFromGeminiCounts } from './normalize-gemini-usage.js';
import { type GeminiUsageCounts, readGeminiUsageMetadata } from './read-gemini-usage-metadata.js';

/** `models.embedContent`: one request embedding every content of `contents`; input tokens only. */
function describeEmbedContent(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string' || params.model === '' || params.contents === undefined) return null;
  const prompt = createPromptShape();
  addGeminiContents(prompt, params.contents);
  const title = asObject(params.config)?.title;
  if (typeof title === 'string') prompt.texts.push(title);
  return inputOnlyRequest('google', params.model, prompt, 'estimated');
}

/**
 * Usage of an EmbedContentResponse: the token counts Vertex AI gives each embedding
 * (`embeddings[].statistics.tokenCount`, with `tokensDetails` by modality). The Gemini API's
 * `batchEmbedContents` answers with the vectors only, so there is no count and the call is charged its
 * hold (`estimated`): an unknown cost is never $0. One embedding without a count makes the whole unknown.
 */
export function geminiEmbeddingUsageOf(result: unknown): NormalizedUsage | null {
  const embeddings = asObject(result)?.embeddings;
  if (!Array.isArray(embeddings) || embeddings.length === 0) return null;
  let total: GeminiUsageCounts | undefined;
  for (const embedding of embeddings) {
    const statistics = asObject(asObject(embedding)?.statistics);
    if (!statistics) return null;
    const counts = readGeminiUsageMetadata({
      promptTokenCount: statistics.tokenCount,
      promptTokensDetails: statistics.tokensDetails,
    });
    if (counts === undefined || counts === 'malformed' || counts.prompt === undefined) return null;
    total = total ? addCounts(total, counts) : counts;
  }
  return total ? usageFromGeminiCounts(total, undefined) : null;
}

/** Two embeddings' prompt counts added (each is a separate input). */
function addCounts(a: GeminiUsageCounts, b: GeminiUsageCounts): GeminiUsageCounts {
  return {
    ...a,
    prompt: (a.prompt ?? 0) + (b.prompt ?? 0),
    promptMedia: {
      audio: a.promptMedia.audio + b.promptMedia.audio,
      image: a.promptMedia.image + b.promptMedia.image,
      video: a.promptMedia.video + b.promptMedia.video,
    },
  };
}

const noStream = { onEvent: () => false, onChunk: () => undefined, result: () => ({ usage: null, complete: false }) };

/** `models.embedContent` of `@google/genai`: never streamed, no local answer for `onLimit: 'stop'`. */
export function createGeminiEmbedContentEndpoint(): MethodEndpointAdapter {
  return {
    provider: 'google',
    alwaysStreams: false,
    describe: describeEmbedContent,
    isStream: () => false,
    rewrite: (params, changes) => withGeminiModel(params, changes.model),
    needsUsageReporting: () => false,
    usageFromJson: geminiEmbeddingUsageOf,
    createStreamTracker: () => noStream,
    syntheticBody: () => null,
    usageOfResult: geminiEmbeddingUsageOf,
    completionOf: () => null,
    createChunkTracker: () => noStream,
    abortSignalOf: geminiAbortSignalOf,
    withAbortSignal: withGeminiAbortSignal,
    resultFromBody: () => {
      throw new Error('embedContent has no local answer');
    },
  };
}
