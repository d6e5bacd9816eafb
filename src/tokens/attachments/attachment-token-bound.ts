import { anthropicAttachmentTokens } from './anthropic-attachment-tokens.js';
import type { AttachmentInfo } from './attachment-info.js';
import { googleAttachmentTokens } from './google-attachment-tokens.js';
import { openaiAttachmentTokens } from './openai-attachment-tokens.js';

export type AttachmentProvider = 'openai' | 'anthropic' | 'google';

export interface AttachmentTokenOptions {
  /** OpenAI `detail`; absent or `auto` is charged as the dearest level the model has. */
  readonly detail?: 'low' | 'high' | 'auto' | 'original';
  /** Gemini `media_resolution`; absent means not known, so the dearest level is assumed. */
  readonly mediaResolution?: 'low' | 'medium' | 'high' | 'ultra_high' | 'unspecified';
}

/**
 * `proven`: the provider's documented rule, applied to sizes read exactly, gives at most this many tokens.
 * `estimated`: a documented approximation, an undocumented model, or a size bounded from the byte length;
 * still meant as an upper bound, with margins, but not one the documentation guarantees.
 * `unknown`: nothing bounds it from the attachment (a URL, a file id, an unknown format, unreadable pages);
 * the caller has to bound it by the model's context window.
 */
export type AttachmentTokenBound =
  | { readonly tokens: number; readonly basis: 'proven' | 'estimated' }
  | { readonly tokens: undefined; readonly basis: 'unknown' };

/** The most input tokens one attachment can cost on `model`, from what {@link inspectAttachment} read. */
export function attachmentTokenBound(
  provider: AttachmentProvider,
  model: string,
  info: AttachmentInfo | undefined,
  options: AttachmentTokenOptions = {},
): AttachmentTokenBound {
  if (info === undefined || info.kind === 'unknown') return { tokens: undefined, basis: 'unknown' };
  const normalizedModel = normalizeModel(model);
  const bound =
    provider === 'openai'
      ? openaiAttachmentTokens(normalizedModel, info, options)
      : provider === 'anthropic'
        ? anthropicAttachmentTokens(normalizedModel, info)
        : googleAttachmentTokens(normalizedModel, info, options);
  if (bound.tokens === undefined) return bound;
  // Every formula rounds up on its own; this only guards the contract against a float slipping through.
  const tokens = Math.ceil(bound.tokens);
  if (!Number.isSafeInteger(tokens) || tokens < 0) return { tokens: undefined, basis: 'unknown' };
  return { tokens, basis: bound.basis };
}

/** `openai/gpt-4o-2024-08-06` and `models/gemini-2.5-pro` name the same formulas as `gpt-4o` and `gemini-2.5-pro`. */
function normalizeModel(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^(models|openai|anthropic|google|vertex_ai|bedrock)\//, '')
    .replace(/^(us|eu|apac|global)\.anthropic\./, '')
    .replace(/^anthropic\./, '');
}
