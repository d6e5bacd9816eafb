import { ceilDiv, MAX_NANOS } from '../core/money.js';
import { type NormalizedUsage, totalInputTokens } from '../core/usage.js';
import { type ModelRates, ratesForInput } from './model-rates.js';

const PER_MILLION = 1_000_000n;

/**
 * Exact cost of a call in nano-USD: Σ tokens × rate over the disjoint buckets, rounded up once.
 * The tier is chosen on total prompt tokens and applies to the whole request.
 */
export function priceUsage(usage: NormalizedUsage, rates: ModelRates): number {
  const tier = ratesForInput(rates, totalInputTokens(usage));
  const output = usage.outputText + usage.outputReasoning;
  const sum =
    usage.inputUncached * tier.input +
    usage.inputCacheRead * tier.cacheRead +
    usage.inputCacheWrite5m * tier.cacheWrite5m +
    usage.inputCacheWrite1h * tier.cacheWrite1h +
    output * tier.output;
  // Every term and the sum below 2^53 means the float arithmetic above was exact: skip bigint.
  if (sum <= MAX_NANOS) return ceilDiv(sum, 1_000_000);
  const microNanos =
    BigInt(usage.inputUncached) * BigInt(tier.input) +
    BigInt(usage.inputCacheRead) * BigInt(tier.cacheRead) +
    BigInt(usage.inputCacheWrite5m) * BigInt(tier.cacheWrite5m) +
    BigInt(usage.inputCacheWrite1h) * BigInt(tier.cacheWrite1h) +
    BigInt(output) * BigInt(tier.output);
  const nanos = (microNanos + PER_MILLION - 1n) / PER_MILLION;
  return nanos > BigInt(MAX_NANOS) ? MAX_NANOS : Number(nanos);
}
