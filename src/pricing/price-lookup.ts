import { type GenaiMatchLogic, type GenaiProvider, lookupAt, type PriceLookup } from './genai-prices-source.js';

function matches(logic: GenaiMatchLogic, text: string): boolean {
  if ('or' in logic) return logic.or.some((clause) => matches(clause, text));
  if ('and' in logic) return logic.and.every((clause) => matches(clause, text));
  if ('equals' in logic) return text === logic.equals.toLowerCase();
  if ('starts_with' in logic) return text.startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return text.endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return text.includes(logic.contains.toLowerCase());
  if ('regex' in logic) return new RegExp(logic.regex).test(text);
  return false;
}

/**
 * A lookup in a genai-prices data file (the v2 `data.json`, the format `updatePrices()` takes), matched the way
 * genai-prices' `calcPrice` matches its own data: the provider by id, then by its `provider_match`; for no provider, the first
 * whose `model_match` takes the model; then the provider's models, then its fallback providers' (from the same file).
 */
export function dataLookup(providers: readonly GenaiProvider[]): PriceLookup {
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  const find = (providerId: string, model: string): GenaiProvider | undefined => {
    if (!providerId) return providers.find((provider) => provider.model_match && matches(provider.model_match, model));
    return (
      byId.get(providerId) ??
      providers.find((provider) => provider.provider_match && matches(provider.provider_match, providerId))
    );
  };
  return (providerId, model, at) => {
    const id = model.trim().toLowerCase();
    let provider: GenaiProvider | undefined;
    try {
      provider = find(providerId.trim().toLowerCase(), id);
    } catch {
      return null; // a matcher with a broken regex in a downloaded file
    }
    if (!provider) return null;
    const own = lookupAt(provider, id, at);
    if (own) return own;
    for (const fallback of provider.fallback_model_providers ?? []) {
      const other = byId.get(fallback);
      const found = other ? lookupAt(other, id, at) : null;
      if (found) return found;
    }
    return null;
  };
}

/** First lookup that knows the entry wins: a newer data file, then the bundled data for what it lacks. */
export function firstOf(...lookups: readonly PriceLookup[]): PriceLookup {
  return (provider, model, at) => {
    for (const lookup of lookups) {
      const found = lookup(provider, model, at);
      if (found) return found;
    }
    return null;
  };
}
