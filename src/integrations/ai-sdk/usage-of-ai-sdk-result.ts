import {
  hasModalities,
  isValidTokenCount,
  MODALITY_BUCKETS,
  MODALITY_FALLBACKS,
  type ModalityBuckets,
  type NormalizedUsage,
  type TokenBuckets,
  withExtras,
} from '../../core/usage.js';
import { normalizeAnthropicUsage } from '../../providers/anthropic/normalize-anthropic-usage.js';
import { normalizeGeminiUsage } from '../../providers/google-genai/normalize-gemini-usage.js';
import { normalizeOpenAIUsage } from '../../providers/openai/normalize-openai-usage.js';
import { asObject } from '../../providers/read-json.js';
import type { AiSdkServerTools } from './ai-sdk-server-tools.js';
import { addFees, type UsageExtras } from './ai-sdk-usage-extras.js';
import { anthropicUsageExtras } from './anthropic-usage-extras.js';
import { countProviderExecutedTools } from './count-provider-executed-tools.js';
import { geminiUsageExtras } from './gemini-usage-extras.js';
import { type AiSdkUsageContext, normalizeAiSdkUsage } from './normalize-ai-sdk-usage.js';
import { openAIUsageExtras } from './openai-usage-extras.js';

/** The providers whose raw usage and metadata shapes are read: the model's own wire format. */
export type ProviderFamily = 'openai' | 'anthropic' | 'google';

/**
 * The wire format behind an AI SDK model's `provider` (`openai.responses`, `azure.chat`,
 * `anthropic.messages`, `vertex.anthropic.messages`, `google.generative-ai`, `google.vertex.chat`);
 * undefined for the others (their usage is read from the AI SDK's own counts).
 */
export function providerFamily(modelProvider: string): ProviderFamily | undefined {
  const id = modelProvider.toLowerCase();
  if (/(^|\.)anthropic(\.|$)/.test(id)) return 'anthropic';
  if (/^(?:openai|azure)\./.test(id)) return 'openai';
  if (/^(?:google|vertex)\./.test(id)) return 'google';
  return undefined;
}

export interface AiSdkSettleContext extends AiSdkUsageContext {
  family: ProviderFamily | undefined;
  /** The priced model id (Gemini 3 and 2.x bill grounding differently). */
  model: string;
  serverTools: AiSdkServerTools;
  /** The tiers the request asked for: charged when the answer does not say which it was served at. */
  requestedTiers: readonly string[] | undefined;
}

/** What a `doGenerate` result or a stream's `finish` part (with the parts before it) reports. */
export interface AiSdkUsageReport {
  usage: unknown;
  providerMetadata: unknown;
  /** The answer's content parts, or the provider-executed tool parts a stream showed. */
  parts: readonly unknown[];
  /** The raw response body, when the result carries one (`doGenerate`'s `response.body`). */
  responseBody: unknown;
}

/** Count fields of raw usage, whose value must be a number when present. */
const COUNT_KEY = /(?:tokens|TokenCount|tokenCount|_requests)$/;
const MAX_DEPTH = 4;

/**
 * True when every number in the raw usage is a plausible count and no count field holds a string: raw
 * usage is the provider's own JSON, all counts but for a few tier / modality names.
 */
function plausibleRaw(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (Array.isArray(value)) return value.every((item) => plausibleRaw(item, depth + 1));
  const fields = asObject(value);
  if (!fields) return true;
  for (const key in fields) {
    const item = fields[key];
    if (typeof item === 'number') {
      if (!isValidTokenCount(item)) return false;
    } else if (typeof item === 'string') {
      if (COUNT_KEY.test(key)) return false;
    } else if (typeof item === 'object' && item !== null && !plausibleRaw(item, depth + 1)) return false;
  }
  return true;
}

const isCount = (value: unknown) => typeof value === 'number';

/** The provider's own usage object: V3 `usage.raw`; V2 has it in the provider metadata (Anthropic, Google). */
function rawUsageOf(
  family: ProviderFamily,
  usage: Record<string, unknown>,
  namespace: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const raw = asObject(usage.raw);
  if (raw) return raw;
  if (family === 'anthropic') return asObject(namespace?.usage);
  if (family === 'google') return asObject(namespace?.usageMetadata);
  return undefined;
}

/** Token buckets of a provider's raw usage by its adapter's normalizer; null when a required count is missing. */
function tokensOfRaw(family: ProviderFamily, raw: Record<string, unknown>, context: AiSdkSettleContext) {
  if (!plausibleRaw(raw, 0)) return null;
  if (family === 'anthropic') {
    return isCount(raw.input_tokens) && isCount(raw.output_tokens)
      ? normalizeAnthropicUsage(raw, context.cacheWrite)
      : null;
  }
  if (family === 'openai') {
    return isCount(raw.prompt_tokens ?? raw.input_tokens) && isCount(raw.completion_tokens ?? raw.output_tokens)
      ? normalizeOpenAIUsage(raw)
      : null;
  }
  return isCount(raw.promptTokenCount) ? normalizeGeminiUsage(raw) : null;
}

