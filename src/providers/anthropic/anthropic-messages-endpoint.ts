import type { CallRequest } from '../../budget/plan-call.js';
import type { NormalizedUsage } from '../../core/usage.js';
import type { CacheWriteTtl } from '../../pricing/estimate-worst-case.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { EndpointAdapter, RequestParams, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject, positiveInteger, syntheticId } from '../read-json.js';
import { rewriteParams } from '../rewrite-params.js';
import { normalizeAnthropicUsage } from './normalize-anthropic-usage.js';

/** Claude's hidden tool-use system prompt (up to ~550 tokens, PRICING.md §7.3), rounded up. */
const TOOL_SYSTEM_PROMPT_TOKENS = 600;
const ATTACHMENT_BLOCKS = new Set(['image', 'document', 'search_result', 'container_upload']);

interface CacheScan {
  ttl: CacheWriteTtl | undefined;
}

function noteCacheControl(scan: CacheScan, block: Record<string, unknown>): void {
  const control = asObject(block.cache_control);
  if (!control) return;
  scan.ttl = control.ttl === '1h' || scan.ttl === '1h' ? '1h' : '5m';
}

function addBlocks(prompt: PromptShape, scan: CacheScan, content: unknown): void {
  if (typeof content === 'string') {
    prompt.texts.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const rawBlock of content) {
    const block = asObject(rawBlock);
    if (!block) continue;
    noteCacheControl(scan, block);
    const type = block.type;
    if (type === 'text' && typeof block.text === 'string') prompt.texts.push(block.text);
    else if (type === 'thinking' && typeof block.thinking === 'string') prompt.texts.push(block.thinking);
    else if (type === 'tool_result') addBlocks(prompt, scan, block.content);
    else if (typeof type === 'string' && ATTACHMENT_BLOCKS.has(type)) prompt.attachments += 1;
    else prompt.texts.push(JSON.stringify(block));
  }
}

function describeMessages(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string' || !Array.isArray(params.messages)) return null;
  const prompt = createPromptShape();
  const scan: CacheScan = { ttl: undefined };
  if (asObject(params.cache_control)) noteCacheControl(scan, params as Record<string, unknown>);
  addBlocks(prompt, scan, params.system);
  for (const rawMessage of params.messages) {
    const message = asObject(rawMessage);
    if (!message) continue;
    prompt.messages += 1;
    addBlocks(prompt, scan, message.content);
  }
  if (Array.isArray(params.tools) && params.tools.length > 0) {
    for (const tool of params.tools) {
      const definition = asObject(tool);
      if (definition) noteCacheControl(scan, definition);
    }
    prompt.texts.push(JSON.stringify(params.tools));
    prompt.hiddenTokens += TOOL_SYSTEM_PROMPT_TOKENS;
  }
  return {
    provider: 'anthropic',
    model: params.model,
    outputCap: positiveInteger(params.max_tokens),
    choices: 1,
    producesOutput: true,
    prompt,
    cacheWrite: scan.ttl,
    tokenizer: 'estimated',
    hiddenContext: false,
  };
}

/**
 * `message_start` carries input and cache usage; `message_delta` usage is cumulative, so the latest
 * value wins (never summed), and a non-zero input count replaces a zero one sent earlier.
 */
class MessagesStreamTracker implements StreamUsageTracker {
  #usage: NormalizedUsage | null = null;
  #complete = false;
  #failed = false;
  readonly #ttl: CacheWriteTtl | undefined;

  constructor(ttl: CacheWriteTtl | undefined) {
    this.#ttl = ttl;
  }

  onEvent(eventName: string | undefined, data: string): boolean {
    if (eventName === 'message_stop' || eventName === 'error') {
      this.#complete = eventName === 'message_stop';
      this.#failed = eventName === 'error';
      return false;
    }
    if (eventName !== 'message_start' && eventName !== 'message_delta') return false;
    const event = parseJsonObject(data);
    const raw = eventName === 'message_start' ? asObject(event?.message)?.usage : event?.usage;
    const update = normalizeAnthropicUsage(raw, this.#ttl);
    if (!update) return false;
    const previous = this.#usage;
    this.#usage = previous
      ? {
          inputUncached: update.inputUncached || previous.inputUncached,
          inputCacheRead: update.inputCacheRead || previous.inputCacheRead,
          inputCacheWrite5m: update.inputCacheWrite5m || previous.inputCacheWrite5m,
          inputCacheWrite1h: update.inputCacheWrite1h || previous.inputCacheWrite1h,
          outputText: Math.max(update.outputText, previous.outputText),
          outputReasoning: 0,
        }
      : update;
    return false;
  }

  result() {
    return { usage: this.#usage, complete: this.#complete, failed: this.#failed };
  }
}

function syntheticMessage(model: string, text: string, stream: boolean): string {
  const id = syntheticId('msg_');
  const usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage,
  };
  if (!stream) return JSON.stringify(message);
  const events: Array<[string, object]> = [
    ['message_start', { message: { ...message, content: [], stop_reason: null } }],
    ['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { index: 0, delta: { type: 'text_delta', text } }],
    ['content_block_stop', { index: 0 }],
    ['message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } }],
    ['message_stop', {}],
  ];
  return events.map(([type, body]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`).join('');
}

/** `messages.create` and the `messages.stream()` helper of `@anthropic-ai/sdk`. */
export function createAnthropicMessagesEndpoint(alwaysStreams: boolean): EndpointAdapter {
  return {
    provider: 'anthropic',
    alwaysStreams,
    describe: describeMessages,
    isStream: (params) => alwaysStreams || params.stream === true,
    rewrite: (params, changes) => rewriteParams(params, changes, 'max_tokens'),
    needsUsageReporting: () => false,
    usageFromJson: (json, cacheWrite) => normalizeAnthropicUsage(asObject(json)?.usage, cacheWrite),
    createStreamTracker: ({ cacheWrite }) => new MessagesStreamTracker(cacheWrite),
    syntheticBody: syntheticMessage,
  };
}
