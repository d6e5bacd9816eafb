const PROVIDER_PREFIX = /^(?:openai|anthropic|google|models|gemini|vertex_ai|x-ai|xai)\//;

/** Strips provider prefixes and surrounding noise so `openai/gpt-4o` and `models/gemini-2.5-pro` resolve. */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  while (PROVIDER_PREFIX.test(id)) id = id.replace(PROVIDER_PREFIX, '');
  return id;
}

const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;

/** `gpt-4o-2024-08-06` → `gpt-4o`, `claude-3-5-haiku-20241022` → `claude-3-5-haiku`. */
export function stripDateSuffix(model: string): string {
  return model.replace(DATE_SUFFIX, '');
}

/**
 * The vendor prefixes aggregators (OpenRouter, Vercel AI Gateway, Together, …) put before a model id, by the price
 * dataset's provider of that vendor.
 */
const VENDOR_PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  gemini: 'google',
  vertex_ai: 'google',
  'x-ai': 'x-ai',
  xai: 'x-ai',
  mistralai: 'mistral',
  mistral: 'mistral',
  deepseek: 'deepseek',
  cohere: 'cohere',
  moonshotai: 'moonshotai',
  'z-ai': 'zai',
  minimax: 'minimax',
  perplexity: 'perplexity',
};

/** An id lookup at one provider of the price dataset. */
export interface ModelLookup {
  provider: string;
  model: string;
}

/**
 * Where to look a model id up, in order. At an aggregator (any provider that is not the vendor the id's prefix names)
 * the id AS GIVEN comes first: the aggregator's own entry (`openai/gpt-4o` at OpenRouter) carries its own price. Then
 * the normalized id at that provider; then, for an id whose prefix names a known vendor, the id without the prefix at
 * the vendor itself (`anthropic/claude-sonnet-4.5` → `claude-sonnet-4.5` at anthropic) — the vendor's LIST price,
 * which an aggregator may mark up or discount. An id with a routing variant (`:online`, `:nitro`, `:floor`) gets no
 * vendor fallback: the variant bills more than the list price (web search, faster hosts), and an unknown price is
 * refused rather than under-charged. An empty provider (any) tries the id's vendor first.
 */
export function modelLookups(provider: string, model: string): ModelLookup[] {
  const given = model.trim().toLowerCase();
  const normalized = normalizeModelId(given);
  const slash = given.indexOf('/');
  const vendor = slash > 0 ? VENDOR_PROVIDERS[given.slice(0, slash)] : undefined;
  if (vendor === undefined || vendor === provider) return [{ provider, model: normalized }];
  const atVendor = { provider: vendor, model: normalizeModelId(given.slice(slash + 1)) };
  if (provider === '') return [atVendor, { provider, model: normalized }];
  const lookups: ModelLookup[] = [{ provider, model: given }];
  if (normalized !== given) lookups.push({ provider, model: normalized });
  if (!given.includes(':', slash)) lookups.push(atVendor);
  return lookups;
}
