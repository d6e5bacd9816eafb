import { MAX_NANOS, mulDivCeil } from '../core/money.js';
import { FEE_KINDS, type FeeKind, MODALITY_BUCKETS } from '../core/usage.js';
import { type BucketRates, type ModelRates, type TierScale, tierScale } from './model-rates.js';

export type CacheWriteTtl = '5m' | '1h';

export interface WorstCaseInput {
  /** An upper bound of the prompt tokens. */
  inputTokens: number;
  /** The output cap of the request, times the number of choices. */
  outputTokens: number;
  /** The longest cache TTL the request writes with, if it writes to a cache. */
  cacheWrite?: CacheWriteTtl | undefined;
  /** The prompt carries audio, images, video or documents: their input rates may apply. */
  media?: boolean | undefined;
  /** Service tiers and modes the request asks for ('priority', 'fast', ...). */
  tiers?: readonly string[] | undefined;
  /** The most units of each per-use fee the request can incur (server-side tool calls at their caps). */
  feeUses?: Readonly<Partial<Record<FeeKind, number>>> | undefined;
}

const PER_MILLION_PER_MILLE = 1_000_000_000;

/** The dearest rate any prompt token of this request can be billed at (a cache read never costs more, in data seen). */
function worstInputRate(tier: BucketRates, request: WorstCaseInput): number {
  let rate = Math.max(tier.input, tier.cacheRead);
  if (request.cacheWrite) rate = Math.max(rate, tier.cacheWrite5m);
  if (request.cacheWrite === '1h') rate = Math.max(rate, tier.cacheWrite1h);
  if (request.media && tier.modalities) {
    for (const bucket of MODALITY_BUCKETS) {
      const modalityRate = tier.modalities[bucket];
      if (modalityRate !== undefined && bucket.startsWith('input')) rate = Math.max(rate, modalityRate);
    }
  }
  return rate;
}

/** The dearest rate any output token can be billed at: a model that can answer in audio or images may. */
function worstOutputRate(tier: BucketRates): number {
  let rate = tier.output;
  if (tier.modalities) {
    for (const bucket of MODALITY_BUCKETS) {
      const modalityRate = tier.modalities[bucket];
      if (modalityRate !== undefined && bucket.startsWith('output')) rate = Math.max(rate, modalityRate);
    }
  }
  return rate;
}

/** The most the request's per-use fees and the per-request fee can come to. */
export function worstCaseFees(rates: ModelRates, request: WorstCaseInput): number {
  let total = rates.requestNanos ?? 0;
  const uses = request.feeUses;
  if (uses) {
    for (const kind of FEE_KINDS) {
      const count = uses[kind];
      if (count) total += count * (rates.fees?.[kind] ?? 0);
    }
  }
  return Math.min(total, MAX_NANOS);
}

/**
 * Upper bound of a call's cost in nano-USD: no cache-read discount, the dearest input and output rates
 * the request can incur (a cache write costs more than input; audio or image tokens may cost more than
 * text), the tier its prompt bound falls in, the asked service tier's scale, the full output cap, and
 * every per-use fee at its cap.
 */
export function estimateWorstCase(rates: ModelRates, request: WorstCaseInput): number {
  const scale = reservationScale(rates, request.tiers);
  const total =
    scaledCost(request.inputTokens, worstRate(rates, request, worstInputRate), scale.inputPermille) +
    scaledCost(request.outputTokens, worstRate(rates, request, worstOutputRate), scale.outputPermille) +
    worstCaseFees(rates, request);
  return Math.min(total, MAX_NANOS);
}

/** ⌈tokens × rate × ‰ / 10⁹⌉; the unscaled case stays on the float fast path (its product rarely passes 2⁵³). */
function scaledCost(tokens: number, ratePerMillion: number, permille: number): number {
  if (permille === 1000) return mulDivCeil(tokens, ratePerMillion, 1_000_000);
  return mulDivCeil(tokens, ratePerMillion * permille, PER_MILLION_PER_MILLE);
}

/**
 * The asked tier's scale, never below the standard rate: a provider may serve a request at another tier
 * than asked (OpenAI: the served tier "may be different"), so an asked-for discount is not reserved.
 */
function reservationScale(rates: ModelRates, tiers: readonly string[] | undefined): TierScale {
  const scale = tierScale(rates, tiers);
  if (scale.inputPermille >= 1000 && scale.outputPermille >= 1000) return scale;
  return { inputPermille: Math.max(scale.inputPermille, 1000), outputPermille: Math.max(scale.outputPermille, 1000) };
}

/**
 * The dearest rate over every long-context tier the prompt can fall in: its bound may cross a threshold
 * the real prompt stays below, so the base rates count too (they are cheaper in all data seen, but the
 * bound should not depend on that).
 */
function worstRate(
  rates: ModelRates,
  request: WorstCaseInput,
  rateOf: (tier: BucketRates, request: WorstCaseInput) => number,
): number {
  let rate = rateOf(rates.base, request);
  for (const tier of rates.tiers) {
    if (request.inputTokens > tier.aboveInputTokens) rate = Math.max(rate, rateOf(tier.rates, request));
  }
  return rate;
}

/** The largest output cap whose worst case fits `headroomNanos` next to the given prompt bound and fees. */
export function affordableOutputTokens(rates: ModelRates, request: WorstCaseInput, headroomNanos: number): number {
  const inputOnly = estimateWorstCase(rates, { ...request, outputTokens: 0 });
  const left = headroomNanos - inputOnly;
  const outputRate = worstRate(rates, request, worstOutputRate) * reservationScale(rates, request.tiers).outputPermille;
  if (left <= 0) return 0;
  if (outputRate === 0) return Number.MAX_SAFE_INTEGER;
  // ⌈tokens × rate‰ / 1e9⌉ ≤ left  ⇔  tokens ≤ left × 1e9 / rate‰
  const tokens = (BigInt(left) * BigInt(PER_MILLION_PER_MILLE)) / BigInt(outputRate);
  return tokens > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(tokens);
}
