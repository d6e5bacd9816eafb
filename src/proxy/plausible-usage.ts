import { FEE_KINDS, hasModalities, isValidTokenCount, MODALITY_BUCKETS, type NormalizedUsage } from '../core/usage.js';

/**
 * True when every count in the usage is a plausible token or use count (a safe integer, 0 to 1e8). The
 * adapters already return null for malformed usage; this is the last line before pricing, so a count an
 * adapter let through (NaN, negative, 1e300) is charged as unknown — the hold — and never priced as $0,
 * a negative refund or NaN. Text-only usage costs six checks.
 */
export function isPlausibleUsage(usage: NormalizedUsage): boolean {
  if (
    !isCount(usage.inputUncached) ||
    !isCount(usage.inputCacheRead) ||
    !isCount(usage.inputCacheWrite5m) ||
    !isCount(usage.inputCacheWrite1h) ||
    !isCount(usage.outputText) ||
    !isCount(usage.outputReasoning)
  ) {
    return false;
  }
  if (hasModalities(usage)) for (const bucket of MODALITY_BUCKETS) if (!isValidTokenCount(usage[bucket])) return false;
  const fees = usage.fees;
  if (fees) for (const kind of FEE_KINDS) if (!isValidTokenCount(fees[kind])) return false;
  return true;
}

/** A required bucket: a number, unlike the optional ones `isValidTokenCount` also lets be absent. */
function isCount(value: number): boolean {
  return typeof value === 'number' && isValidTokenCount(value);
}