function extrasOf(
  family: ProviderFamily,
  raw: Record<string, unknown> | undefined,
  namespace: Record<string, unknown> | undefined,
  report: AiSdkUsageReport,
  context: AiSdkSettleContext,
): UsageExtras {
  if (family === 'openai') return openAIUsageExtras(raw, namespace, report.responseBody);
  if (!raw) return {};
  if (family === 'anthropic') return anthropicUsageExtras(raw, context.requestedTiers);
  const fees = new Set(context.serverTools.requests.map((tool) => tool.fee));
  return geminiUsageExtras(raw, namespace, context.model, {
    search: fees.has('googleSearch'),
    maps: fees.has('googleMaps'),
  });
}

const CARVED_FROM: Readonly<Record<'input' | 'cacheRead' | 'output', keyof TokenBuckets>> = {
  input: 'inputUncached',
  cacheRead: 'inputCacheRead',
  output: 'outputText',
};

/** Moves modality tokens out of the text bucket that counted them (never below zero: never both). */
function carve(
  usage: NormalizedUsage,
  modalities: ModalityBuckets,
): { usage: NormalizedUsage; taken: ModalityBuckets } {
  const carved: NormalizedUsage = { ...usage };
  const taken: ModalityBuckets = {};
  for (const bucket of MODALITY_BUCKETS) {
    const tokens = modalities[bucket];
    if (!tokens) continue;
    const from = CARVED_FROM[MODALITY_FALLBACKS[bucket]];
    const share = Math.min(tokens, carved[from]);
    carved[from] -= share;
    taken[bucket] = share;
  }
  return { usage: carved, taken };
}

/**
 * The full usage of one AI SDK call: token buckets from the provider's own raw usage through its adapter's
 * normalizer (else the AI SDK's counts), modality buckets, per-use fees (raw usage, grounding metadata,
 * provider-executed tool parts) and the tier the answer was served at (else the one asked for). Null —
 * charged as the hold, flagged `estimated` — when the usage is missing, malformed or lacks a required count.
 * Parts the shared normalizers fill themselves (modalities, fees, tiers) are taken from them, not doubled.
 */
export function usageOfAiSdkResult(report: AiSdkUsageReport, context: AiSdkSettleContext): NormalizedUsage | null {
  const usage = asObject(report.usage);
  if (!usage) return null;
  const { family } = context;
  const metadata = asObject(report.providerMetadata);
  const namespace = family && asObject(metadata?.[family] ?? (metadata && Object.values(metadata)[0]));
  const raw = family && rawUsageOf(family, usage, namespace);
  // `@ai-sdk/anthropic` 2 may leave a stream's metadata usage at `message_start` (output_tokens: 1): with V2
  // its tokens come from the AI SDK's counts, its fees and tiers from that raw usage.
  const tokensFromRaw = raw !== undefined && (family === 'google' || asObject(usage.raw) !== undefined);
  if (raw && !tokensFromRaw && !plausibleRaw(raw, 0)) return null;
  const base =
    family && raw && tokensFromRaw
      ? tokensOfRaw(family, raw, context)
      : normalizeAiSdkUsage(usage, report.providerMetadata, context);
  if (!base) return null;
  const extras = family ? extrasOf(family, raw, namespace, report, context) : {};
  const fees = addFees(extras.fees, countProviderExecutedTools(report.parts, context.serverTools.byName));
  const tiers = unionOf(base.tiers, extras.tiers ?? surchargedTiers(context.requestedTiers));
  if (!extras.modalities && !fees && (!tiers || tiers.length === 0)) return base;
  const { usage: carved, taken } =
    extras.modalities && !hasModalities(base) ? carve(base, extras.modalities) : { usage: base, taken: {} };
  return withExtras(carved, taken, { ...fees, ...base.fees }, tiers);
}

/** Tiers that discount (flex, batch) are not assumed when the answer does not say it was served at them. */
const DISCOUNT_TIERS = new Set(['flex', 'batch']);

function surchargedTiers(requested: readonly string[] | undefined): readonly string[] | undefined {
  return requested?.filter((tier) => !DISCOUNT_TIERS.has(tier));
}

/** Both lists of tiers and modes: a mode the answer names (a region) does not erase one only the request named (fast). */
function unionOf(
  first: readonly string[] | undefined,
  second: readonly string[] | undefined,
): readonly string[] | undefined {
  if (!first || first.length === 0) return second;
  if (!second || second.length === 0) return first;
  return [...new Set([...first, ...second])];
}
