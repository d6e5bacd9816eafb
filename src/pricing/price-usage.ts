import { MAX_NANOS } from '../core/money.js';
import { type NormalizedUsage, totalInputTokens } from '../core/usage.js';
import { type ModelRates, ratesForInput } from './model-rates.js';

const PER_MILLION = 1_000_000n;

/**
 * Exact cost of a call in nano-USD: Σ tokens × rate over the disjoint buckets, rounded up once.
 * The tier is chosen on total prompt tokens and applies to the whole request.
 */
export function priceUsage(usage: NormalizedUsage, rates: ModelRates): number {
  const tier = ratesForInput(rates, totalInputTokens(usage));
  const microNanos =
    BigInt(usage.inputUncached) * BigInt(tier.input) +
    BigInt(usage.inputCacheRead) * BigInt(tier.cacheRead) +
    BigInt(usage.inputCacheWrite5m) * BigInt(tier.cacheWrite5m) +
    BigInt(usage.inputCacheWrite1h) * BigInt(tier.cacheWrite1h) +
    BigInt(usage.outputText + usage.outputReasoning) * BigInt(tier.output);
  const nanos = (microNanos + PER_MILLION - 1n) / PER_MILLION;
  return nanos > BigInt(MAX_NANOS) ? MAX_NANOS : Number(nanos);
}
