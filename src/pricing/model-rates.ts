import type { FeeKind, ModalityBucket } from '../core/usage.js';

/** Rates of one price tier, integer nano-USD per 1M tokens. */
export interface BucketRates {
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  /** Rates of modalities the model prices apart (audio, image, video); a missing one bills at its text rate. */
  modalities?: Readonly<Partial<Record<ModalityBucket, number>>>;
}

/** A tier that prices the whole request once its total prompt tokens pass `aboveInputTokens`. */
export interface RateTier {
  aboveInputTokens: number;
  rates: BucketRates;
}

/** `unknown`: no price is known (a call let through in a tree without budgets, its cost not counted). */
export type PriceOrigin = 'genai-prices' | 'override' | 'unknown';

/** How a service tier or mode scales token rates, per mille (1000 = ×1). */
export interface TierScale {
  inputPermille: number;
  outputPermille: number;
}

export const UNSCALED: Readonly<TierScale> = Object.freeze({ inputPermille: 1000, outputPermille: 1000 });

/** Everything needed to price a call to one model, with where the numbers came from. */
export interface ModelRates {
  /** The id the price entry is known by (after normalisation and snapshot resolution). */
  model: string;
  provider: string;
  base: BucketRates;
  /** Ascending by threshold. */
  tiers: readonly RateTier[];
  origin: PriceOrigin;
  /** The model's largest possible output, when known: the reservation when a request sets no cap. */
  maxOutputTokens: number | undefined;
  /** Integer nano-USD per unit of each per-use fee the model's provider bills (a search, a tool call). */
  fees?: Readonly<Partial<Record<FeeKind, number>>>;
  /** Nano-USD billed per request on top of tokens (a few providers charge per call). */
  requestNanos?: number;
  /** Service tiers and modes by wire name ('priority', 'flex', 'batch', 'fast', 'inference_geo:us'). */
  tierScales?: Readonly<Record<string, TierScale>>;
}

/** The rates that apply to a request with this many prompt tokens (whole request at the tier). */
export function ratesForInput(rates: ModelRates, totalInputTokens: number): BucketRates {
  let applicable = rates.base;
  for (const tier of rates.tiers) {
    if (totalInputTokens > tier.aboveInputTokens) applicable = tier.rates;
  }
  return applicable;
}

/**
 * The combined scale of the tiers and modes a call ran at (they multiply: fast mode in a US-only region
 * is both). A tier the model has no row for leaves the rates as they are.
 */
export function tierScale(rates: ModelRates, tiers: readonly string[] | undefined): TierScale {
  if (!tiers || tiers.length === 0 || !rates.tierScales) return UNSCALED;
  let inputPermille = 1000;
  let outputPermille = 1000;
  let scaled = false;
  for (const tier of tiers) {
    const scale = rates.tierScales[tier];
    if (!scale) continue;
    inputPermille = (inputPermille * scale.inputPermille) / 1000;
    outputPermille = (outputPermille * scale.outputPermille) / 1000;
    scaled = true;
  }
  if (!scaled) return UNSCALED;
  // Products of per-mille factors can leave fractions of a per mille: round up, never under-charge.
  return { inputPermille: Math.ceil(inputPermille), outputPermille: Math.ceil(outputPermille) };
}
