import { EMPTY_USAGE, type FeeKind, type ModalityBuckets, type NormalizedUsage, withExtras } from '../../core/usage.js';
import { asObject } from '../read-json.js';
import { groundingFeesOf } from './gemini-grounding-tally.js';
import {
  type GeminiUsageCounts,
  type MediaCounts,
  readGeminiUsageMetadata,
  tierName,
} from './read-gemini-usage-metadata.js';

type Fees = Partial<Record<FeeKind, number>> | undefined;

function mediaTotal(media: MediaCounts): number {
  return media.audio + media.image + media.video;
}

/** The cached media taken out of the prompt's, modality by modality, never below 0. */
function uncachedMedia(prompt: MediaCounts, cached: MediaCounts): MediaCounts {
  return {
    audio: Math.max(0, prompt.audio - cached.audio),
    image: Math.max(0, prompt.image - cached.image),
    video: Math.max(0, prompt.video - cached.video),
  };
}

/**
 * The disjoint buckets of checked Gemini counts; null without a prompt count. `cachedContentTokenCount` is
 * part of `promptTokenCount` (split, never added); `candidatesTokenCount` leaves out the thinking tokens,
 * which come as `thoughtsTokenCount` and are billed as output too. Tool-use prompt tokens (search results,
 * code execution, URL context) are outside `promptTokenCount` and billed as input, as the price dataset's
 * own Gemini mapping counts them.
 *
 * Media tokens in the `…TokensDetails` lists are carved out of their total: cached media out of the cached
 * count, the rest of the prompt's media (prompt details include the cached part) out of the uncached count,
 * image and audio out of the candidates. Details and totals need not agree: each text bucket is what its total
 * leaves after the media, never below 0, and media are taken as reported — so no direction ever counts fewer
 * tokens than its total says, and a media token is never also a text token.
 */
export function usageFromGeminiCounts(counts: GeminiUsageCounts, fees: Fees): NormalizedUsage | null {
  if (counts.prompt === undefined) return null;
  const cached = Math.min(counts.prompt, counts.cached);
  const uncached = counts.prompt - cached;
  const buckets: NormalizedUsage = {
    ...EMPTY_USAGE,
    inputUncached: uncached,
    inputCacheRead: cached,
    outputText: counts.candidates,
    outputReasoning: counts.thoughts,
  };
  const hasMedia =
    mediaTotal(counts.promptMedia) + mediaTotal(counts.cachedMedia) + mediaTotal(counts.toolUseMedia) > 0 ||
    counts.candidatesMedia.audio + counts.candidatesMedia.image > 0;
  if (!hasMedia) {
    buckets.inputUncached += counts.toolUse;
    return fees || counts.tier ? withExtras(buckets, {}, fees, counts.tier ? [counts.tier] : undefined) : buckets;
  }
  const promptMedia = uncachedMedia(counts.promptMedia, counts.cachedMedia);
  const { cachedMedia, toolUseMedia, candidatesMedia } = counts;
  buckets.inputUncached =
    Math.max(0, uncached - mediaTotal(promptMedia)) + Math.max(0, counts.toolUse - mediaTotal(toolUseMedia));
  buckets.inputCacheRead = Math.max(0, cached - mediaTotal(cachedMedia));
  buckets.outputText = Math.max(0, counts.candidates - candidatesMedia.audio - candidatesMedia.image);
  const modalities: ModalityBuckets = {
    inputAudio: promptMedia.audio + toolUseMedia.audio,
    inputImage: promptMedia.image + toolUseMedia.image,
    inputVideo: promptMedia.video + toolUseMedia.video,
    inputAudioCacheRead: cachedMedia.audio,
    inputImageCacheRead: cachedMedia.image,
    inputVideoCacheRead: cachedMedia.video,
    outputAudio: candidatesMedia.audio,
    outputImage: candidatesMedia.image,
  };
  return withExtras(buckets, modalities, fees, counts.tier ? [counts.tier] : undefined);
}

/**
 * Maps a Gemini `usageMetadata` onto the disjoint buckets (no grounding fees: they are in the candidates).
 * Null when there is none, when it has no prompt count, or when any count it reads is malformed.
 */
export function normalizeGeminiUsage(raw: unknown): NormalizedUsage | null {
  const counts = readGeminiUsageMetadata(raw);
  return counts === undefined || counts === 'malformed' ? null : usageFromGeminiCounts(counts, undefined);
}

/** The service tier of the `x-gemini-service-tier` header the SDK keeps on its responses, when usage has none. */
export function headerTierOf(response: Record<string, unknown>): string | undefined {
  const headers = asObject(asObject(response.sdkHttpResponse)?.headers);
  const tier = headers?.['x-gemini-service-tier'];
  return typeof tier === 'string' ? tierName(tier) : undefined;
}

/**
 * Usage of a Gemini response — the wire JSON and the SDK's GenerateContentResponse carry it alike — with
 * the grounding fees its candidates show, counted in the unit of the model that answered (`modelVersion`).
 */
export function geminiUsageOf(response: unknown): NormalizedUsage | null {
  const body = asObject(response);
  if (!body) return null;
  const counts = readGeminiUsageMetadata(body.usageMetadata);
  if (counts === undefined || counts === 'malformed') return null;
  const fees = groundingFeesOf(body.candidates, typeof body.modelVersion === 'string' ? body.modelVersion : undefined);
  const tier = counts.tier ?? (body.sdkHttpResponse === undefined ? undefined : headerTierOf(body));
  return usageFromGeminiCounts(tier === counts.tier ? counts : { ...counts, tier }, fees);
}
