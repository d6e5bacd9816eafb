import {
  calcPrice,
  findProvider,
  type MatchLogic,
  type ModelPrice,
  type PriceCalculation,
  type Provider,
} from '@pydantic/genai-prices';
import { decimalToNanos } from '../core/money.js';
import type { FeeKind, ModalityBucket } from '../core/usage.js';
import { applyExtraRates } from './apply-extra-rates.js';
import type { BucketRates, ModelRates, RateTier } from './model-rates.js';
import { modelMaxOutputTokens } from './model-token-limits.js';
import { modelLookups } from './normalize-model-id.js';
import type { PriceSource } from './price-source.js';

/** The version of the bundled price data; recorded with every priced call. */
export const GENAI_PRICES_VERSION = '@pydantic/genai-prices@0.1.8';

/** When the bundled price data was published (npm, @pydantic/genai-prices 0.1.8): its age drives a warning. */
export const BUNDLED_PRICE_DATA_DATE = '2026-09-23';

/** The price dataset's types, for the modules that read its data files (this file alone imports the package). */
export type { MatchLogic as GenaiMatchLogic, Provider as GenaiProvider };

type PriceValue = ModelPrice[string];

/** (dataset provider id or '' for any, model id, request start) → the dataset's price entry, or null. */
export type PriceLookup = (provider: string, model: string, at: Date) => PriceCalculation | null;

/** The usage priced to find an entry: only the matched entry and its price are read, not the total. */
const PROBE_USAGE = { input_tokens: 1 };

/** A lookup in the bundled data (no network). */
export const bundledLookup: PriceLookup = (provider, model, at) =>
  calcPrice(PROBE_USAGE, model, provider ? { providerId: provider, timestamp: at } : { timestamp: at });

/** The provider alone: `calcPrice` would look its fallback providers up in the BUNDLED data, not in ours. */
function withoutFallbacks(provider: Provider): Provider {
  const { fallback_model_providers: _fallbacks, ...own } = provider;
  return own;
}

/** The price entry at exactly this provider object (its models, none of its fallbacks). */
export function lookupAt(provider: Provider, model: string, at: Date): PriceCalculation | null {
  try {
    return calcPrice(PROBE_USAGE, model, { provider: withoutFallbacks(provider), timestamp: at });
  } catch {
    // A malformed entry in a downloaded file (a bad constraint or price) is a miss, never a crash.
    return null;
  }
}

/** The bundled dataset's provider whose API pattern matches a base URL (`https://router.huggingface.co/…`). */
export function datasetProviderOfUrl(baseURL: string): string | undefined {
  return findProvider({ providerApiUrl: baseURL })?.id;
}

function toNanos(value: number | undefined): number | undefined {
  return value === undefined ? undefined : (decimalToNanos(value, 'ceil') ?? undefined);
}

function priceAt(value: PriceValue, threshold: number | null): number | undefined {
  if (value === undefined || typeof value === 'number') return toNanos(value);
  let price = value.base;
  if (threshold !== null) {
    for (const tier of value.tiers) if (threshold >= tier.start) price = tier.price;
  }
  return toNanos(price);
}

/** The dataset's price keys of the modalities it prices apart, by our bucket. */
const MODALITY_PRICE_KEYS: ReadonlyArray<readonly [ModalityBucket, string]> = [
  ['inputAudio', 'input_audio_mtok'],
  ['inputAudioCacheRead', 'cache_audio_read_mtok'],
  ['inputImage', 'input_image_mtok'],
  ['inputImageCacheRead', 'cache_image_read_mtok'],
  ['inputVideo', 'input_video_mtok'],
  ['inputVideoCacheRead', 'cache_video_read_mtok'],
  ['outputAudio', 'output_audio_mtok'],
  ['outputImage', 'output_image_mtok'],
];

function modalityRates(price: ModelPrice, threshold: number | null): BucketRates['modalities'] {
  let modalities: Partial<Record<ModalityBucket, number>> | undefined;
  for (const [bucket, key] of MODALITY_PRICE_KEYS) {
    const rate = priceAt(price[key], threshold);
    if (rate === undefined) continue;
    modalities ??= {};
    modalities[bucket] = rate;
  }
  return modalities;
}

const FREE: Readonly<BucketRates> = Object.freeze({
  input: 0,
  cacheRead: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  output: 0,
});

