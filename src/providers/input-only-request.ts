import type { CallRequest } from '../budget/plan-call.js';
import type { PromptShape } from '../tokens/estimate-prompt-tokens.js';

/** The request of an endpoint that bills its input only (embeddings): no output, no cache, no server tools. */
export function inputOnlyRequest(
  provider: string,
  model: string,
  prompt: PromptShape,
  tokenizer: CallRequest['tokenizer'],
): CallRequest {
  return {
    provider,
    model,
    outputCap: undefined,
    choices: 1,
    producesOutput: false,
    prompt,
    cacheWrite: undefined,
    tokenizer,
    hiddenContext: false,
  };
}
