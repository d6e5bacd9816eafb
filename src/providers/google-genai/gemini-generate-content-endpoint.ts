import type { MethodEndpointAdapter, RequestChanges, RequestParams } from '../provider-adapter.js';
import { asObject } from '../read-json.js';
import { describeGeminiRequest } from './describe-gemini-request.js';
import { localGeminiResult, syntheticGeminiBody } from './gemini-local-response.js';
import { GeminiStreamTracker } from './gemini-stream-tracker.js';
import { geminiUsageOf } from './normalize-gemini-usage.js';

/** The request with `config` replaced by a copy carrying `changes`; `params` and its config stay untouched. */
function withConfig(params: RequestParams, changes: Record<string, unknown>): RequestParams {
  return { ...params, config: { ...asObject(params.config), ...changes } };
}

function rewrite(params: RequestParams, changes: RequestChanges): RequestParams {
  // Gemini puts the model in the URL path: the SDK builds it from `model`, so the fallback is what is called.
  const next = changes.model === undefined ? params : { ...params, model: changes.model };
  return changes.outputCap === undefined ? next : withConfig(next, { maxOutputTokens: changes.outputCap });
}

function abortSignalOf(params: RequestParams): AbortSignal | undefined {
  const signal = asObject(params.config)?.abortSignal;
  return signal instanceof AbortSignal ? signal : undefined;
}

function completionOf(result: unknown): string | null {
  const candidates = asObject(result)?.candidates;
  return candidates === undefined ? null : JSON.stringify(candidates);
}

/** `models.generateContent` (`stream: false`) or `models.generateContentStream` of `@google/genai`. */
export function createGeminiGenerateContentEndpoint(stream: boolean): MethodEndpointAdapter {
  return {
    provider: 'google',
    alwaysStreams: stream,
    describe: describeGeminiRequest,
    isStream: () => stream,
    rewrite,
    needsUsageReporting: () => false,
    usageFromJson: geminiUsageOf,
    createStreamTracker: () => new GeminiStreamTracker(),
    syntheticBody: syntheticGeminiBody,
    usageOfResult: geminiUsageOf,
    completionOf,
    createChunkTracker: () => new GeminiStreamTracker(),
    abortSignalOf,
    withAbortSignal: (params, signal) => withConfig(params, { abortSignal: signal }),
    resultFromBody: localGeminiResult,
  };
}
