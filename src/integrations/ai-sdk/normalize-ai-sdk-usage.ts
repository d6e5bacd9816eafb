import { isValidTokenCount, type NormalizedUsage, tokenCount } from '../../core/usage.js';
import type { CacheWriteTtl } from '../../pricing/estimate-worst-case.js';
import { asObject } from '../../providers/read-json.js';

export interface AiSdkUsageContext {
  /** The cache TTL the request asked for: the write rate when the provider does not split 5 m / 1 h. */
  cacheWrite: CacheWriteTtl | undefined;
  /**
   * V2 only: the model's `inputTokens` leaves cache reads and writes out (`@ai-sdk/anthropic` 2 reports
   * Anthropic's own `input_tokens`); the other V2 providers report the whole prompt.
   */
  inputExcludesCache: boolean;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** True when every given count is absent or plausible: one malformed count makes the whole usage unknown. */
const allValid = (values: readonly unknown[]) => values.every(isValidTokenCount);

/** Anthropic's raw usage (V3 `usage.raw`, or `providerMetadata.anthropic.usage`): the only 5 m / 1 h split. */
function anthropicRawUsage(usage: Record<string, unknown>, metadata: unknown): Record<string, unknown> | undefined {
  const raw = asObject(usage.raw);
  if (raw && asObject(raw.cache_creation)) return raw;
  for (const namespace of Object.values(asObject(metadata) ?? {})) {
    const candidate = asObject(asObject(namespace)?.usage);
    if (candidate && asObject(candidate.cache_creation)) return candidate;
  }
  return undefined;
}

/** Splits cache writes into 5 m and 1 h: from Anthropic's raw usage, else at the TTL the request asked for. */
function splitWrites(
  writes: number,
  raw: Record<string, unknown> | undefined,
  ttl: CacheWriteTtl | undefined,
): [number, number] {
  const split = asObject(raw?.cache_creation);
  if (!split) return ttl === '1h' ? [0, writes] : [writes, 0];
  const write1h = Math.min(writes, tokenCount(split.ephemeral_1h_input_tokens));
  return [writes - write1h, write1h];
}

/** V2 cache writes are outside the usage object: `providerMetadata.anthropic.cacheCreationInputTokens`. */
function v2CacheWrites(metadata: unknown): number {
  let writes = 0;
  for (const namespace of Object.values(asObject(metadata) ?? {})) {
    const fields = asObject(namespace);
    writes = Math.max(
      writes,
      tokenCount(fields?.cacheCreationInputTokens),
      tokenCount(asObject(fields?.usage)?.cache_creation_input_tokens),
    );
  }
  return writes;
}

/**
 * V3 (`ai@6`): `inputTokens.total` includes cache reads and writes, `noCache` is the rest;
 * `outputTokens.total` includes reasoning. Every token lands in exactly one bucket.
 */
function normalizeV3(
  usage: Record<string, unknown>,
  metadata: unknown,
  context: AiSdkUsageContext,
): NormalizedUsage | null {
  const input = asObject(usage.inputTokens) ?? {};
  const output = asObject(usage.outputTokens) ?? {};
  const reported = [
    input.total,
    input.noCache,
    input.cacheRead,
    input.cacheWrite,
    output.total,
    output.text,
    output.reasoning,
  ];
  // Without a prompt count or an output count the cost is unknown, never $0.
  if (!allValid(reported) || !(isCount(input.total) || isCount(input.noCache))) return null;
  if (!(isCount(output.total) || isCount(output.text))) return null;
  const cacheRead = tokenCount(input.cacheRead);
  const writes = tokenCount(input.cacheWrite);
  const uncached = isCount(input.noCache)
    ? tokenCount(input.noCache)
    : Math.max(0, tokenCount(input.total) - cacheRead - writes);
  const reasoning = tokenCount(output.reasoning);
  const text = isCount(output.total) ? Math.max(0, tokenCount(output.total) - reasoning) : tokenCount(output.text);
  const [write5m, write1h] = splitWrites(writes, anthropicRawUsage(usage, metadata), context.cacheWrite);
  return {
    inputUncached: uncached,
    inputCacheRead: cacheRead,
    inputCacheWrite5m: write5m,
    inputCacheWrite1h: write1h,
    outputText: text,
    outputReasoning: reasoning,
  };
}

/**
 * V2 (`ai@5`): flat `{ inputTokens, outputTokens, totalTokens, cachedInputTokens, reasoningTokens }`.
 * Reasoning is inside `outputTokens` (OpenAI) unless `totalTokens` shows it was counted apart (Google).
 */
function normalizeV2(
  usage: Record<string, unknown>,
  metadata: unknown,
  context: AiSdkUsageContext,
): NormalizedUsage | null {
  const reported = [usage.inputTokens, usage.outputTokens, usage.totalTokens, usage.cachedInputTokens];
  if (!allValid([...reported, usage.reasoningTokens])) return null;
  if (!isCount(usage.inputTokens) || !isCount(usage.outputTokens)) return null;
  const input = tokenCount(usage.inputTokens);
  const output = tokenCount(usage.outputTokens);
  const cacheRead = tokenCount(usage.cachedInputTokens);
  const reasoning = tokenCount(usage.reasoningTokens);
  const writes = v2CacheWrites(metadata);
  const uncached = context.inputExcludesCache ? input : Math.max(0, input - cacheRead - writes);
  const reasoningApart = reasoning > 0 && tokenCount(usage.totalTokens) >= input + output + reasoning;
  const [write5m, write1h] = splitWrites(writes, anthropicRawUsage(usage, metadata), context.cacheWrite);
  return {
    inputUncached: uncached,
    inputCacheRead: cacheRead,
    inputCacheWrite5m: write5m,
    inputCacheWrite1h: write1h,
    outputText: reasoningApart ? output : Math.max(0, output - reasoning),
    outputReasoning: reasoning,
  };
}

/**
 * The usage of a `doGenerate` result or a stream's `finish` part, on the disjoint buckets, from the AI SDK's
 * own counts; null when the model reported none, or a count is malformed or missing (the call is then
 * charged its hold). The shape tells V3 from V2.
 */
export function normalizeAiSdkUsage(
  usage: unknown,
  providerMetadata: unknown,
  context: AiSdkUsageContext,
): NormalizedUsage | null {
  const fields = asObject(usage);
  if (!fields) return null;
  const v3 = asObject(fields.inputTokens) !== undefined || asObject(fields.outputTokens) !== undefined;
  return v3 ? normalizeV3(fields, providerMetadata, context) : normalizeV2(fields, providerMetadata, context);
}
