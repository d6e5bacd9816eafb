import { EMPTY_USAGE, type NormalizedUsage, tokenCount } from '../../core/usage.js';
import { asObject } from '../read-json.js';

/**
 * Maps OpenAI usage onto the disjoint buckets. Chat Completions (`prompt_tokens` / `completion_tokens`),
 * Responses (`input_tokens` / `output_tokens`) and Embeddings share the subset semantics: cached tokens
 * are part of the prompt count and reasoning tokens part of the completion count — split, never added.
 */
export function normalizeOpenAIUsage(raw: unknown): NormalizedUsage | null {
  const usage = asObject(raw);
  if (!usage) return null;
  const prompt = tokenCount(usage.prompt_tokens ?? usage.input_tokens);
  const completion = tokenCount(usage.completion_tokens ?? usage.output_tokens);
  const promptDetails = asObject(usage.prompt_tokens_details ?? usage.input_tokens_details);
  const completionDetails = asObject(usage.completion_tokens_details ?? usage.output_tokens_details);
  const cached = Math.min(prompt, tokenCount(promptDetails?.cached_tokens));
  const reasoning = Math.min(completion, tokenCount(completionDetails?.reasoning_tokens));
  return {
    ...EMPTY_USAGE,
    inputUncached: prompt - cached,
    inputCacheRead: cached,
    outputText: completion - reasoning,
    outputReasoning: reasoning,
  };
}

/** Usage of a parsed OpenAI JSON response (chat, responses, embeddings). */
export function openAIUsageFromJson(json: unknown): NormalizedUsage | null {
  return normalizeOpenAIUsage(asObject(json)?.usage);
}
