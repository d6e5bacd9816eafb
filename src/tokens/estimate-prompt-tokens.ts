import type { AttachmentInfo } from './attachments/attachment-info.js';
import type { AttachmentTokenOptions } from './attachments/attachment-token-bound.js';
import { countTokens, type TokenEncoding, utf8Length } from './count-tokens.js';

/** An image, document or audio part of a prompt, with what its bytes showed. */
export interface PromptAttachment {
  /** From the bytes the request carries; undefined when it carries none (a URL, a file id). */
  info: AttachmentInfo | undefined;
  /** The request's `detail` (OpenAI) or media resolution (Gemini) for this part. */
  options?: AttachmentTokenOptions;
}

/**
 * What a request sends as prompt, in the parts that cost tokens. Provider adapters fill it from the
 * request parameters without serialising them; tool and schema definitions come as their JSON text.
 */
export interface PromptShape {
  texts: string[];
  /** Chat messages (each carries a few framing tokens). */
  messages: number;
  /** Images, audio clips and files whose size the request does not show (a URL, a file id, unknown bytes). */
  attachments: number;
  /** Images, audio clips and files whose bytes the request carries; bounded per provider and model. */
  media: PromptAttachment[];
  /** Tokens the provider adds that the request does not show (e.g. Claude's tool-use system prompt). */
  hiddenTokens: number;
}

/** Framing tokens per chat message and for priming the reply (OpenAI Cookbook, rounded up). */
const TOKENS_PER_MESSAGE = 4;
const REPLY_PRIMING_TOKENS = 3;

export function createPromptShape(): PromptShape {
  return { texts: [], messages: 0, attachments: 0, media: [], hiddenTokens: 0 };
}

function framingTokens(prompt: PromptShape, mediaTokens: number): number {
  return (
    prompt.messages * TOKENS_PER_MESSAGE +
    (prompt.messages > 0 ? REPLY_PRIMING_TOKENS : 0) +
    mediaTokens +
    prompt.hiddenTokens
  );
}

/**
 * A provable upper bound for byte-level BPE tokenizers (one token never covers less than one byte), plus
 * `mediaTokens`, the bound of the prompt's attachments.
 */
export function promptTokenBound(prompt: PromptShape, mediaTokens: number): number {
  let total = framingTokens(prompt, mediaTokens);
  for (const text of prompt.texts) total += utf8Length(text);
  return total;
}

/** Exact text tokens with an OpenAI encoding plus the same framing allowances as the bound. */
export function promptTokenCount(prompt: PromptShape, encoding: TokenEncoding, mediaTokens: number): number {
  let total = framingTokens(prompt, mediaTokens);
  for (const text of prompt.texts) total += countTokens(text, encoding);
  return total;
}
