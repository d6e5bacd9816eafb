import type { CallRequest } from '../../budget/plan-call.js';
import type { CacheWriteTtl } from '../../pricing/estimate-worst-case.js';
import { addAttachment } from '../../providers/add-attachment.js';
import { asObject, positiveInteger } from '../../providers/read-json.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import { requestedTiers } from './ai-sdk-requested-tiers.js';
import { type AiSdkServerTools, describeServerTools } from './ai-sdk-server-tools.js';
import type { AiSdkCallOptions } from './language-model-like.js';

/** Claude's hidden tool-use system prompt (up to ~550 tokens, PRICING.md §7.3), rounded up. */
const TOOL_SYSTEM_PROMPT_TOKENS = 600;
const TEXT_PARTS = new Set(['text', 'reasoning']);
const ATTACHMENT_PARTS = new Set([
  'file',
  'image',
  'media',
  'file-data',
  'file-url',
  'file-id',
  'image-data',
  'image-url',
  'image-file-id',
]);

interface Scan {
  prompt: PromptShape;
  ttl: CacheWriteTtl | undefined;
}

/** Tool inputs and JSON outputs are sent as their JSON text. */
function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/**
 * Anthropic cache breakpoints (`providerOptions.anthropic.cacheControl`) decide the write rate of the
 * worst case. Every namespace is read: a custom provider name carries the same options under its own key.
 */
function noteCacheControl(scan: Scan, providerOptions: unknown): void {
  const namespaces = asObject(providerOptions);
  if (!namespaces) return;
  for (const options of Object.values(namespaces)) {
    const namespace = asObject(options);
    const control = asObject(namespace?.cacheControl ?? namespace?.cache_control);
    if (control) scan.ttl = control.ttl === '1h' || scan.ttl === '1h' ? '1h' : '5m';
  }
}

function addToolOutput(scan: Scan, output: unknown): void {
  const result = asObject(output);
  if (!result) {
    if (output !== undefined) scan.prompt.texts.push(jsonText(output));
    return;
  }
  if (result.type === 'content' && Array.isArray(result.value)) {
    for (const item of result.value) addPart(scan, item);
  } else if (result.type === 'execution-denied') {
    if (typeof result.reason === 'string') scan.prompt.texts.push(result.reason);
  } else if (result.value !== undefined) {
    scan.prompt.texts.push(jsonText(result.value));
  }
}

/** The bytes a file part carries (raw, or base64 text); undefined for a URL, which the provider fetches. */
function attachmentBytes(data: unknown): string | Uint8Array | undefined {
  if (data instanceof Uint8Array || typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

/**
 * A file part: V2/V3 carry its bytes (or a URL) as `data`; V4 (ai 7) wraps them — `{ type: 'data', data }`
 * inline, `{ type: 'text', text }` an inline text document, `{ type: 'url' }` / `{ type: 'reference' }` fetched
 * by the provider (unknown size).
 */
function addFilePart(scan: Scan, data: unknown): void {
  const wrapped = asObject(data);
  if (wrapped?.type === 'text' && typeof wrapped.text === 'string') scan.prompt.texts.push(wrapped.text);
  else addAttachment(scan.prompt, attachmentBytes(wrapped?.type === 'data' ? wrapped.data : data));
}

function addPart(scan: Scan, rawPart: unknown): void {
  const part = asObject(rawPart);
  if (!part) {
    if (typeof rawPart === 'string') scan.prompt.texts.push(rawPart);
    return;
  }
  noteCacheControl(scan, part.providerOptions);
  const type = typeof part.type === 'string' ? part.type : '';
  if (TEXT_PARTS.has(type) && typeof part.text === 'string') scan.prompt.texts.push(part.text);
  else if (ATTACHMENT_PARTS.has(type)) addFilePart(scan, part.data ?? part.image);
  else if (type === 'tool-call') {
    if (typeof part.toolName === 'string') scan.prompt.texts.push(part.toolName);
    scan.prompt.texts.push(jsonText(part.input));
  } else if (type === 'tool-result') {
    if (typeof part.toolName === 'string') scan.prompt.texts.push(part.toolName);
    addToolOutput(scan, part.output);
  } else if (type === 'tool-approval-response') {
    if (typeof part.reason === 'string') scan.prompt.texts.push(part.reason);
  } else scan.prompt.texts.push(jsonText(part));
}

function hiddenContext(providerOptions: unknown): boolean {
  const openai = asObject(asObject(providerOptions)?.openai);
  return openai?.previousResponseId != null || openai?.conversation != null;
}

/**
 * What the planner needs of one `doGenerate` / `doStream` call: the prompt of its V2/V3/V4 messages and
 * parts, tool and response schemas as their JSON text, the output cap `maxOutputTokens`, the billed
 * provider-executed tools (`serverTools`) and the service tier or mode `providerOptions` ask for.
 */
export function describeAiSdkCall(
  params: AiSdkCallOptions,
  priced: { provider: string; model: string },
  serverTools: AiSdkServerTools = describeServerTools(
    Array.isArray(params.tools) ? params.tools : [],
    params.providerOptions,
    priced.model,
  ),
): CallRequest {
  const scan: Scan = { prompt: createPromptShape(), ttl: undefined };
  noteCacheControl(scan, params.providerOptions);
  for (const rawMessage of params.prompt) {
    const message = asObject(rawMessage);
    if (!message) continue;
    scan.prompt.messages += 1;
    noteCacheControl(scan, message.providerOptions);
    const content = message.content;
    if (Array.isArray(content)) for (const part of content) addPart(scan, part);
    else addPart(scan, content);
  }
  const tools = Array.isArray(params.tools) ? params.tools : [];
  for (const tool of tools) noteCacheControl(scan, asObject(tool)?.providerOptions);
  if (tools.length > 0) scan.prompt.texts.push(jsonText(tools));
  const format = asObject(params.responseFormat);
  const json = format?.type === 'json';
  if (json && format.schema !== undefined) scan.prompt.texts.push(jsonText(format.schema));
  // Claude answers JSON requests through a tool when it has no native structured output.
  if (priced.provider === 'anthropic' && (tools.length > 0 || json)) {
    scan.prompt.hiddenTokens += TOOL_SYSTEM_PROMPT_TOKENS;
  }
  const tiers = requestedTiers(params.providerOptions, priced.provider);
  return {
    ...(tiers !== undefined && { tiers }),
    ...(serverTools.requests.length > 0 && {
      serverTools: serverTools.requests,
      serverToolsOn: (model: string) => describeServerTools(tools, params.providerOptions, model).requests,
    }),
    provider: priced.provider,
    model: priced.model,
    outputCap: positiveInteger(params.maxOutputTokens),
    choices: 1,
    producesOutput: true,
    prompt: scan.prompt,
    cacheWrite: scan.ttl,
    tokenizer: priced.provider === 'openai' || priced.provider === 'azure' ? 'exact' : 'estimated',
    hiddenContext: hiddenContext(params.providerOptions),
  };
}
