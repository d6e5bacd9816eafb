import type { CallRequest, ServerToolRequest } from '../../budget/plan-call.js';
import type { NormalizedUsage } from '../../core/usage.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { EndpointAdapter, RequestChanges, RequestParams, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject, positiveInteger, syntheticId } from '../read-json.js';
import { rewriteParams } from '../rewrite-params.js';
import { addDefinitions, addOpenAIContent } from './collect-openai-prompt.js';
import { openAIResponsesPromptCounter } from './count-prompt-tokens.js';
import { openAITiers } from './normalize-openai-usage.js';
import { WEB_SEARCH_TOKENS_PER_USE } from './openai-chat-usage.js';
import { containerSessionUnits, openAIResponseUsage } from './openai-responses-usage.js';

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

/**
 * Input tokens one file_search call can add: `max_num_results` chunks (the API allows at most 50; 20 assumed
 * when unset, the larger of the documented defaults) of up to 800 tokens each (the default static chunking,
 * `max_chunk_size_tokens: 800`). An estimate: larger custom chunks (up to 4,096) would add more.
 */
const FILE_SEARCH_DEFAULT_RESULTS = 20;
const FILE_SEARCH_CHUNK_TOKENS = 800;
/** Input tokens one code_interpreter call can add (the code's logs and outputs fed back): an estimate. */
const CODE_INTERPRETER_TOKENS_PER_USE = 4_000;

function fileSearchTokensPerUse(tool: Record<string, unknown>): number {
  return (positiveInteger(tool.max_num_results) ?? FILE_SEARCH_DEFAULT_RESULTS) * FILE_SEARCH_CHUNK_TOKENS;
}

/**
 * The request's built-in tools that bill per use. `max_tool_calls` caps the built-in tool calls of the whole
 * response, so each tool is bounded by it (summing the bounds over-reserves, never under-). A code_interpreter
 * container is billed per session even without a call (`container: {type: 'auto'}`), so at least one is
 * reserved; a larger container bills its memory multiple, reserved as that many session units.
 */
function serverToolsOf(params: RequestParams): ServerToolRequest[] | undefined {
  if (!Array.isArray(params.tools)) return undefined;
  const cap =
    typeof params.max_tool_calls === 'number' && params.max_tool_calls >= 0 ? params.max_tool_calls : undefined;
  const maxUses = cap === undefined ? undefined : Math.floor(cap);
  const tools: ServerToolRequest[] = [];
  for (const raw of params.tools) {
    const tool = asObject(raw);
    const type = tool?.type;
    if (!tool || typeof type !== 'string') continue;
    if (type.startsWith('web_search')) {
      tools.push({ fee: 'webSearch', maxUses, inputTokensPerUse: WEB_SEARCH_TOKENS_PER_USE });
    } else if (type === 'file_search') {
      tools.push({ fee: 'fileSearch', maxUses, inputTokensPerUse: fileSearchTokensPerUse(tool) });
    } else if (type === 'code_interpreter') {
      const sessions = maxUses === undefined ? undefined : Math.max(1, maxUses);
      const units = containerSessionUnits(tool);
      for (let unit = 0; unit < units; unit += 1) {
        tools.push({
          fee: 'codeExecution',
          maxUses: sessions,
          inputTokensPerUse: unit === 0 ? CODE_INTERPRETER_TOKENS_PER_USE : 0,
        });
      }
    }
  }
  return tools.length > 0 ? tools : undefined;
}

/** `max_tool_calls` is one cap across every built-in tool: the smallest cap the guard asks for. */
function rewriteResponses(params: RequestParams, changes: RequestChanges): RequestParams {
  const next = rewriteParams(params, changes, 'max_output_tokens');
  const caps = changes.toolCaps;
  if (caps) {
    let smallest: number | undefined;
    for (const cap of Object.values(caps)) if (cap !== undefined) smallest = Math.min(smallest ?? cap, cap);
    if (smallest !== undefined) next.max_tool_calls = smallest;
  }
  return next;
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
    // Models with a cache-write price bill the prompt they cache automatically: reserve at that rate.
    cacheWrite: '5m',
    tokenizer: 'exact',
    tiers: openAITiers(params.service_tier),
    serverTools: serverToolsOf(params),
    // Stored conversations and prompt templates add input this request does not show.
    hiddenContext: params.previous_response_id != null || params.conversation != null || params.prompt != null,
  };
}

const ITEM_DONE = 'response.output_item.done';
/** Output items that can bill a fee; other finished items (messages, reasoning) are not parsed. */
const TOOL_CALL_ITEM = /"type"\s*:\s*"(?:web_search|file_search|code_interpreter)_call"/;

class ResponsesStreamTracker implements StreamUsageTracker {
  #usage: NormalizedUsage | null = null;
  #complete = false;
  /** Tool-call items seen finished, for a final event whose `response.output` is left empty. */
  #toolItems: unknown[] = [];

  onEvent(eventName: string | undefined, data: string): boolean {
    if (eventName === ITEM_DONE || (eventName === undefined && data.includes(ITEM_DONE))) {
      if (TOOL_CALL_ITEM.test(data)) {
        const event = parseJsonObject(data);
        if (event?.type === ITEM_DONE && event.item !== undefined) this.#toolItems.push(event.item);
      }
      return false;
    }
    if (eventName === undefined ? !data.includes('"type":"response.') : !FINAL_EVENTS.has(eventName)) return false;
    const event = parseJsonObject(data);
    const type = typeof event?.type === 'string' ? event.type : eventName;
    if (!event || type === undefined || !FINAL_EVENTS.has(type)) return false;
    const response = asObject(event.response);
    const output = response?.output;
    const usage = openAIResponseUsage(
      this.#toolItems.length > 0 && (!Array.isArray(output) || output.length === 0)
        ? { ...response, output: this.#toolItems }
        : response,
    );
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
    rewrite: rewriteResponses,
    needsUsageReporting: () => false,
    usageFromJson: openAIResponseUsage,
    createStreamTracker: () => new ResponsesStreamTracker(),
    syntheticBody: syntheticResponses,
    promptCounter: openAIResponsesPromptCounter,
  };
}
