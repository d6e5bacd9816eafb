import type { MethodEndpointAdapter, RequestChanges, RequestParams } from '../provider-adapter.js';
import { asObject } from '../read-json.js';
import { countGeminiPromptTokens } from './count-prompt-tokens.js';
import { describeGeminiRequest } from './describe-gemini-request.js';
import { localGeminiResult, syntheticGeminiBody } from './gemini-local-response.js';
import {
  geminiAbortSignalOf,
  withGeminiAbortSignal,
  withGeminiConfig,
  withGeminiModel,
} from './gemini-request-config.js';
import { GeminiStreamTracker } from './gemini-stream-tracker.js';
import { geminiUsageOf } from './normalize-gemini-usage.js';

/**
 * The model and output cap the guard chose, in a copy. Tool caps are never asked for: Gemini's grounding
 * tools have no cap field, so they are described as fixed, and a request the guard does not change is
 * sent as it is (no `config: {}` added).
 */
function rewrite(params: RequestParams, changes: RequestChanges): RequestParams {
  const next = withGeminiModel(params, changes.model);
  return changes.outputCap === undefined ? next : withGeminiConfig(next, { maxOutputTokens: changes.outputCap });
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
    abortSignalOf: geminiAbortSignalOf,
    withAbortSignal: withGeminiAbortSignal,
    resultFromBody: localGeminiResult,
    countPromptTokens: countGeminiPromptTokens,
  };
}
