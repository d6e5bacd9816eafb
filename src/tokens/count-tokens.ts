import { createRequire } from 'node:module';

export type TokenEncoding = 'o200k_base' | 'cl100k_base';

interface Encoder {
  countTokens(text: string, options: { disallowedSpecial: Set<string> }): number;
  setMergeCacheSize(size: number): void;
}

/** BPE is super-linear on long pieces without spaces; splitting them keeps counting linear (PRICING.md §7.1). */
const MAX_RUN = 256;
const LONG_RUN = /\S{257,}/g;
const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };
const MERGE_CACHE_ENTRIES = 100_000;

const encoders = new Map<TokenEncoding, Encoder>();

function encoderFor(encoding: TokenEncoding): Encoder {
  let encoder = encoders.get(encoding);
  if (!encoder) {
    // Loaded on first exact count only (tens of MB), synchronously so a reservation never waits on I/O.
    const load = createRequire(import.meta.url);
    encoder = load(`gpt-tokenizer/encoding/${encoding}`) as Encoder;
    encoder.setMergeCacheSize(MERGE_CACHE_ENTRIES);
    encoders.set(encoding, encoder);
  }
  return encoder;
}

function countRun(encoder: Encoder, run: string): number {
  let total = 0;
  for (let start = 0; start < run.length; ) {
    let end = Math.min(start + MAX_RUN, run.length);
    const code = run.charCodeAt(end - 1);
    if (end < run.length && code >= 0xd800 && code <= 0xdbff) end -= 1; // never split a surrogate pair
    total += encoder.countTokens(run.slice(start, end), NO_SPECIAL_TOKENS);
    start = end;
  }
  return total;
}

/**
 * Exact token count of `text` with an OpenAI encoding. Special-token text such as `<|endoftext|>` is
 * counted as ordinary text instead of throwing. Runs of more than 256 non-space characters are counted
 * in slices, which may over-count by a fraction of a percent and never makes counting super-linear.
 */
export function countTokens(text: string, encoding: TokenEncoding): number {
  const encoder = encoderFor(encoding);
  LONG_RUN.lastIndex = 0;
  if (!LONG_RUN.test(text)) return encoder.countTokens(text, NO_SPECIAL_TOKENS);
  let total = 0;
  let cursor = 0;
  LONG_RUN.lastIndex = 0;
  for (let match = LONG_RUN.exec(text); match; match = LONG_RUN.exec(text)) {
    if (match.index > cursor) total += encoder.countTokens(text.slice(cursor, match.index), NO_SPECIAL_TOKENS);
    total += countRun(encoder, match[0]);
    cursor = match.index + match[0].length;
  }
  if (cursor < text.length) total += encoder.countTokens(text.slice(cursor), NO_SPECIAL_TOKENS);
  return total;
}

/** The encoding an OpenAI model tokenizes with (o200k for GPT-4o and later, cl100k for GPT-4/3.5 and embeddings). */
export function encodingForModel(model: string): TokenEncoding {
  const id = model.toLowerCase();
  if (/^(?:gpt-4(?!o|\.)|gpt-3\.5|text-embedding-(?:3|ada))/.test(id)) return 'cl100k_base';
  return 'o200k_base';
}

/** UTF-8 byte length: a hard upper bound of the token count of any byte-level BPE. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
