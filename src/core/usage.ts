/**
 * The one normalized usage model: disjoint buckets, every billed token in exactly one of them, and the
 * per-use fees a call incurred beside its tokens. Provider adapters map their wire shape onto it; nothing
 * else knows a provider's field names.
 */
export interface TokenBuckets {
  /** Prompt tokens neither read from nor written to a cache (text, and any modality not split out). */
  inputUncached: number;
  /** Prompt tokens read from a cache. */
  inputCacheRead: number;
  /** Prompt tokens written to a 5-minute cache (Anthropic's default TTL). */
  inputCacheWrite5m: number;
  /** Prompt tokens written to a 1-hour cache. */
  inputCacheWrite1h: number;
  /** Visible output tokens. */
  outputText: number;
  /** Reasoning / thinking tokens (billed at the output rate). */
  outputReasoning: number;
}

/**
 * Tokens of a modality the provider reports apart, carved out of the text buckets (never counted in
 * both). Absent or 0 when the provider did not split them out.
 */
export interface ModalityBuckets {
  inputAudio?: number;
  inputAudioCacheRead?: number;
  inputImage?: number;
  inputImageCacheRead?: number;
  inputVideo?: number;
  inputVideoCacheRead?: number;
  outputAudio?: number;
  outputImage?: number;
}

export type ModalityBucket = keyof ModalityBuckets;

/** Every modality bucket, with the token bucket whose rate applies when the model has no rate of its own. */
export const MODALITY_FALLBACKS: Readonly<Record<ModalityBucket, 'input' | 'cacheRead' | 'output'>> = Object.freeze({
  inputAudio: 'input',
  inputAudioCacheRead: 'cacheRead',
  inputImage: 'input',
  inputImageCacheRead: 'cacheRead',
  inputVideo: 'input',
  inputVideoCacheRead: 'cacheRead',
  outputAudio: 'output',
  outputImage: 'output',
});

export const MODALITY_BUCKETS = Object.keys(MODALITY_FALLBACKS) as readonly ModalityBucket[];

/** A server-side tool or grounding charge, counted per unit. */
export type FeeKind = 'webSearch' | 'webFetch' | 'fileSearch' | 'codeExecution' | 'googleSearch' | 'googleMaps';

export const FEE_KINDS: readonly FeeKind[] = Object.freeze([
  'webSearch',
  'webFetch',
  'fileSearch',
  'codeExecution',
  'googleSearch',
  'googleMaps',
]);

/** Units of each per-use fee a call incurred (searches, tool calls, container sessions, grounded prompts). */
export type FeeCounts = Readonly<Partial<Record<FeeKind, number>>>;

export interface NormalizedUsage extends TokenBuckets, ModalityBuckets {
  /** Per-use fees; absent when the call used no billed server-side tool. */
  fees?: FeeCounts;
  /**
   * Service tiers and modes the provider says it served the call at ('priority', 'flex', 'batch',
   * 'fast', 'inference_geo:us'); they scale the token rates. Absent: the standard tier.
   */
  tiers?: readonly string[];
}

export const EMPTY_USAGE: Readonly<NormalizedUsage> = Object.freeze({
  inputUncached: 0,
  inputCacheRead: 0,
  inputCacheWrite5m: 0,
  inputCacheWrite1h: 0,
  outputText: 0,
  outputReasoning: 0,
});

function modalityTokens(usage: ModalityBuckets, direction: 'input' | 'output'): number {
  let total = 0;
  for (const bucket of MODALITY_BUCKETS) {
    const tokens = usage[bucket];
    if (tokens && bucket.startsWith(direction)) total += tokens;
  }
  return total;
}

export function totalInputTokens(usage: NormalizedUsage): number {
  const text = usage.inputUncached + usage.inputCacheRead + usage.inputCacheWrite5m + usage.inputCacheWrite1h;
  return hasModalities(usage) ? text + modalityTokens(usage, 'input') : text;
}

export function totalOutputTokens(usage: NormalizedUsage): number {
  const text = usage.outputText + usage.outputReasoning;
  return hasModalities(usage) ? text + modalityTokens(usage, 'output') : text;
}

/** True when any modality bucket is set (the common text-only call skips the modality loops). */
export function hasModalities(usage: ModalityBuckets): boolean {
  return (
    usage.inputAudio !== undefined ||
    usage.inputAudioCacheRead !== undefined ||
    usage.inputImage !== undefined ||
    usage.inputImageCacheRead !== undefined ||
    usage.inputVideo !== undefined ||
    usage.inputVideoCacheRead !== undefined ||
    usage.outputAudio !== undefined ||
    usage.outputImage !== undefined
  );
}

/**
 * A non-negative integer token count from a wire value. Missing (undefined / null) is 0; anything else
 * that is not a safe non-negative integer (negative, fractional, a string, NaN, absurd) makes the whole
 * usage untrustworthy, which the caller learns from `isValidTokenCount` and charges as unknown.
 */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** More tokens than any model reads or writes in one call: a count above it is garbage, not usage. */
export const MAX_PLAUSIBLE_TOKENS = 100_000_000;

/** A wire token field that is absent or a plausible non-negative integer. */
export function isValidTokenCount(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_PLAUSIBLE_TOKENS)
  );
}

/** Drops empty modality buckets and fees so a text-only answer stays on the fast path and records stay small. */
export function withExtras(
  usage: NormalizedUsage,
  modalities: ModalityBuckets,
  fees: Partial<Record<FeeKind, number>> | undefined,
  tiers: readonly string[] | undefined,
): NormalizedUsage {
  const result: NormalizedUsage = { ...usage };
  for (const bucket of MODALITY_BUCKETS) {
    const tokens = modalities[bucket];
    if (tokens) result[bucket] = tokens;
  }
  if (fees) {
    const counted: Partial<Record<FeeKind, number>> = {};
    let any = false;
    for (const kind of FEE_KINDS) {
      const count = fees[kind];
      if (count) {
        counted[kind] = count;
        any = true;
      }
    }
    if (any) result.fees = counted;
  }
  if (tiers && tiers.length > 0) result.tiers = tiers;
  return result;
}
