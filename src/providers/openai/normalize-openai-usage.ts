import {
  EMPTY_USAGE,
  type FeeKind,
  isValidTokenCount,
  type ModalityBuckets,
  type NormalizedUsage,
  tokenCount,
  withExtras,
} from '../../core/usage.js';
import { asObject } from '../read-json.js';

/** What the endpoint's usage object must carry: embeddings bill input only. */
export type OpenAIUsageKind = 'completion' | 'input-only';

/** The response's extras that are not in `usage`: the tier that served it and the per-use fees it incurred. */
export interface OpenAIUsageExtras {
  serviceTier?: unknown;
  fees?: Partial<Record<FeeKind, number>> | undefined;
  /** Output tokens are image tokens unless the details say otherwise (the Images API). */
  outputIsImage?: boolean;
}

/** Tiers that are the standard price: 'auto' in a request, 'default' in a response. */
const STANDARD_TIERS = new Set(['auto', 'default']);

/** The tier a request asks for or a response was served at, as a tier list; absent for the standard tier. */
export function openAITiers(serviceTier: unknown): string[] | undefined {
  return typeof serviceTier === 'string' && serviceTier !== '' && !STANDARD_TIERS.has(serviceTier)
    ? [serviceTier]
    : undefined;
}

const PROMPT_DETAIL_FIELDS = ['cached_tokens', 'cache_write_tokens', 'audio_tokens', 'image_tokens'] as const;
const COMPLETION_DETAIL_FIELDS = ['reasoning_tokens', 'audio_tokens', 'image_tokens', 'text_tokens'] as const;

function allValid(details: Record<string, unknown> | undefined, fields: readonly string[]): boolean {
  if (!details) return true;
  for (const field of fields) if (!isValidTokenCount(details[field])) return false;
  return true;
}

/** Takes up to `wanted` of `available`, returning the amount taken (counts are clamped, never negative). */
function carve(available: number, wanted: number): number {
  return Math.min(available, wanted);
}

/**
 * Maps OpenAI usage onto the disjoint buckets. Chat Completions (`prompt_tokens` / `completion_tokens`),
 * Responses and Images (`input_tokens` / `output_tokens`) and Embeddings share the subset semantics: cached,
 * cache-write, audio and image tokens are parts of the prompt count, reasoning and audio tokens parts of the
 * completion count — carved out, never added. Returns null (the call is charged its hold) when usage is
 * missing, a required count is absent, or any count read is malformed.
 */
export function normalizeOpenAIUsage(
  raw: unknown,
  kind: OpenAIUsageKind = 'completion',
  extras?: OpenAIUsageExtras,
): NormalizedUsage | null {
  const usage = asObject(raw);
  if (!usage) return null;
  const promptField = usage.prompt_tokens ?? usage.input_tokens;
  const completionField = usage.completion_tokens ?? usage.output_tokens;
  if (promptField == null || !isValidTokenCount(promptField)) return null;
  if ((kind === 'completion' && completionField == null) || !isValidTokenCount(completionField)) return null;
  const promptDetails = asObject(usage.prompt_tokens_details ?? usage.input_tokens_details);
  const completionDetails = asObject(usage.completion_tokens_details ?? usage.output_tokens_details);
  const cachedDetails = asObject(promptDetails?.cached_tokens_details);
  if (
    !allValid(promptDetails, PROMPT_DETAIL_FIELDS) ||
    !allValid(completionDetails, COMPLETION_DETAIL_FIELDS) ||
    !allValid(cachedDetails, PROMPT_DETAIL_FIELDS)
  ) {
    return null;
  }
  const prompt = tokenCount(promptField);
  const completion = tokenCount(completionField);

  const cached = carve(prompt, tokenCount(promptDetails?.cached_tokens));
  // One write price per model (`cache_write_mtok`): the 5-minute bucket carries it.
  const writes = carve(prompt - cached, tokenCount(promptDetails?.cache_write_tokens));
  const cachedAudio = carve(cached, tokenCount(cachedDetails?.audio_tokens));
  const cachedImage = carve(cached - cachedAudio, tokenCount(cachedDetails?.image_tokens));
  let fresh = prompt - cached - writes;
  const audioIn = carve(fresh, Math.max(0, tokenCount(promptDetails?.audio_tokens) - cachedAudio));
  fresh -= audioIn;
  const imageIn = carve(fresh, Math.max(0, tokenCount(promptDetails?.image_tokens) - cachedImage));
  fresh -= imageIn;

  const reasoning = carve(completion, tokenCount(completionDetails?.reasoning_tokens));
  const audioOut = carve(completion - reasoning, tokenCount(completionDetails?.audio_tokens));
  const imageTokens = completionDetails?.image_tokens;
  const imageOut = carve(
    completion - reasoning - audioOut,
    // The Images API's output is image tokens; `output_tokens_details` (when sent) splits off its text.
    imageTokens != null
      ? tokenCount(imageTokens)
      : extras?.outputIsImage
        ? completion - tokenCount(completionDetails?.text_tokens)
        : 0,
  );

  const text: NormalizedUsage = {
    ...EMPTY_USAGE,
    inputUncached: fresh,
    inputCacheRead: cached - cachedAudio - cachedImage,
    inputCacheWrite5m: writes,
    outputText: completion - reasoning - audioOut - imageOut,
    outputReasoning: reasoning,
  };
  const tiers = openAITiers(extras?.serviceTier);
  const fees = extras?.fees;
  if (audioIn + imageIn + cachedAudio + cachedImage + audioOut + imageOut === 0 && !tiers && !fees) return text;
  const modalities: ModalityBuckets = {
    inputAudio: audioIn,
    inputAudioCacheRead: cachedAudio,
    inputImage: imageIn,
    inputImageCacheRead: cachedImage,
    outputAudio: audioOut,
    outputImage: imageOut,
  };
  return withExtras(text, modalities, fees, tiers);
}

/** Usage of a parsed OpenAI JSON response whose `usage` is all it bills (embeddings). */
export function openAIInputUsageFromJson(json: unknown): NormalizedUsage | null {
  return normalizeOpenAIUsage(asObject(json)?.usage, 'input-only');
}
