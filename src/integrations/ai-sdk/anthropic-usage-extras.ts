import { tokenCount } from '../../core/usage.js';
import { asObject } from '../../providers/read-json.js';
import { inferenceGeoTier, speedTier, tierName } from './ai-sdk-requested-tiers.js';
import type { UsageExtras } from './ai-sdk-usage-extras.js';

/**
 * Fees and tiers in Anthropic's raw usage (V3 `usage.raw`, V2 `providerMetadata.anthropic.usage`):
 * `server_tool_use.web_search_requests` ($10 / 1k searches), `service_tier` ('priority', 'batch'), `speed`
 * ('fast'), `inference_geo` ('us'). A mode the usage leaves out is taken from the request (`requested`).
 * `web_fetch_requests` is not a fee: web fetch bills its tokens only, which the usage already counts
 * (reporting it would make the settlement fall back to the hold for want of a rate).
 * Needed where the tokens come from the AI SDK's own counts (`@ai-sdk/anthropic` 2); when the Anthropic
 * normalizer read the raw usage itself, its fees and tiers win and these only fill what it lacks.
 */
export function anthropicUsageExtras(
  raw: Record<string, unknown>,
  requested: readonly string[] | undefined,
): UsageExtras {
  const searches = tokenCount(asObject(raw.server_tool_use)?.web_search_requests);
  const tiers: string[] = [];
  const served = tierName(raw.service_tier === 'standard' ? undefined : raw.service_tier);
  if (served !== undefined) tiers.push(served);
  const speed =
    raw.speed === undefined || raw.speed === null ? requested?.find((tier) => tier === 'fast') : speedTier(raw.speed);
  if (speed !== undefined) tiers.push(speed);
  const geo =
    raw.inference_geo === undefined || raw.inference_geo === null
      ? requested?.find((tier) => tier.startsWith('inference_geo:'))
      : inferenceGeoTier(raw.inference_geo);
  if (geo !== undefined) tiers.push(geo);
  return { ...(searches > 0 && { fees: { webSearch: searches } }), tiers };
}
