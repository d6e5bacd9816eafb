import type { AttachmentTokenOptions } from '../../tokens/attachments/attachment-token-bound.js';
import type { PromptShape } from '../../tokens/estimate-prompt-tokens.js';
import { addAttachment } from '../add-attachment.js';
import { asObject } from '../read-json.js';

const TEXT_PARTS = new Set(['text', 'input_text', 'output_text', 'refusal', 'summary_text']);
const ATTACHMENT_PARTS = new Set(['image_url', 'input_image', 'image', 'input_audio', 'file', 'input_file', 'audio']);

/** Adds a message content (a string, or an array of parts) to the prompt. */
export function addOpenAIContent(prompt: PromptShape, content: unknown): void {
  if (typeof content === 'string') {
    prompt.texts.push(content);
    return;
  }
  if (!Array.isArray(content)) {
    if (content != null) prompt.texts.push(JSON.stringify(content));
    return;
  }
  for (const rawPart of content) {
    const part = asObject(rawPart);
    if (!part) {
      if (typeof rawPart === 'string') prompt.texts.push(rawPart);
      continue;
    }
    const type = typeof part.type === 'string' ? part.type : '';
    const text = part.text ?? part.refusal;
    if (TEXT_PARTS.has(type) && typeof text === 'string') prompt.texts.push(text);
    else if (ATTACHMENT_PARTS.has(type)) addOpenAIAttachment(prompt, part);
    else prompt.texts.push(JSON.stringify(part));
  }
}

const DETAILS = new Set(['low', 'high', 'auto', 'original']);

/**
 * An image, audio or file part, sized from the bytes it carries: chat `image_url.url` / Responses
 * `image_url` (a `data:` URL), `input_audio.data`, chat `file.file_data` / Responses `file_data`. A URL or a
 * file id is a part of unknown size.
 */
function addOpenAIAttachment(prompt: PromptShape, part: Record<string, unknown>): void {
  const image = asObject(part.image_url);
  const content =
    image?.url ??
    part.image_url ??
    asObject(part.input_audio)?.data ??
    asObject(part.file)?.file_data ??
    part.file_data;
  const detail = image?.detail ?? part.detail;
  addAttachment(
    prompt,
    typeof content === 'string' ? content : undefined,
    typeof detail === 'string' && DETAILS.has(detail)
      ? { detail: detail as NonNullable<AttachmentTokenOptions['detail']> }
      : undefined,
  );
}

/** Definitions the model reads as prompt (tools, functions, response schemas), as their JSON text. */
export function addDefinitions(prompt: PromptShape, ...definitions: unknown[]): void {
  for (const definition of definitions) {
    if (definition !== undefined && definition !== null) prompt.texts.push(JSON.stringify(definition));
  }
}

/** Tool calls an assistant message carries (their names and JSON arguments are prompt too). */
export function addToolCalls(prompt: PromptShape, toolCalls: unknown): void {
  if (!Array.isArray(toolCalls)) return;
  for (const call of toolCalls) {
    const fn = asObject(asObject(call)?.function);
    if (typeof fn?.name === 'string') prompt.texts.push(fn.name);
    if (typeof fn?.arguments === 'string') prompt.texts.push(fn.arguments);
  }
}
