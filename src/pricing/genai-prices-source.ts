import { calcPrice, type ModelPrice, type PriceCalculation } from '@pydantic/genai-prices';
import { decimalToNanos } from '../core/money.js';
import type { FeeKind, ModalityBucket } from '../core/usage.js';
import { applyExtraRates } from './apply-extra-rates.js';
import type { BucketRates, ModelRates, RateTier } from './model-rates.js';
import { modelMaxOutputTokens } from './model-token-limits.js';
import { normalizeModelId } from './normalize-model-id.js';
import type { PriceSource } from './price-source.js';

/** The version of the bundled price data; recorded with every priced call. */
export const GENAI_PRICES_VERSION = '@pydantic/genai-prices@0.1.8';

type PriceValue = ModelPrice[string];

const PROBE_USAGE = { input_tokens: 1 };

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

function bucketRates(price: ModelPrice, threshold: number | null): BucketRates | null {
  const input = priceAt(price.input_mtok, threshold);
  const output = priceAt(price.output_mtok, threshold);
  if (input === undefined && output === undefined) return null;
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

/**
 * Prices from `@pydantic/genai-prices` (bundled data, no network). Lookups are cached per provider and
 * model; models whose price depends on the date or time of day are re-resolved for every request start.
 */
export function createGenaiPricesSource(): PriceSource {
  // Provider → model → rates: two lookups on strings whose hashes are already cached, no key building.
  const cache = new Map<string, Map<string, ModelRates | null>>();
  return {
    resolve(provider, model, at) {
      let byModel = cache.get(provider);
      if (!byModel) {
        byModel = new Map();
        cache.set(provider, byModel);
      }
      const cached = byModel.get(model);
      if (cached !== undefined) return cached;
      const id = normalizeModelId(model);
      // An empty provider matches the model at any provider (the CLI's `prices` without --provider).
      const calculation = calcPrice(
        PROBE_USAGE,
        id,
        provider ? { providerId: provider, timestamp: at } : { timestamp: at },
      );
      const rates = calculation ? toModelRates(calculation, model) : null;
      if (!calculation || !Array.isArray(calculation.model.prices)) byModel.set(model, rates);
      return rates;
    },
  };
}
