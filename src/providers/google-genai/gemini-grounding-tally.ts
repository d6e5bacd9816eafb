import type { FeeKind } from '../../core/usage.js';
import { asObject } from '../read-json.js';

/**
 * Gemini 3 and later bill grounding per search query; Gemini 2.x (and older) per grounded prompt. Matches
 * the model rows of the Google fees in src/pricing/data/extra-rates.ts, so a count is in the unit its rate is.
 */
const PER_QUERY_MODELS = /^gemini-(?:[3-9]|\d{2,})(?:[.-]|$)/;

/** True when the model bills grounding per query; an unknown model counts per query too (at least 1 unit). */
export function billsGroundingPerQuery(model: string | undefined): boolean {
  if (model === undefined) return true;
  const id = model.toLowerCase().replace(/^.*\//, '');
  return PER_QUERY_MODELS.test(id) || !id.startsWith('gemini-');
}

/**
 * What one response's `candidates[].groundingMetadata` says was billed, gathered over every chunk of a
 * stream (metadata may come in any chunk, or be repeated) so a stream counts exactly what its JSON does.
 * Queries are counted once each and empty ones not at all: Google's grounding doc says "For billing purposes,
 * we ignore the empty web search queries when counting unique queries"
 * (https://ai.google.dev/gemini-api/docs/google-search, quoted in
 * https://discuss.ai.google.dev/t/are-empty-string-entries-in-groundingmetadata-websearchqueries-billed-as-grounded-search-queries-gemini-3/168136).
 */
export class GeminiGroundingTally {
  readonly #queries = new Set<string>();
  #web = false;
  #maps = false;

  add(candidates: unknown): void {
    if (!Array.isArray(candidates)) return;
    for (const candidate of candidates) {
      const metadata = asObject(asObject(candidate)?.groundingMetadata);
      if (metadata) this.#addMetadata(metadata);
    }
  }

  #addMetadata(metadata: Record<string, unknown>): void {
    if (Array.isArray(metadata.webSearchQueries)) {
      for (const query of metadata.webSearchQueries) {
        if (typeof query === 'string' && query.trim() !== '') this.#queries.add(query);
      }
    }
    if (asObject(metadata.searchEntryPoint)) this.#web = true;
    if (typeof metadata.googleMapsWidgetContextToken === 'string') this.#maps = true;
    if (!Array.isArray(metadata.groundingChunks)) return;
    for (const chunk of metadata.groundingChunks) {
      const entry = asObject(chunk);
      if (asObject(entry?.web)) this.#web = true;
      if (asObject(entry?.maps)) this.#maps = true;
    }
  }

  /**
   * Units of each grounding fee for a response of `model`. Per prompt: 1 per grounded request, however many
   * queries it ran. Per query: the distinct queries, at least 1 when the response shows grounding without
   * listing them. Search grounding always returns its `searchEntryPoint` (Google requires it shown), so
   * queries beside Maps results alone are taken as Maps queries; when both ran, the queries are counted
   * for each (Google does not say which tool ran which query: the larger charge).
   */
  fees(model: string | undefined): Partial<Record<FeeKind, number>> | undefined {
    const web = this.#web || (this.#queries.size > 0 && !this.#maps);
    if (!web && !this.#maps) return undefined;
    const units = billsGroundingPerQuery(model) ? Math.max(1, this.#queries.size) : 1;
    const fees: Partial<Record<FeeKind, number>> = {};
    if (web) fees.googleSearch = units;
    if (this.#maps) fees.googleMaps = units;
    return fees;
  }
}

/** The grounding fees of one whole response; a response without grounding metadata allocates nothing. */
export function groundingFeesOf(
  candidates: unknown,
  model: string | undefined,
): Partial<Record<FeeKind, number>> | undefined {
  if (!Array.isArray(candidates)) return undefined;
  if (!candidates.some((candidate) => asObject(candidate)?.groundingMetadata !== undefined)) return undefined;
  const tally = new GeminiGroundingTally();
  tally.add(candidates);
  return tally.fees(model);
}
