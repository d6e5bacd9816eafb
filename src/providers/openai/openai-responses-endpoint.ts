import type { CallRequest } from '../../budget/plan-call.js';
import type { NormalizedUsage } from '../../core/usage.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { EndpointAdapter, RequestParams, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject, positiveInteger, syntheticId } from '../read-json.js';
import { rewriteParams } from '../rewrite-params.js';
import { addDefinitions, addOpenAIContent } from './collect-openai-prompt.js';
import { normalizeOpenAIUsage, openAIUsageFromJson } from './normalize-openai-usage.js';

/** Terminal events that carry the response's usage; `failed` may still have billed tokens. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function addInputItems(prompt: PromptShape, input: unknown): void {
  if (typeof input === 'string') {
    prompt.messages += 1;
    prompt.texts.push(input);
    return;
  }
  if (!Array.isArray(input)) return;
  for (const rawItem of input) {
    const item = asObject(rawItem);
    if (!item) continue;
    if (item.type === 'message' || (item.type === undefined && typeof item.role === 'string')) {
      prompt.messages += 1;
      addOpenAIContent(prompt, item.content);
    } else if (item.type === 'function_call') {
      if (typeof item.name === 'string') prompt.texts.push(item.name);
      if (typeof item.arguments === 'string') prompt.texts.push(item.arguments);
    } else if (item.type === 'function_call_output') {
      addOpenAIContent(prompt, item.output);
    } else {
      prompt.texts.push(JSON.stringify(item));
    }
  }
}

function describeResponses(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string') return null;
  const prompt = createPromptShape();
  addInputItems(prompt, params.input);
  if (typeof params.instructions === 'string') prompt.texts.push(params.instructions);
  addDefinitions(prompt, params.tools, asObject(params.text)?.format);
  return {
    provider: 'openai',
    model: params.model,
    outputCap: positiveInteger(params.max_output_tokens),
    choices: 1,
    producesOutput: true,
    prompt,
    cacheWrite: undefined,
    tokenizer: 'exact',
    // Stored conversations and prompt templates add input this request does not show.
    hiddenContext: params.previous_response_id != null || params.conversation != null || params.prompt != null,
  };
}

class ResponsesStreamTracker implements StreamUsageTracker {
  #usage: NormalizedUsage | null = null;
  #complete = false;

  onEvent(eventName: string | undefined, data: string): boolean {
    if (eventName === undefined ? !data.includes('"type":"response.') : !FINAL_EVENTS.has(eventName)) return false;
    const event = parseJsonObject(data);
    const type = typeof event?.type === 'string' ? event.type : eventName;
    if (!event || type === undefined || !FINAL_EVENTS.has(type)) return false;
    const usage = normalizeOpenAIUsage(asObject(event.response)?.usage);
    if (usage) this.#usage = usage;
    this.#complete = type !== 'response.failed' || usage !== null;
    return false;
  }

  result() {
    return { usage: this.#usage, complete: this.#complete };
  }
}

function syntheticResponses(model: string, text: string, stream: boolean): string {
  const id = syntheticId('resp_');
  const messageId = syntheticId('msg_');
  const createdAt = Math.floor(Date.now() / 1000);
  const part = { type: 'output_text', text, annotations: [] };
  const message = { type: 'message', id: messageId, status: 'completed', role: 'assistant', content: [part] };
  const response = (status: string, output: unknown[]) => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    model,
    output,
    parallel_tool_calls: true,
    temperature: null,
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    metadata: {},
    usage: {
      input_tokens: 0,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 0,
    },
  });
  if (!stream) return JSON.stringify(response('completed', [message]));
  const events: Array<[string, object]> = [
    ['response.created', { response: response('in_progress', []) }],
    ['response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }],
    [
      'response.content_part.added',
      { item_id: messageId, output_index: 0, content_index: 0, part: { ...part, text: '' } },
    ],
    ['response.output_text.delta', { item_id: messageId, output_index: 0, content_index: 0, delta: text }],
    ['response.output_text.done', { item_id: messageId, output_index: 0, content_index: 0, text }],
    ['response.content_part.done', { item_id: messageId, output_index: 0, content_index: 0, part }],
    ['response.output_item.done', { output_index: 0, item: message }],
    ['response.completed', { response: response('completed', [message]) }],
  ];
  return events
    .map(
      ([type, body], index) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: index, ...body })}\n\n`,
    )
    .join('');
}

/** `responses.create` (and the `parse` / `stream` helpers). */
export function createOpenAIResponsesEndpoint(alwaysStreams: boolean): EndpointAdapter {
  return {
    provider: 'openai',
    alwaysStreams,
    describe: describeResponses,
    isStream: (params) => alwaysStreams || params.stream === true,
    rewrite: (params, changes) => rewriteParams(params, changes, 'max_output_tokens'),
    needsUsageReporting: () => false,
    usageFromJson: openAIUsageFromJson,
    createStreamTracker: () => new ResponsesStreamTracker(),
    syntheticBody: syntheticResponses,
  };
}
