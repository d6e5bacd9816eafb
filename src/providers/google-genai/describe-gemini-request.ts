import type { CallRequest } from '../../budget/plan-call.js';
import { createPromptShape, type PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { RequestParams } from '../provider-adapter.js';
import { asObject, positiveInteger } from '../read-json.js';

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
    prompt.attachments += 1;
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
function addContents(prompt: PromptShape, contents: unknown): void {
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
 * Reads a `models.generateContent` / `generateContentStream` request (also what a chat session sends).
 * `maxOutputTokens` caps thinking and answer together, per candidate. A `cachedContent` reference puts
 * the cache's tokens in the prompt without the request carrying them: hidden context.
 */
export function describeGeminiRequest(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string' || params.model === '' || params.contents === undefined) return null;
  const config = asObject(params.config) ?? {};
  const prompt = createPromptShape();
  if (config.systemInstruction !== undefined) addContents(prompt, config.systemInstruction);
  addContents(prompt, params.contents);
  for (const field of ['tools', 'toolConfig', 'responseSchema', 'responseJsonSchema'] as const) {
    if (config[field] !== undefined && config[field] !== null) prompt.texts.push(jsonText(config[field]));
  }
  return {
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
}
