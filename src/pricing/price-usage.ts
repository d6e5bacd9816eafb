import { ceilDiv, MAX_NANOS } from '../core/money.js';
import {
  FEE_KINDS,
  hasModalities,
  MODALITY_BUCKETS,
  MODALITY_FALLBACKS,
  type NormalizedUsage,
  totalInputTokens,
} from '../core/usage.js';
import { type BucketRates, type ModelRates, ratesForInput, type TierScale, tierScale } from './model-rates.js';

const PER_MILLION = 1_000_000n;
const PER_MILLE = 1_000n;

/**
 * Exact cost of a call in nano-USD: Σ tokens × rate over the disjoint buckets at the served tier's scale,
 * rounded up once, plus the per-use fees and the per-request fee (whole nanos already).
 * The tier is chosen on total prompt tokens and applies to the whole request.
 */
export function priceUsage(usage: NormalizedUsage, rates: ModelRates): number {
  const total = tokenCostNanos(usage, rates) + feeNanos(usage, rates);
  return total > MAX_NANOS ? MAX_NANOS : total;
}

/** The part of a call's cost that is per-use fees (server-side tools, grounding) and per-request fees. */
export function feeNanos(usage: NormalizedUsage, rates: ModelRates): number {
  let total = rates.requestNanos ?? 0;
  const fees = usage.fees;
  if (!fees) return total;
  for (const kind of FEE_KINDS) {
    const count = fees[kind];
    if (count) total += count * (rates.fees?.[kind] ?? 0);
  }
  return total > MAX_NANOS ? MAX_NANOS : total;
}

/**
 * True when the usage reports a per-use fee the price data has no rate for: its cost is unknown, and an
 * unknown cost is charged as the hold, never as $0.
 */
export function hasUnpricedFees(usage: NormalizedUsage, rates: ModelRates): boolean {
  const fees = usage.fees;
  if (!fees) return false;
  for (const kind of FEE_KINDS) if (fees[kind] && rates.fees?.[kind] === undefined) return true;
  return false;
}

function tokenCostNanos(usage: NormalizedUsage, rates: ModelRates): number {
  const tier = ratesForInput(rates, totalInputTokens(usage));
  const scale = tierScale(rates, usage.tiers);
  let input =
    usage.inputUncached * tier.input +
    usage.inputCacheRead * tier.cacheRead +
    usage.inputCacheWrite5m * tier.cacheWrite5m +
    usage.inputCacheWrite1h * tier.cacheWrite1h;
  let output = (usage.outputText + usage.outputReasoning) * tier.output;
  if (hasModalities(usage)) {
    for (const bucket of MODALITY_BUCKETS) {
      const tokens = usage[bucket];
      if (!tokens) continue;
      const cost = tokens * modalityRate(tier, bucket);
      if (bucket.startsWith('output')) output += cost;
      else input += cost;
    }
  }
  // Every term and the sum below 2^53 means the float arithmetic above was exact: skip bigint.
  if (scale.inputPermille === 1000 && scale.outputPermille === 1000 && input + output <= MAX_NANOS) {
    return ceilDiv(input + output, 1_000_000);
  }
  return exactTokenCost(usage, tier, scale);
}

function modalityRate(tier: BucketRates, bucket: (typeof MODALITY_BUCKETS)[number]): number {
  return tier.modalities?.[bucket] ?? tier[MODALITY_FALLBACKS[bucket]];
}

/** The same sum in bigint, for products past 2^53 and for scaled tiers (×‰, then one rounding). */
function exactTokenCost(usage: NormalizedUsage, tier: BucketRates, scale: TierScale): number {
  let input =
    BigInt(usage.inputUncached) * BigInt(tier.input) +
    BigInt(usage.inputCacheRead) * BigInt(tier.cacheRead) +
    BigInt(usage.inputCacheWrite5m) * BigInt(tier.cacheWrite5m) +
    BigInt(usage.inputCacheWrite1h) * BigInt(tier.cacheWrite1h);
  let output = BigInt(usage.outputText + usage.outputReasoning) * BigInt(tier.output);
  for (const bucket of MODALITY_BUCKETS) {
    const tokens = usage[bucket];
    if (!tokens) continue;
    const cost = BigInt(tokens) * BigInt(modalityRate(tier, bucket));
    if (bucket.startsWith('output')) output += cost;
    else input += cost;
  }
  const scaled = input * BigInt(scale.inputPermille) + output * BigInt(scale.outputPermille);
  const divisor = PER_MILLION * PER_MILLE;
  const nanos = (scaled + divisor - 1n) / divisor;
  return nanos > BigInt(MAX_NANOS) ? MAX_NANOS : Number(nanos);
}
