import type { AttachmentTokenOptions } from '../tokens/attachments/attachment-token-bound.js';
import { inspectAttachment } from '../tokens/attachments/inspect-attachment.js';
import type { PromptShape } from '../tokens/estimate-prompt-tokens.js';

/**
 * Adds an image, document or audio part to the prompt: sized from its bytes (base64, a `data:` URL or raw
 * bytes) when the request carries them; otherwise (a URL, a file id) counted as a part of unknown size,
 * which bounds the prompt by the model's context window.
 */
export function addAttachment(
  prompt: PromptShape,
  content: string | Uint8Array | undefined,
  options?: AttachmentTokenOptions,
): void {
  const info = content === undefined ? undefined : inspectAttachment(content);
  if (!info || info.kind === 'unknown') {
    prompt.attachments += 1;
    return;
  }
  prompt.media.push(options ? { info, options } : { info });
}
