import { EMPTY_USAGE, type NormalizedUsage, tokenCount } from '../../core/usage.js';
import { asObject } from '../read-json.js';

/**
 * Maps Gemini `usageMetadata` onto the disjoint buckets. `cachedContentTokenCount` is part of
 * `promptTokenCount` (split, never added); `candidatesTokenCount` leaves out the thinking tokens, which
 * come as `thoughtsTokenCount` and are billed as output too. Tool-use prompt tokens (search results, code
 * execution) are outside `promptTokenCount` and billed as input, as the price dataset's own Gemini
 * mapping counts them.
 */
export function normalizeGeminiUsage(raw: unknown): NormalizedUsage | null {
  const usage = asObject(raw);
  if (!usage) return null;
  const prompt = tokenCount(usage.promptTokenCount);
  const cached = Math.min(prompt, tokenCount(usage.cachedContentTokenCount));
  return {
    ...EMPTY_USAGE,
    inputUncached: prompt - cached + tokenCount(usage.toolUsePromptTokenCount),
    inputCacheRead: cached,
    outputText: tokenCount(usage.candidatesTokenCount),
    outputReasoning: tokenCount(usage.thoughtsTokenCount),
  };
}

/** Usage of a Gemini response: the wire JSON and the SDK's GenerateContentResponse carry it alike. */
export function geminiUsageOf(response: unknown): NormalizedUsage | null {
  return normalizeGeminiUsage(asObject(response)?.usageMetadata);
}
