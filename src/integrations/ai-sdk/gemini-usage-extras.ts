import { type ModalityBuckets, tokenCount } from '../../core/usage.js';
import { groundingFeesOf } from '../../providers/google-genai/gemini-grounding-tally.js';
import { asObject } from '../../providers/read-json.js';
import { tierName } from './ai-sdk-requested-tiers.js';
import type { FeeUnits, UsageExtras } from './ai-sdk-usage-extras.js';

type Modality = 'AUDIO' | 'IMAGE' | 'VIDEO';
const MODALITIES: readonly Modality[] = ['AUDIO', 'IMAGE', 'VIDEO'];

/** Tokens by modality of a Gemini `*TokensDetails` list (`[{ modality: 'AUDIO', tokenCount: 400 }]`). */
function byModality(details: unknown): Record<Modality, number> | undefined {
  if (!Array.isArray(details)) return undefined;
  let counts: Record<Modality, number> | undefined;
  for (const entry of details) {
    const detail = asObject(entry);
    const modality = detail?.modality;
    if (modality !== 'AUDIO' && modality !== 'IMAGE' && modality !== 'VIDEO') continue;
    counts ??= { AUDIO: 0, IMAGE: 0, VIDEO: 0 };
    counts[modality] += tokenCount(detail?.tokenCount);
  }
  return counts;
}

const INPUT: Readonly<Record<Modality, keyof ModalityBuckets>> = {
  AUDIO: 'inputAudio',
  IMAGE: 'inputImage',
  VIDEO: 'inputVideo',
};
const CACHED: Readonly<Record<Modality, keyof ModalityBuckets>> = {
  AUDIO: 'inputAudioCacheRead',
  IMAGE: 'inputImageCacheRead',
  VIDEO: 'inputVideoCacheRead',
};

/**
 * Modality buckets of Gemini `usageMetadata`: `promptTokensDetails` (the whole prompt, cached part included),
 * `cacheTokensDetails` (the cached part), `candidatesTokensDetails` (audio and image output).
 */
function geminiModalities(usage: Record<string, unknown>): ModalityBuckets | undefined {
  const prompt = byModality(usage.promptTokensDetails);
  const cached = byModality(usage.cacheTokensDetails);
  const output = byModality(usage.candidatesTokensDetails);
  if (!prompt && !cached && !output) return undefined;
  const buckets: ModalityBuckets = {};
  for (const modality of MODALITIES) {
    const read = cached?.[modality] ?? 0;
    const uncached = Math.max(0, (prompt?.[modality] ?? 0) - read);
    if (uncached > 0) buckets[INPUT[modality]] = uncached;
    if (read > 0) buckets[CACHED[modality]] = read;
  }
  if (output?.AUDIO) buckets.outputAudio = output.AUDIO;
  if (output?.IMAGE) buckets.outputImage = output.IMAGE;
  return buckets;
}

interface Grounding {
  search: boolean;
  maps: boolean;
}

/**
 * Grounding fees of the requests behind one answer (`groundingMetadataPerRequest` when `@ai-sdk/google`
 * continued it, else `groundingMetadata`), each counted as the Gemini adapter counts a response, for the
 * grounding tools the request enabled only.
 */
function groundingFees(metadata: Record<string, unknown>, model: string, grounding: Grounding): FeeUnits | undefined {
  const perRequest = Array.isArray(metadata.groundingMetadataPerRequest)
    ? metadata.groundingMetadataPerRequest
    : [metadata.groundingMetadata];
  let search = 0;
  let maps = 0;
  for (const value of perRequest) {
    const fees = groundingFeesOf([{ groundingMetadata: value }], model);
    if (grounding.search) search += fees?.googleSearch ?? 0;
    if (grounding.maps) maps += fees?.googleMaps ?? 0;
  }
  if (search === 0 && maps === 0) return undefined;
  return { ...(search > 0 && { googleSearch: search }), ...(maps > 0 && { googleMaps: maps }) };
}

/**
 * Modalities, grounding fees and the served tier of a Gemini answer: `usageMetadata` (V3 `usage.raw`, or
 * `providerMetadata.google.usageMetadata`) and `providerMetadata.google` (`groundingMetadata`,
 * `serviceTier`). Grounding is counted only for the grounding tools the request enabled.
 * Grounding and the tier sit in provider metadata, outside the `usageMetadata` the Gemini normalizer
 * reads; the modalities matter where the tokens come from the AI SDK's own counts (else the normalizer's win).
 */
export function geminiUsageExtras(
  usage: Record<string, unknown>,
  metadata: Record<string, unknown> | undefined,
  model: string,
  grounding: Grounding,
): UsageExtras {
  const reported = usage.serviceTier ?? usage.trafficType ?? metadata?.serviceTier;
  const served = typeof reported === 'string' ? tierName(reported) : undefined;
  const modalities = geminiModalities(usage);
  const fees = metadata && (grounding.search || grounding.maps) ? groundingFees(metadata, model, grounding) : undefined;
  return {
    tiers: typeof reported === 'string' ? (served === undefined ? [] : [served]) : undefined,
    ...(modalities && { modalities }),
    ...(fees && { fees }),
  };
}
