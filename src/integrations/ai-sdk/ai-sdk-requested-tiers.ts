import { asObject } from '../../providers/read-json.js';

/** OpenAI and Gemini tiers priced as the standard one: no tier to scale by. */
const STANDARD_TIERS = new Set(['auto', 'default', 'standard', 'standard_only', 'on_demand']);

/** A tier name as the price table spells it (`priority`, `flex`), or undefined for the standard tier. */
export function tierName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const name = value.toLowerCase().replace(/^(?:service_tier_|on_demand_)/, '');
  return STANDARD_TIERS.has(name) ? undefined : name;
}

/** Anthropic's `inference_geo`: only a regional one is priced apart ('global' is the standard rate). */
export function inferenceGeoTier(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value !== 'global' ? `inference_geo:${value}` : undefined;
}

/** Anthropic's `speed`: 'fast' is priced apart. */
export function speedTier(value: unknown): string | undefined {
  return value === 'fast' ? 'fast' : undefined;
}

/**
 * The tiers and modes a call's `providerOptions` ask for, priced at reservation and charged when the answer
 * does not say which it was served at: `openai.serviceTier` ('flex', 'priority', 'fast', …),
 * `anthropic.speed` ('fast') and `anthropic.inferenceGeo` ('us'), `google.serviceTier` ('flex', 'priority').
 * Undefined for the standard tier (the common case costs nothing more than two property reads).
 */
export function requestedTiers(providerOptions: unknown, provider: string): string[] | undefined {
  const options = asObject(providerOptions);
  if (!options) return undefined;
  const tiers: string[] = [];
  const add = (tier: string | undefined) => {
    if (tier !== undefined) tiers.push(tier);
  };
  if (provider === 'openai') add(tierName(asObject(options.openai)?.serviceTier));
  else if (provider === 'anthropic') {
    const anthropic = asObject(options.anthropic);
    add(speedTier(anthropic?.speed));
    add(inferenceGeoTier(anthropic?.inferenceGeo));
  } else if (provider === 'google') add(tierName(asObject(options.google)?.serviceTier));
  return tiers.length > 0 ? tiers : undefined;
}
