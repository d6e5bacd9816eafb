import { type FeeKind, isValidTokenCount, type NormalizedUsage, withExtras } from '../../core/usage.js';
import type { CacheWriteTtl } from '../../pricing/estimate-worst-case.js';
import { asObject } from '../read-json.js';

/**
 * The Anthropic `usage` fields that bill, as read from one usage object. Counts are undefined when the
 * field is absent or null; a stream merges the readings of `message_start` and each `message_delta`.
 */
export interface AnthropicUsageReading {
  input?: number | undefined;
  output?: number | undefined;
  cacheRead?: number | undefined;
  /** `cache_creation_input_tokens`: every cache write, whatever its TTL. */
  cacheWrites?: number | undefined;
  /** The `cache_creation` split, when the usage carries it. */
  write5m?: number | undefined;
  write1h?: number | undefined;
  webSearches?: number | undefined;
  webFetches?: number | undefined;
  serviceTier?: string | undefined;
  speed?: string | undefined;
  inferenceGeo?: string | undefined;
}

const COUNT_FIELDS = [
  'input',
  'output',
  'cacheRead',
  'cacheWrites',
  'write5m',
  'write1h',
  'webSearches',
  'webFetches',
] as const;
const LABEL_FIELDS = ['serviceTier', 'speed', 'inferenceGeo'] as const;

/** A tier or geo name as the API spells them; anything else is not a label we can trust. */
const LABEL = /^[a-z0-9_-]{1,40}$/;

/** Reads the fields of one usage object, noting whether any present field was malformed. */
class FieldReader {
  valid = true;

  count(value: unknown): number | undefined {
    if (!isValidTokenCount(value)) this.valid = false;
    return typeof value === 'number' ? value : undefined;
  }

  label(value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string' && LABEL.test(value)) return value;
    this.valid = false;
    return undefined;
  }

  object(value: unknown): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    const object = asObject(value);
    if (!object) this.valid = false;
    return object;
  }
}

/** Reads one usage object; null when any field it reads is present but malformed (its cost is then unknown). */
export function readAnthropicUsage(raw: unknown): AnthropicUsageReading | null {
  const usage = asObject(raw);
  if (!usage) return null;
  const read = new FieldReader();
  const split = read.object(usage.cache_creation);
  const tools = read.object(usage.server_tool_use);
  const reading: AnthropicUsageReading = {
    input: read.count(usage.input_tokens),
    output: read.count(usage.output_tokens),
    cacheRead: read.count(usage.cache_read_input_tokens),
    cacheWrites: read.count(usage.cache_creation_input_tokens),
    write5m: read.count(split?.ephemeral_5m_input_tokens),
    write1h: read.count(split?.ephemeral_1h_input_tokens),
    webSearches: read.count(tools?.web_search_requests),
    webFetches: read.count(tools?.web_fetch_requests),
    serviceTier: read.label(usage.service_tier),
    speed: read.label(usage.speed),
    inferenceGeo: read.label(usage.inference_geo),
  };
  return read.valid ? reading : null;
}

/**
 * Two readings of one stream in order. Counts are cumulative (they never go down), so the larger wins —
 * the latest value of an honest stream, and a zero sent late (a relay that blanks input on
 * `message_delta`) never erases a real count; labels take the latest value sent.
 */
export function mergeAnthropicUsage(
  earlier: AnthropicUsageReading,
  later: AnthropicUsageReading,
): AnthropicUsageReading {
  const merged: AnthropicUsageReading = { ...earlier };
  for (const field of COUNT_FIELDS) {
    const value = later[field];
    if (value !== undefined) merged[field] = Math.max(value, earlier[field] ?? 0);
  }
  for (const field of LABEL_FIELDS) {
    const value = later[field];
    if (value !== undefined) merged[field] = value;
  }
  return merged;
}

function servedTiers(reading: AnthropicUsageReading): string[] | undefined {
  const { serviceTier, speed, inferenceGeo } = reading;
  if (
    (!serviceTier || serviceTier === 'standard') &&
    speed !== 'fast' &&
    (!inferenceGeo || inferenceGeo === 'global')
  ) {
    return undefined;
  }
  const tiers: string[] = [];
  if (serviceTier && serviceTier !== 'standard') tiers.push(serviceTier);
  if (speed === 'fast') tiers.push('fast');
  // 'global' is the standard price; any other region is named so the tier table can price it ('us': ×1.1).
  if (inferenceGeo && inferenceGeo !== 'global') tiers.push(`inference_geo:${inferenceGeo}`);
  return tiers;
}

/**
 * Maps Anthropic usage onto the disjoint buckets. `input_tokens` excludes cache reads and writes (the
 * prompt is the sum of the three); the 5 m / 1 h split of writes is in `cache_creation` only — without
 * it, writes are priced at the TTL the request asked for. `output_tokens` includes thinking.
 * Null when input or output is missing: a bill without them is not a bill we can price.
 *
 * `codeExecution`: the response ran code in a container. Anthropic bills container time ($0.05 per hour,
 * 5-minute minimum) but reports no duration, so one use is recorded and priced as one whole container
 * hour — more than the execution of a single request can take.
 */
export function anthropicUsageOf(
  reading: AnthropicUsageReading,
  requestedTtl: CacheWriteTtl | undefined,
  codeExecution: boolean,
): NormalizedUsage | null {
  if (reading.input === undefined || reading.output === undefined) return null;
  const writes = reading.cacheWrites ?? 0;
  let write5m = requestedTtl === '1h' ? 0 : writes;
  let write1h = requestedTtl === '1h' ? writes : 0;
  if (reading.write5m !== undefined || reading.write1h !== undefined) {
    write1h = reading.write1h ?? 0;
    write5m = Math.max(reading.write5m ?? 0, writes - write1h);
  }
  const usage: NormalizedUsage = {
    inputUncached: reading.input,
    inputCacheRead: reading.cacheRead ?? 0,
    inputCacheWrite5m: write5m,
    inputCacheWrite1h: write1h,
    outputText: reading.output,
    outputReasoning: 0,
  };
  const tiers = servedTiers(reading);
  if (!reading.webSearches && !codeExecution && !tiers) return usage;
  const fees: Partial<Record<FeeKind, number>> = {};
  if (reading.webSearches) fees.webSearch = reading.webSearches;
  // Web fetch bills tokens only, and the fee table deliberately has no row for it: a `webFetch` count here
  // would read as an unpriced fee and charge the call its hold. Its tokens are already in input_tokens.
  if (codeExecution) fees.codeExecution = 1;
  return withExtras(usage, {}, fees, tiers);
}

/** Usage of a whole Anthropic message (JSON); null when missing or malformed. */
export function normalizeAnthropicUsage(
  raw: unknown,
  requestedTtl: CacheWriteTtl | undefined,
  codeExecution = false,
): NormalizedUsage | null {
  const reading = readAnthropicUsage(raw);
  return reading ? anthropicUsageOf(reading, requestedTtl, codeExecution) : null;
}
