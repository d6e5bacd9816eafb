/**
 * The one normalized usage model: disjoint token buckets, every billed token in exactly one of them.
 * Provider adapters map their wire shape onto it; nothing else knows a provider's field names.
 */
export interface NormalizedUsage {
  /** Prompt tokens neither read from nor written to a cache. */
  inputUncached: number;
  /** Prompt tokens read from a cache. */
  inputCacheRead: number;
  /** Prompt tokens written to a 5-minute cache (Anthropic's default TTL). */
  inputCacheWrite5m: number;
  /** Prompt tokens written to a 1-hour cache. */
  inputCacheWrite1h: number;
  /** Visible output tokens. */
  outputText: number;
  /** Reasoning / thinking tokens (billed at the output rate). */
  outputReasoning: number;
}

export const EMPTY_USAGE: Readonly<NormalizedUsage> = Object.freeze({
  inputUncached: 0,
  inputCacheRead: 0,
  inputCacheWrite5m: 0,
  inputCacheWrite1h: 0,
  outputText: 0,
  outputReasoning: 0,
});

export function totalInputTokens(usage: NormalizedUsage): number {
  return usage.inputUncached + usage.inputCacheRead + usage.inputCacheWrite5m + usage.inputCacheWrite1h;
}

export function totalOutputTokens(usage: NormalizedUsage): number {
  return usage.outputText + usage.outputReasoning;
}

/** A non-negative integer token count from an untrusted wire value (missing, negative or garbage → 0). */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
