import { calcPrice, type MatchLogic, type PriceCalculation, type Provider } from '@pydantic/genai-prices';

/** (dataset provider id or '' for any, model id, request start) → the dataset's price entry, or null. */
export type PriceLookup = (provider: string, model: string, at: Date) => PriceCalculation | null;

/** The usage priced to find an entry: only the matched entry and its price are read, not the total. */
const PROBE_USAGE = { input_tokens: 1 };

/** A lookup in the data bundled with `@pydantic/genai-prices` (no network). */
export const bundledLookup: PriceLookup = (provider, model, at) =>
  calcPrice(PROBE_USAGE, model, provider ? { providerId: provider, timestamp: at } : { timestamp: at });

function matches(logic: MatchLogic, text: string): boolean {
  if ('or' in logic) return logic.or.some((clause) => matches(clause, text));
  if ('and' in logic) return logic.and.every((clause) => matches(clause, text));
  if ('equals' in logic) return text === logic.equals.toLowerCase();
  if ('starts_with' in logic) return text.startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return text.endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return text.includes(logic.contains.toLowerCase());
  if ('regex' in logic) return new RegExp(logic.regex).test(text);
  return false;
}

/** The provider alone: `calcPrice` would look its fallback providers up in the BUNDLED data, not in ours. */
function withoutFallbacks(provider: Provider): Provider {
  const { fallback_model_providers: _fallbacks, ...own } = provider;
  return own;
}

/** The price entry at exactly this provider object (its models, none of its fallbacks). */
export function lookupAt(provider: Provider, model: string, at: Date): PriceCalculation | null {
  try {
    return calcPrice(PROBE_USAGE, model, { provider: withoutFallbacks(provider), timestamp: at });
  } catch {
    // A malformed entry in a downloaded file (a bad constraint or price) is a miss, never a crash.
    return null;
  }
}

/**
 * A lookup in a genai-prices data file (the v2 `data.json`, the format `updatePrices()` takes), matched the way
 * `calcPrice` matches its own data: the provider by id, then by its `provider_match`; for no provider, the first
 * whose `model_match` takes the model; then the provider's models, then its fallback providers' (from the same file).
 */
export function dataLookup(providers: readonly Provider[]): PriceLookup {
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  const find = (providerId: string, model: string): Provider | undefined => {
    if (!providerId) return providers.find((provider) => provider.model_match && matches(provider.model_match, model));
    return (
      byId.get(providerId) ??
      providers.find((provider) => provider.provider_match && matches(provider.provider_match, providerId))
    );
  };
  return (providerId, model, at) => {
    const id = model.trim().toLowerCase();
    const provider = find(providerId.trim().toLowerCase(), id);
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