function bucketRates(price: ModelPrice, threshold: number | null): BucketRates | null {
  const input = priceAt(price.input_mtok, threshold);
  const output = priceAt(price.output_mtok, threshold);
  if (input === undefined && output === undefined) {
    // An entry with no price at all is the dataset saying free (OpenRouter's `:free` models): a real $0. One that
    // prices only other units (images, seconds) stays unknown: we cannot price it, and unknown is never $0.
    return Object.values(price).every((value) => value === undefined) ? { ...FREE } : null;
  }
  const inputRate = input ?? 0;
  const cacheWrite5m = priceAt(price.cache_write_5m_mtok ?? price.cache_write_mtok, threshold) ?? inputRate;
  const rates: BucketRates = {
    input: inputRate,
    cacheRead: priceAt(price.cache_read_mtok, threshold) ?? inputRate,
    cacheWrite5m,
    cacheWrite1h: priceAt(price.cache_write_1h_mtok, threshold) ?? cacheWrite5m,
    output: output ?? 0,
  };
  const modalities = modalityRates(price, threshold);
  if (modalities) rates.modalities = modalities;
  return rates;
}

/** The dataset's per-1,000 fee keys, by our fee kind (storage searches are OpenAI's file search calls). */
const FEE_PRICE_KEYS: ReadonlyArray<readonly [FeeKind, string]> = [
  ['webSearch', 'web_searches_kcount'],
  ['fileSearch', 'storage_searches_kcount'],
  ['codeExecution', 'code_executions_kcount'],
];

/** USD per 1,000 units → nano-USD per unit. */
function perThousandToNanos(value: PriceValue): number | undefined {
  const perThousand = priceAt(value, null);
  return perThousand === undefined ? undefined : Math.ceil(perThousand / 1000);
}

function tierThresholds(price: ModelPrice): number[] {
  const starts = new Set<number>();
  for (const value of Object.values(price)) {
    if (value !== undefined && typeof value !== 'number') for (const tier of value.tiers) starts.add(tier.start);
  }
  return [...starts].sort((a, b) => a - b);
}

function toModelRates(calculation: PriceCalculation, requested: string): ModelRates | null {
  const base = bucketRates(calculation.model_price, null);
  if (!base) return null;
  const tiers: RateTier[] = [];
  for (const threshold of tierThresholds(calculation.model_price)) {
    const rates = bucketRates(calculation.model_price, threshold);
    if (rates) tiers.push({ aboveInputTokens: threshold, rates });
  }
  const rates: ModelRates = {
    model: calculation.model.id,
    provider: calculation.provider.id,
    base,
    tiers,
    origin: 'genai-prices',
    maxOutputTokens: modelMaxOutputTokens(requested, calculation.model.id),
  };
  const requestNanos = perThousandToNanos(calculation.model_price.requests_kcount);
  if (requestNanos) rates.requestNanos = requestNanos;
  const datasetFees: Partial<Record<FeeKind, number>> = {};
  for (const [fee, key] of FEE_PRICE_KEYS) {
    const nanos = perThousandToNanos(calculation.model_price[key]);
    if (nanos !== undefined) datasetFees[fee] = nanos;
  }
  return applyExtraRates(rates, datasetFees);
}

/** A cached entry: rates, null (unknown), or for prices that change by date or time of day, how to re-price. */
type Cached = ModelRates | null | ((at: Date) => ModelRates | null);

function resolveUncached(lookup: PriceLookup, provider: string, model: string, at: Date): Cached {
  for (const candidate of modelLookups(provider, model)) {
    const calculation = lookup(candidate.provider, candidate.model, at);
    if (!calculation) continue;
    const rates = toModelRates(calculation, model);
    if (!Array.isArray(calculation.model.prices)) return rates;
    // Re-priced at every request start, against the matched entry alone: no provider or model search per call.
    const matched = { ...calculation.provider, models: [calculation.model] };
    return (when: Date) => {
      const again = lookupAt(matched, candidate.model, when);
      return again ? toModelRates(again, model) : null;
    };
  }
  return null;
}

/**
 * Prices from `@pydantic/genai-prices`: the bundled data (no network), or `lookup` over a newer data file. Lookups
 * are cached per provider and model; models whose price depends on the date or time of day are re-priced for every
 * request start. Aggregator ids resolve as `modelLookups` describes.
 */
export function createGenaiPricesSource(lookup: PriceLookup = bundledLookup): PriceSource {
  // Provider → model → rates: two lookups on strings whose hashes are already cached, no key building.
  const cache = new Map<string, Map<string, Cached>>();
  return {
    resolve(provider, model, at) {
      let byModel = cache.get(provider);
      if (!byModel) {
        byModel = new Map();
        cache.set(provider, byModel);
      }
      let cached = byModel.get(model);
      if (cached === undefined) {
        // An empty provider matches the model at any provider (the CLI's `prices` without --provider).
        cached = resolveUncached(lookup, provider, model, at);
        byModel.set(model, cached);
      }
      return typeof cached === 'function' ? cached(at) : cached;
    },
  };
}
