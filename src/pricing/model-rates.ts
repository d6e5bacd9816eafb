/** Rates of one price tier, integer nano-USD per 1M tokens. */
export interface BucketRates {
  input: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
}

/** A tier that prices the whole request once its total prompt tokens pass `aboveInputTokens`. */
export interface RateTier {
  aboveInputTokens: number;
  rates: BucketRates;
}

export type PriceOrigin = 'genai-prices' | 'override';

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
}

/** The rates that apply to a request with this many prompt tokens (whole request at the tier). */
export function ratesForInput(rates: ModelRates, totalInputTokens: number): BucketRates {
  let applicable = rates.base;
  for (const tier of rates.tiers) {
    if (totalInputTokens > tier.aboveInputTokens) applicable = tier.rates;
  }
  return applicable;
}
