import { isValidTokenCount, tokenCount } from '../../core/usage.js';
import { asObject } from '../read-json.js';

/** Tokens of the modalities Gemini prices apart from text, in one `…TokensDetails` list. */
export interface MediaCounts {
  audio: number;
  image: number;
  video: number;
}

/**
 * The counts of one Gemini `usageMetadata`, checked. `prompt` is undefined when the field is missing
 * (a stream chunk may leave it out; the response as a whole must carry it). Every other missing count is 0.
 */
export interface GeminiUsageCounts {
  prompt: number | undefined;
  cached: number;
  candidates: number;
  thoughts: number;
  toolUse: number;
  promptMedia: MediaCounts;
  cachedMedia: MediaCounts;
  candidatesMedia: MediaCounts;
  toolUseMedia: MediaCounts;
  /** The service tier the response says it was served at ('flex', 'priority'); undefined: standard. */
  tier: string | undefined;
}

const NO_MEDIA: Readonly<MediaCounts> = Object.freeze({ audio: 0, image: 0, video: 0 });

/**
 * The media counts of a `ModalityTokenCount[]`. TEXT, DOCUMENT (billed at the text rate) and modalities
 * this code does not know stay in the text buckets, so they are never lost, only priced as text.
 * Undefined when the list is there but malformed.
 */
function readMedia(value: unknown): MediaCounts | undefined {
  if (value === undefined || value === null) return NO_MEDIA;
  if (!Array.isArray(value)) return undefined;
  let media: MediaCounts | undefined;
  for (const item of value) {
    const entry = asObject(item);
    if (!entry || !isValidTokenCount(entry.tokenCount)) return undefined;
    const tokens = tokenCount(entry.tokenCount);
    if (tokens === 0) continue;
    const bucket =
      entry.modality === 'AUDIO'
        ? 'audio'
        : entry.modality === 'IMAGE'
          ? 'image'
          : entry.modality === 'VIDEO'
            ? 'video'
            : undefined;
    if (!bucket) continue;
    media ??= { ...NO_MEDIA };
    // A modality listed twice is summed: each entry is tokens the provider counted.
    media[bucket] += tokens;
  }
  return media ?? NO_MEDIA;
}

/** `usageMetadata.serviceTier` (Gemini API) or `trafficType` (Vertex AI) as a tier name; undefined: standard. */
function readTier(usage: Record<string, unknown>): string | undefined {
  if (typeof usage.serviceTier === 'string') return tierName(usage.serviceTier);
  if (usage.trafficType === 'ON_DEMAND_PRIORITY') return 'priority';
  if (usage.trafficType === 'ON_DEMAND_FLEX') return 'flex';
  return undefined;
}

/** A served tier as the wire names it (`flex`, `FLEX`, `SERVICE_TIER_FLEX`); the standard tier is none. */
export function tierName(value: string): string | undefined {
  const name = value.toLowerCase().replace(/^service_tier_/, '');
  return name === 'flex' || name === 'priority' ? name : undefined;
}

const COUNT_FIELDS = [
  'promptTokenCount',
  'cachedContentTokenCount',
  'candidatesTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
] as const;

/**
 * Reads `usageMetadata`: undefined when there is none, 'malformed' when any count it reads is present
 * but not a plausible token count (negative, fractional, a string, NaN, absurd) — an unknown cost, never 0.
 */
export function readGeminiUsageMetadata(raw: unknown): GeminiUsageCounts | 'malformed' | undefined {
  const usage = asObject(raw);
  if (!usage) return raw === undefined || raw === null ? undefined : 'malformed';
  for (const field of COUNT_FIELDS) if (!isValidTokenCount(usage[field])) return 'malformed';
  const promptMedia = readMedia(usage.promptTokensDetails);
  const cachedMedia = readMedia(usage.cacheTokensDetails);
  const candidatesMedia = readMedia(usage.candidatesTokensDetails);
  const toolUseMedia = readMedia(usage.toolUsePromptTokensDetails);
  if (!promptMedia || !cachedMedia || !candidatesMedia || !toolUseMedia) return 'malformed';
  return {
    prompt:
      usage.promptTokenCount === undefined || usage.promptTokenCount === null
        ? undefined
        : tokenCount(usage.promptTokenCount),
    cached: tokenCount(usage.cachedContentTokenCount),
    candidates: tokenCount(usage.candidatesTokenCount),
    thoughts: tokenCount(usage.thoughtsTokenCount),
    toolUse: tokenCount(usage.toolUsePromptTokenCount),
    promptMedia,
    cachedMedia,
    candidatesMedia,
    toolUseMedia,
    tier: readTier(usage),
  };
}

function maxMedia(a: MediaCounts, b: MediaCounts): MediaCounts {
  if (a === b) return a;
  return { audio: Math.max(a.audio, b.audio), image: Math.max(a.image, b.image), video: Math.max(a.video, b.video) };
}

/**
 * Two running totals of one stream taken together: the larger of each count, field by field, so a late
 * chunk that leaves a field or a modality out loses nothing (chunks are totals so far, never summed).
 */
export function mergeGeminiUsageCounts(a: GeminiUsageCounts, b: GeminiUsageCounts): GeminiUsageCounts {
  return {
    prompt: a.prompt === undefined ? b.prompt : b.prompt === undefined ? a.prompt : Math.max(a.prompt, b.prompt),
    cached: Math.max(a.cached, b.cached),
    candidates: Math.max(a.candidates, b.candidates),
    thoughts: Math.max(a.thoughts, b.thoughts),
    toolUse: Math.max(a.toolUse, b.toolUse),
    promptMedia: maxMedia(a.promptMedia, b.promptMedia),
    cachedMedia: maxMedia(a.cachedMedia, b.cachedMedia),
    candidatesMedia: maxMedia(a.candidatesMedia, b.candidatesMedia),
    toolUseMedia: maxMedia(a.toolUseMedia, b.toolUseMedia),
    tier: b.tier ?? a.tier,
  };
}
