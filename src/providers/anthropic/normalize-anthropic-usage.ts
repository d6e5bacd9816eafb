import { type NormalizedUsage, tokenCount } from '../../core/usage.js';
import type { CacheWriteTtl } from '../../pricing/estimate-worst-case.js';
import { asObject } from '../read-json.js';

/**
 * Maps Anthropic usage onto the disjoint buckets. `input_tokens` excludes cache reads and writes (the
 * prompt is the sum of the three); the 5 m / 1 h split of writes is in `cache_creation` only — without
 * it, writes are priced at the TTL the request asked for. `output_tokens` includes thinking.
 */
export function normalizeAnthropicUsage(raw: unknown, requestedTtl: CacheWriteTtl | undefined): NormalizedUsage | null {
  const usage = asObject(raw);
  if (!usage) return null;
  const writes = tokenCount(usage.cache_creation_input_tokens);
  const split = asObject(usage.cache_creation);
  let write5m = requestedTtl === '1h' ? 0 : writes;
  let write1h = requestedTtl === '1h' ? writes : 0;
  if (split) {
    write1h = tokenCount(split.ephemeral_1h_input_tokens);
    write5m = Math.max(tokenCount(split.ephemeral_5m_input_tokens), writes - write1h);
  }
  return {
    inputUncached: tokenCount(usage.input_tokens),
    inputCacheRead: tokenCount(usage.cache_read_input_tokens),
    inputCacheWrite5m: write5m,
    inputCacheWrite1h: write1h,
    outputText: tokenCount(usage.output_tokens),
    outputReasoning: 0,
  };
}
