import type { CallRequest } from '../../budget/plan-call.js';
import { createPromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { EndpointAdapter, RequestParams } from '../provider-adapter.js';
import { positiveInteger, syntheticId } from '../read-json.js';
import { openAITiers } from './normalize-openai-usage.js';
import { asksNoUsage, rewriteWithUsageReporting } from './openai-chat-endpoint.js';
import { openAIChatUsageFromJson } from './openai-chat-usage.js';
import { OpenAIUsageChunkTracker } from './openai-usage-chunk-tracker.js';

/** What the API reads as the prompt when none is given. */
const DEFAULT_PROMPT = '<|endoftext|>';

/**
 * Adds the prompt (a string, strings, token ids or lists of token ids) and returns how many prompts it holds:
 * each prompt gets its own `n` completions.
 */
function addPrompts(texts: string[], raw: unknown): { prompts: number; tokenIds: number } {
  if (raw === undefined || raw === null) {
    texts.push(DEFAULT_PROMPT);
    return { prompts: 1, tokenIds: 0 };
  }
  if (typeof raw === 'string') {
    texts.push(raw);
    return { prompts: 1, tokenIds: 0 };
  }
  if (!Array.isArray(raw)) return { prompts: 1, tokenIds: 0 };
  // One prompt as token ids: one token per id.
  if (raw.length === 0 || typeof raw[0] === 'number') return { prompts: 1, tokenIds: raw.length };
  let tokenIds = 0;
  for (const prompt of raw) {
    if (typeof prompt === 'string') texts.push(prompt);
    else if (Array.isArray(prompt)) tokenIds += prompt.length;
  }
  return { prompts: raw.length, tokenIds };
}

function describeCompletions(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string') return null;
  const prompt = createPromptShape();
  const { prompts, tokenIds } = addPrompts(prompt.texts, params.prompt);
  prompt.hiddenTokens += tokenIds;
  if (typeof params.suffix === 'string') prompt.texts.push(params.suffix);
  // `best_of` completions are generated (and billed) server-side; `n` of them are returned.
  const perPrompt = Math.max(positiveInteger(params.n) ?? 1, positiveInteger(params.best_of) ?? 1);
  return {
    provider: 'openai',
    model: params.model,
    outputCap: positiveInteger(params.max_tokens),
    choices: prompts * perPrompt,
    producesOutput: true,
    prompt,
    cacheWrite: undefined,
    tokenizer: 'exact',
    hiddenContext: false,
    tiers: openAITiers(params.service_tier),
  };
}

function syntheticCompletion(model: string, text: string, stream: boolean): string {
  const id = syntheticId('cmpl-');
  const created = Math.floor(Date.now() / 1000);
  const body = (choiceText: string, finishReason: string | null) => ({
    id,
    object: 'text_completion',
    created,
    model,
    choices: [{ text: choiceText, index: 0, logprobs: null, finish_reason: finishReason }],
  });
  if (!stream) {
    return JSON.stringify({
      ...body(text, 'stop'),
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  }
  return `data: ${JSON.stringify(body(text, null))}\n\ndata: ${JSON.stringify(body('', 'stop'))}\n\ndata: [DONE]\n\n`;
}

/**
 * The legacy `completions.create` (`POST /completions`): a prompt in, `text_completion` out, streamed as
 * chunks that report usage only when `stream_options.include_usage` asks, like Chat Completions.
 */
export function createOpenAICompletionsEndpoint(): EndpointAdapter {
  return {
    provider: 'openai',
    alwaysStreams: false,
    describe: describeCompletions,
    isStream: (params) => params.stream === true,
    rewrite: (params, changes) => rewriteWithUsageReporting(params, changes, 'max_tokens'),
    needsUsageReporting: asksNoUsage,
    usageFromJson: openAIChatUsageFromJson,
    createStreamTracker: ({ stripUsageChunk }) => new OpenAIUsageChunkTracker(stripUsageChunk),
    syntheticBody: syntheticCompletion,
  };
}
