import { UnknownModelError } from '../errors/unknown-model-error.js';
import type { PriceSource } from '../pricing/price-source.js';
import type { BudgetNode } from './budget-node.js';

/** Fallback lists already priced, per provider: each list is checked once, not on every call. */
const priced = new WeakMap<readonly string[], Set<string>>();

/**
 * Throws UnknownModelError for the first fallback model without a price for `provider`. A typo'd fallback
 * fails when the guard is made (or at the first call that could use it), not the day the budget gets tight.
 */
export function checkFallbackPrices(
  fallbacks: readonly string[],
  provider: string,
  prices: PriceSource,
  at: Date,
): void {
  if (fallbacks.length === 0) return;
  let providers = priced.get(fallbacks);
  if (providers?.has(provider)) return;
  for (const model of fallbacks) if (!prices.resolve(provider, model, at)) throw new UnknownModelError(model, provider);
  if (!providers) {
    providers = new Set();
    priced.set(fallbacks, providers);
  }
  providers.add(provider);
}

/**
 * The fallbacks a call inherits when its client has none of its own: those of the nearest scope of the
 * call's context that has some (the agent, then its run, then the fence), else of the client's nearest
 * ancestor. Empty when no scope has any.
 */
export function inheritedFallbacks(client: BudgetNode, context: BudgetNode | undefined): readonly string[] {
  for (const node of context?.chain ?? []) if (node.fallbacks.length > 0) return node.fallbacks;
  for (const node of client.chain) if (node.fallbacks.length > 0) return node.fallbacks;
  return NONE;
}

const NONE: readonly string[] = Object.freeze([]);
