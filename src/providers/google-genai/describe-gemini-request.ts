import type { CallRequest, ServerToolRequest } from '../../budget/plan-call.js';
import type { AttachmentTokenOptions } from '../../tokens/attachments/attachment-token-bound.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import { addAttachment } from '../add-attachment.js';
import type { RequestParams } from '../provider-adapter.js';
import { asObject, positiveInteger } from '../read-json.js';
import { billsGroundingPerQuery } from './gemini-grounding-tally.js';

/** Part fields sent as structured data: priced by their JSON text. */
const STRUCTURED_PART_FIELDS = ['functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;

/** JSON text of a request field; '' for values JSON cannot hold (an MCP client inside a tool, a cycle). */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

const MEDIA_RESOLUTIONS: Readonly<Record<string, AttachmentTokenOptions['mediaResolution']>> = {
  MEDIA_RESOLUTION_LOW: 'low',
  MEDIA_RESOLUTION_MEDIUM: 'medium',
  MEDIA_RESOLUTION_HIGH: 'high',
  MEDIA_RESOLUTION_ULTRA_HIGH: 'ultra_high',
  MEDIA_RESOLUTION_UNSPECIFIED: 'unspecified',
};

function mediaResolutionOf(level: unknown): AttachmentTokenOptions['mediaResolution'] {
  return typeof level === 'string' ? MEDIA_RESOLUTIONS[level] : undefined;
}

/**
 * Media parts without a resolution of their own take the request's (`config.mediaResolution`), else the
 * API's default: bounded as `unspecified`, not as the dearest level.
 */
function applyMediaResolution(prompt: PromptShape, configured: unknown): void {
  const mediaResolution = mediaResolutionOf(configured) ?? 'unspecified';
  for (const part of prompt.media) part.options ??= { mediaResolution };
}

function addPart(prompt: PromptShape, rawPart: unknown): void {
  if (typeof rawPart === 'string') {
    prompt.texts.push(rawPart);
    return;
  }
  const part = asObject(rawPart);
  if (!part) return;
  let known = false;
  if (typeof part.text === 'string') {
    prompt.texts.push(part.text);
    known = true;
  }
  // A signature the model gave with a thought comes back with the history and is read as input.
  if (typeof part.thoughtSignature === 'string') prompt.texts.push(part.thoughtSignature);
  if (part.inlineData !== undefined || part.fileData !== undefined) {
    const data = asObject(part.inlineData)?.data;
    const resolution = mediaResolutionOf(asObject(part.mediaResolution)?.level);
    addAttachment(
      prompt,
      typeof data === 'string' || data instanceof Uint8Array ? data : undefined,
      resolution && { mediaResolution: resolution },
    );
    known = true;
  }
  for (const field of STRUCTURED_PART_FIELDS) {
    if (part[field] === undefined) continue;
    prompt.texts.push(jsonText(part[field]));
    known = true;
  }
  if (!known) prompt.texts.push(jsonText(part));
}

function isContent(value: unknown): value is { parts?: unknown } {
  const content = asObject(value);
  return content !== undefined && (Array.isArray(content.parts) || typeof content.role === 'string');
}

function addContent(prompt: PromptShape, content: { parts?: unknown }): void {
  prompt.messages += 1;
  if (Array.isArray(content.parts)) for (const part of content.parts) addPart(prompt, part);
}

/**
 * `contents` as the SDK takes it: a string, a Part, a Content, or an array of Contents (the history)
 * or of Parts (one user turn).
 */
export function addGeminiContents(prompt: PromptShape, contents: unknown): void {
  if (!Array.isArray(contents)) {
    if (isContent(contents)) addContent(prompt, contents);
    else {
      prompt.messages += 1;
      addPart(prompt, contents);
    }
    return;
  }
  let looseParts = false;
  for (const item of contents) {
    if (isContent(item)) addContent(prompt, item);
    else {
      looseParts = true;
      addPart(prompt, item);
    }
  }
  if (looseParts) prompt.messages += 1;
}

/**
 * Gemini 3+: the most search queries one request is taken to run. Gemini has no cap on them (no max-uses
 * field; the forum thread https://discuss.ai.google.dev/t/billed-project-gemini-2-5-grounding-returns-404-eligibility-review-and-supported-migration/189838
 * asks Google for one, unanswered), so this bound is ESTIMATED, NOT PROVEN: above the most observed, 4–7
 * queries per answer for gemini-3.5-flash in 21 recorded requests (https://docs.apiyi.com/en/api-capabilities/gemini/web-search).
 */
export const GEMINI_QUERIES_PER_REQUEST = 10;
/**
 * Input tokens grounding adds to the billed prompt (`toolUsePromptTokenCount`), an estimate: the price
 * dataset's grounded Gemini bodies show 78–3,056 tool-use tokens per request. Per grounded prompt (2.x) it
 * covers a request's several queries; per query (3+) it is one query's share, times the bound above.
 */
const TOOL_TOKENS_PER_GROUNDED_PROMPT = 8_000;
const TOOL_TOKENS_PER_QUERY = 2_000;

/**
 * The grounding tools of `config.tools` that bill per use. Google Search (`googleSearch`, and the older
 * `googleSearchRetrieval`) and Google Maps bill once per grounded prompt on Gemini 2.x — one use, fixed —
 * and per query on Gemini 3+, with no cap the request can set. Code execution and URL context bill tokens only.
 */
function groundingTools(model: string, tools: unknown): ServerToolRequest[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  let search = false;
  let maps = false;
  for (const raw of tools) {
    const tool = asObject(raw);
    if (!tool) continue;
    if (tool.googleSearch !== undefined || tool.googleSearchRetrieval !== undefined) search = true;
    if (tool.googleMaps !== undefined) maps = true;
  }
  if (!search && !maps) return undefined;
  const perQuery = billsGroundingPerQuery(model);
  const use = {
    maxUses: perQuery ? GEMINI_QUERIES_PER_REQUEST : 1,
    fixed: true,
    inputTokensPerUse: perQuery ? TOOL_TOKENS_PER_QUERY : TOOL_TOKENS_PER_GROUNDED_PROMPT,
  };
  const requested: ServerToolRequest[] = [];
  if (search) requested.push({ fee: 'googleSearch', ...use });
  if (maps) requested.push({ fee: 'googleMaps', ...use });
  return requested;
}

/**
 * The tier `config.serviceTier` asks for, when it costs more than standard: priority. Flex is not reserved
 * at its discount — the reservation stays at the standard rate, which covers a flex request served at
 * standard; the settlement then takes the tier the response reports.
 */
function requestedTiers(serviceTier: unknown): string[] | undefined {
  return typeof serviceTier === 'string' && serviceTier.toLowerCase() === 'priority' ? ['priority'] : undefined;
}

/**
 * Reads a `models.generateContent` / `generateContentStream` request (also what a chat session sends).
 * `maxOutputTokens` caps thinking and answer together, per candidate. A `cachedContent` reference puts
 * the cache's tokens in the prompt without the request carrying them: hidden context.
 */
export function describeGeminiRequest(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string' || params.model === '' || params.contents === undefined) return null;
  const config = asObject(params.config) ?? {};
  const prompt = createPromptShape();
  if (config.systemInstruction !== undefined) addGeminiContents(prompt, config.systemInstruction);
  addGeminiContents(prompt, params.contents);
  applyMediaResolution(prompt, config.mediaResolution);
  for (const field of ['tools', 'toolConfig', 'responseSchema', 'responseJsonSchema'] as const) {
    if (config[field] !== undefined && config[field] !== null) prompt.texts.push(jsonText(config[field]));
  }
  const request: CallRequest = {
    provider: 'google',
    model: params.model,
    outputCap: positiveInteger(config.maxOutputTokens),
    choices: positiveInteger(config.candidateCount) ?? 1,
    producesOutput: true,
    prompt,
    cacheWrite: undefined,
    tokenizer: 'estimated',
    hiddenContext: typeof config.cachedContent === 'string' && config.cachedContent !== '',
  };
  const serverTools = config.tools === undefined ? undefined : groundingTools(params.model, config.tools);
  if (serverTools) {
    request.serverTools = serverTools;
    request.serverToolsOn = (model) => groundingTools(model, config.tools);
  }
  const tiers = config.serviceTier === undefined ? undefined : requestedTiers(config.serviceTier);
  if (tiers) request.tiers = tiers;
  return request;
}
