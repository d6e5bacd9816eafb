import type { CallRequest } from '../../budget/plan-call.js';
import { createPromptShape } from '../../tokens/estimate-prompt-tokens.js';
import { inputOnlyRequest } from '../input-only-request.js';
import type { EndpointAdapter, RequestParams } from '../provider-adapter.js';
import { rewriteParams } from '../rewrite-params.js';
import { openAIInputUsageFromJson } from './normalize-openai-usage.js';

function describeEmbeddings(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string') return null;
  const prompt = createPromptShape();
  const inputs = Array.isArray(params.input) && typeof params.input[0] !== 'number' ? params.input : [params.input];
  for (const input of inputs) {
    if (typeof input === 'string') prompt.texts.push(input);
    // Pre-tokenized input: one token per id.
    else if (Array.isArray(input)) prompt.hiddenTokens += input.length;
  }
  return inputOnlyRequest('openai', params.model, prompt, 'exact');
}

/** `embeddings.create`: input tokens only, never streamed, no local answer for `onLimit: 'stop'`. */
export function createOpenAIEmbeddingsEndpoint(): EndpointAdapter {
  return {
    provider: 'openai',
    alwaysStreams: false,
    describe: describeEmbeddings,
    isStream: () => false,
    rewrite: (params, changes) => rewriteParams(params, changes, undefined),
    needsUsageReporting: () => false,
    usageFromJson: openAIInputUsageFromJson,
    createStreamTracker: () => ({ onEvent: () => false, result: () => ({ usage: null, complete: false }) }),
    syntheticBody: () => null,
  };
}
