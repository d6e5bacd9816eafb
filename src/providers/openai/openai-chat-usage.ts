import type { NormalizedUsage } from '../../core/usage.js';
import { asObject } from '../read-json.js';
import { normalizeOpenAIUsage } from './normalize-openai-usage.js';

/**
 * Chat Completions search models (`gpt-4o-search-preview`, `gpt-4o-mini-search-preview`, `gpt-5-search-api`,
 * dated snapshots too): they search on every request and the response carries no count, so one search per
 * request is billed (the same ids as the fee row in src/pricing/data/extra-rates.ts).
 */
const SEARCH_MODEL = /-search-(?:preview|api)(?:-\d{4}-\d{2}-\d{2})?$/;

export function isOpenAISearchModel(model: unknown): boolean {
  return typeof model === 'string' && SEARCH_MODEL.test(model);
}

const ONE_SEARCH = Object.freeze({ webSearch: 1 });

/**
 * Usage of a chat completion, or of the stream chunk that carries `usage` (it repeats the completion's
 * `model` and `service_tier`): the tier that served the call and the search fee of search models.
 */
export function openAIChatUsageFromJson(json: unknown): NormalizedUsage | null {
  const body = asObject(json);
  if (!body) return null;
  return normalizeOpenAIUsage(body.usage, 'completion', {
    serviceTier: body.service_tier,
    fees: isOpenAISearchModel(body.model) ? ONE_SEARCH : undefined,
  });
}

/**
 * Input tokens one web search can add to the billed prompt: OpenAI bills the GA web_search tool's content as
 * input, a fixed 8,000-token block per call on gpt-4o-mini / gpt-4.1-mini (extra-rates, OpenAI pricing). An
 * estimate for other models; search-preview models are documented not to bill content tokens, reserved anyway.
 */
export const WEB_SEARCH_TOKENS_PER_USE = 8_000;
