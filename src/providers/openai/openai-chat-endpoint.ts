import type { CallRequest } from '../../budget/plan-call.js';
import { createPromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { EndpointAdapter, RequestChanges, RequestParams } from '../provider-adapter.js';
import { asObject, positiveInteger, syntheticId } from '../read-json.js';
import { rewriteParams } from '../rewrite-params.js';
import { addDefinitions, addOpenAIContent, addToolCalls } from './collect-openai-prompt.js';
import { openAITiers } from './normalize-openai-usage.js';
import { isOpenAISearchModel, openAIChatUsageFromJson, WEB_SEARCH_TOKENS_PER_USE } from './openai-chat-usage.js';
import { OpenAIUsageChunkTracker } from './openai-usage-chunk-tracker.js';

/** Search models bill one search per request, which no request field can cap. */
const ONE_SEARCH_PER_REQUEST = Object.freeze([
  Object.freeze({ fee: 'webSearch' as const, maxUses: 1, fixed: true, inputTokensPerUse: WEB_SEARCH_TOKENS_PER_USE }),
]);

function describeChat(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string' || !Array.isArray(params.messages)) return null;
  const prompt = createPromptShape();
  for (const rawMessage of params.messages) {
    const message = asObject(rawMessage);
    if (!message) continue;
    prompt.messages += 1;
    if (typeof message.name === 'string') prompt.texts.push(message.name);
    addOpenAIContent(prompt, message.content);
    addToolCalls(prompt, message.tool_calls);
    if (message.function_call !== undefined) addDefinitions(prompt, message.function_call);
  }
  const responseFormat = asObject(params.response_format);
  addDefinitions(
    prompt,
    params.tools,
    params.functions,
    responseFormat?.type === 'json_schema' ? responseFormat : undefined,
  );
  return {
    provider: 'openai',
    model: params.model,
    outputCap: positiveInteger(params.max_completion_tokens) ?? positiveInteger(params.max_tokens),
    choices: positiveInteger(params.n) ?? 1,
    producesOutput: true,
    prompt,
    // Models with a cache-write price bill the prompt they cache automatically: reserve at that rate.
    cacheWrite: '5m',
    tokenizer: 'exact',
    hiddenContext: false,
    tiers: openAITiers(params.service_tier),
    serverTools: isOpenAISearchModel(params.model) ? ONE_SEARCH_PER_REQUEST : undefined,
  };
}

function syntheticChat(model: string, text: string, stream: boolean): string {
  const id = syntheticId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  if (!stream) {
    return JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  }
  const chunk = (delta: object, finishReason: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
  return `${chunk({ role: 'assistant', content: text }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`;
}

/** The guard's changes, plus `stream_options.include_usage` when the guard asks a stream to report usage. */
export function rewriteWithUsageReporting(
  params: RequestParams,
  changes: RequestChanges,
  capKey: string,
): Record<string, unknown> {
  const next = rewriteParams(params, changes, capKey);
  if (changes.includeUsage) next.stream_options = { ...asObject(params.stream_options), include_usage: true };
  return next;
}

/** A stream that will not report usage unless asked (Chat Completions and legacy Completions alike). */
export function asksNoUsage(params: RequestParams): boolean {
  return asObject(params.stream_options)?.include_usage !== true;
}

/** `chat.completions.create` (and the `parse` / `stream` helpers, which send the same body). */
export function createOpenAIChatEndpoint(alwaysStreams: boolean): EndpointAdapter {
  return {
    provider: 'openai',
    alwaysStreams,
    describe: describeChat,
    isStream: (params) => alwaysStreams || params.stream === true,
    rewrite(params, changes) {
      // Keep the caller's field: some OpenAI-compatible servers only know `max_tokens`.
      const capKey =
        'max_tokens' in params && !('max_completion_tokens' in params) ? 'max_tokens' : 'max_completion_tokens';
      return rewriteWithUsageReporting(params, changes, capKey);
    },
    needsUsageReporting: asksNoUsage,
    usageFromJson: openAIChatUsageFromJson,
    createStreamTracker: ({ stripUsageChunk }) => new OpenAIUsageChunkTracker(stripUsageChunk),
    syntheticBody: syntheticChat,
  };
}
