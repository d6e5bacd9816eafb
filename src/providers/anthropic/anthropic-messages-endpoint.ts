import type { CallRequest } from '../../budget/plan-call.js';
import type { CacheWriteTtl } from '../../pricing/estimate-worst-case.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import { addAttachment } from '../add-attachment.js';
import type { EndpointAdapter, RequestChanges, RequestParams, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject, positiveInteger, syntheticId } from '../read-json.js';
import { rewriteParams } from '../rewrite-params.js';
import { isCodeExecutionBlock, messageRanCode } from './anthropic-code-execution.js';
import { serverToolsOf, withToolCaps } from './anthropic-server-tools.js';
import { anthropicPromptCounter } from './count-prompt-tokens.js';
import {
  type AnthropicUsageReading,
  anthropicUsageOf,
  mergeAnthropicUsage,
  normalizeAnthropicUsage,
  readAnthropicUsage,
} from './normalize-anthropic-usage.js';

/** Claude's hidden tool-use system prompt (up to ~550 tokens, PRICING.md §7.3), rounded up. */
const TOOL_SYSTEM_PROMPT_TOKENS = 600;
/** Blocks whose tokens the request cannot show: files uploaded to a code-execution container. */
const ATTACHMENT_BLOCKS = new Set(['container_upload']);

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
    else if (type === 'image' || type === 'document') addSourceBlock(prompt, scan, block);
    else if (typeof type === 'string' && ATTACHMENT_BLOCKS.has(type)) prompt.attachments += 1;
    else prompt.texts.push(JSON.stringify(block));
  }
}

/** A region name as the API spells them ('us', 'global'); anything else is refused by the API, not priced. */
const REGION = /^[a-z0-9_-]{1,40}$/i;

/**
 * The price-changing modes the request asks for: fast mode (`speed: 'fast'`; some models also need the
 * `fast-mode-2026-02-01` beta header, which does not change the price) and a data-residency region
 * (`inference_geo`; 'global' is the standard price). `service_tier: 'auto' | 'standard_only'` only picks
 * capacity: Priority Tier bills the standard token rates.
 */
function requestedTiers(params: RequestParams): string[] | undefined {
  const fast = params.speed === 'fast';
  const region = params.inference_geo;
  const geo = typeof region === 'string' && region !== 'global' && REGION.test(region) ? region.toLowerCase() : '';
  if (!fast && !geo) return undefined;
  const tiers: string[] = [];
  if (fast) tiers.push('fast');
  if (geo) tiers.push(`inference_geo:${geo}`);
  return tiers;
}

/**
 * An image or document block: base64 bytes are sized (PNG/JPEG/GIF/WebP dimensions, PDF pages); a plain-text
 * or content document is prompt text; a URL or a file id is a part of unknown size.
 */
function addSourceBlock(prompt: PromptShape, scan: CacheScan, block: Record<string, unknown>): void {
  const source = asObject(block.source);
  if (source?.type === 'text' && typeof source.data === 'string') prompt.texts.push(source.data);
  else if (source?.type === 'content') addBlocks(prompt, scan, source.content);
  else addAttachment(prompt, source?.type === 'base64' && typeof source.data === 'string' ? source.data : undefined);
  if (typeof block.title === 'string') prompt.texts.push(block.title);
  if (typeof block.context === 'string') prompt.texts.push(block.context);
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
  let serverTools: CallRequest['serverTools'];
  if (Array.isArray(params.tools) && params.tools.length > 0) {
    for (const tool of params.tools) {
      const definition = asObject(tool);
      if (definition) noteCacheControl(scan, definition);
    }
    // The definitions are prompt text; what server tools add per use (results) is in `serverTools`.
    prompt.texts.push(JSON.stringify(params.tools));
    prompt.hiddenTokens += TOOL_SYSTEM_PROMPT_TOKENS;
    serverTools = serverToolsOf(params.tools);
  }
  const tiers = requestedTiers(params);
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
    ...(tiers ? { tiers } : {}),
    ...(serverTools ? { serverTools } : {}),
  };
}

function rewriteMessages(params: RequestParams, changes: RequestChanges): RequestParams {
  const next = rewriteParams(params, changes, 'max_tokens');
  if (changes.toolCaps && Array.isArray(params.tools)) next.tools = withToolCaps(params.tools, changes.toolCaps);
  return next;
}

/**
 * `message_start` carries input and cache usage; `message_delta` usage is cumulative (output, and on newer
 * API versions input, cache and `server_tool_use` counts), so each field keeps its largest value — the
 * latest of an honest stream, never a sum. A malformed field in any event makes the whole usage unknown. Code execution shows only as content
 * blocks and the message's container, so block starts are looked at when they name it.
 */
class MessagesStreamTracker implements StreamUsageTracker {
  #reading: AnthropicUsageReading | null = null;
  #malformed = false;
  #ranCode = false;
  /** `message_start` reports a placeholder output count; the real one only comes with `message_delta`. */
  #finalOutput = false;
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
    if (eventName === 'content_block_start') {
      // The substring test keeps text blocks (almost all of them) from being parsed twice.
      if (!this.#ranCode && data.includes('code_execution')) {
        this.#ranCode = isCodeExecutionBlock(parseJsonObject(data)?.content_block);
      }
      return false;
    }
    if (eventName !== 'message_start' && eventName !== 'message_delta') return false;
    const event = parseJsonObject(data);
    const start = eventName === 'message_start' ? asObject(event?.message) : undefined;
    const raw = start ? start.usage : event?.usage;
    if (!this.#ranCode && (start ? messageRanCode(start) : asObject(asObject(event?.delta)?.container))) {
      this.#ranCode = true;
    }
    if (raw === undefined || raw === null) return false;
    if (!start && asObject(raw)?.output_tokens != null) this.#finalOutput = true;
    const update = readAnthropicUsage(raw);
    if (!update) this.#malformed = true;
    else this.#reading = this.#reading ? mergeAnthropicUsage(this.#reading, update) : update;
    return false;
  }

  result() {
    const known = this.#reading && !this.#malformed && this.#finalOutput;
    const usage = known ? anthropicUsageOf(this.#reading as AnthropicUsageReading, this.#ttl, this.#ranCode) : null;
    return { usage, complete: this.#complete, failed: this.#failed };
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
    rewrite: rewriteMessages,
    needsUsageReporting: () => false,
    usageFromJson: (json, cacheWrite) => {
      const message = asObject(json);
      return normalizeAnthropicUsage(message?.usage, cacheWrite, messageRanCode(message));
    },
    createStreamTracker: ({ cacheWrite }) => new MessagesStreamTracker(cacheWrite),
    syntheticBody: syntheticMessage,
    promptCounter: anthropicPromptCounter,
  };
}
