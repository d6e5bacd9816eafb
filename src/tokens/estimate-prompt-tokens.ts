import { countTokens, type TokenEncoding, utf8Length } from './count-tokens.js';

/**
 * What a request sends as prompt, in the parts that cost tokens. Provider adapters fill it from the
 * request parameters without serialising them; tool and schema definitions come as their JSON text.
 */
export interface PromptShape {
  texts: string[];
  /** Chat messages (each carries a few framing tokens). */
  messages: number;
  /** Images, audio clips and files: each charged a fixed allowance. */
  attachments: number;
  /** Tokens the provider adds that the request does not show (e.g. Claude's tool-use system prompt). */
  hiddenTokens: number;
}

/** Framing tokens per chat message and for priming the reply (OpenAI Cookbook, rounded up). */
const TOKENS_PER_MESSAGE = 4;
const REPLY_PRIMING_TOKENS = 3;

export function createPromptShape(): PromptShape {
  return { texts: [], messages: 0, attachments: 0, hiddenTokens: 0 };
}

function framingTokens(prompt: PromptShape, attachmentTokens: number): number {
  return (
    prompt.messages * TOKENS_PER_MESSAGE +
    (prompt.messages > 0 ? REPLY_PRIMING_TOKENS : 0) +
    prompt.attachments * attachmentTokens +
    prompt.hiddenTokens
  );
}

/** A provable upper bound for byte-level BPE tokenizers: one token never covers less than one byte. */
export function promptTokenBound(prompt: PromptShape, attachmentTokens: number): number {
  let total = framingTokens(prompt, attachmentTokens);
  for (const text of prompt.texts) total += utf8Length(text);
  return total;
}

/** Exact text tokens with an OpenAI encoding plus the same framing allowances as the bound. */
export function promptTokenCount(prompt: PromptShape, encoding: TokenEncoding, attachmentTokens: number): number {
  let total = framingTokens(prompt, attachmentTokens);
  for (const text of prompt.texts) total += countTokens(text, encoding);
  return total;
}
