import type { FeeKind, ModalityBucket } from '../../core/usage.js';

/**
 * Charges that the genai-prices dataset does not turn into token rates: per-use fees of provider-side tools,
 * grounding fees, and service-tier / mode multipliers. Every row names the page it was read from and the day.
 *
 * Rules the rows follow:
 * - The first row whose `provider` matches and whose `models` matches the normalized model id wins, so specific rows
 *   come first and every provider/fee (and provider/tier) ends with a catch-all.
 * - Free allowances (free searches per day or month, free container hours) cannot be known by a client: every fee is
 *   charged from the first unit and the allowance is named in the row's `note`.
 * - A tier whose cached-input multiplier differs from its input multiplier uses the larger of the two for
 *   `inputPermille` and says so in `note`; a catch-all uses the largest multiplier found for that provider and tier.
 * - A tool that bills tokens only (Anthropic web fetch, Gemini code execution and URL context, OpenAI image generation
 *   and computer use) has no row: its cost is already in the usage the response reports.
 */

export interface FeeRate {
  provider: 'openai' | 'anthropic' | 'google';
  /** Model ids the row applies to (matched against the normalized id); the first matching row wins, so put specific rows first. */
  models: RegExp;
  fee: FeeKind;
  /** Integer nano-USD per unit (e.g. $10 per 1,000 searches → 10_000_000). */
  nanosPerUnit: number;
  /** What one unit is, in words: 'search', 'tool call', 'container session', 'container hour', 'grounded prompt', 'search query'. */
  unit: string;
  source: string;
  /** YYYY-MM-DD the source was read. */
  checked: string;
  note?: string;
}

/** A service tier or mode that scales a model's token rates. Multipliers are per mille (1000 = ×1). */
export interface TierMultiplier {
  provider: 'openai' | 'anthropic' | 'google';
  /** The tier or mode as the wire names it: OpenAI 'flex' | 'priority' | 'scale' | 'default' | 'batch'; Anthropic 'fast' | 'inference_geo:us' | 'priority' | 'batch'; Google 'flex' | 'priority' | 'batch'. */
  tier: string;
  models: RegExp;
  inputPermille: number;
  outputPermille: number;
  source: string;
  checked: string;
  note?: string;
}

/** Matches the given id alternatives exactly, with or without a `-YYYY-MM-DD` / `-YYYYMMDD` snapshot suffix. */
function ids(alternatives: string): RegExp {
  return new RegExp(`^(?:${alternatives})(?:-\\d{4}-\\d{2}-\\d{2}|-\\d{8})?$`);
}

/** Every model id. */
const ANY = /^/;

const OPENAI_PRICING = 'https://developers.openai.com/api/docs/pricing';
const OPENAI_WEB_SEARCH_FORUM = 'https://community.openai.com/t/search-web-using-openai-api/1363698';
const OPENAI_CONTAINERS =
  'https://modeldex.dev/news/openai-moves-api-container-sessions-to-per-minute-billing-with-a-5-minute-minimu';
const OPENAI_FAST_MODE = 'https://openai.com/api-fast-mode/';
const OPENAI_FAST_MODE_GUIDE = 'https://developers.openai.com/api/docs/guides/fast-mode';
const OPENAI_PRIORITY_LEGACY = 'https://openai.com/api-priority-processing/';
const OPENAI_PRIORITY_FAQ = 'https://help.openai.com/en/articles/11647665-priority-processing-faq';
const OPENAI_ULTRAFAST = 'https://vercel.com/changelog/openai-ultrafast-mode-now-available-on-ai-gateway';
const OPENAI_FLEX = 'https://platform.openai.com/docs/guides/flex-processing';
const OPENAI_GPT6_TIERS = 'https://github.com/BerriAI/litellm/discussions/39633';

const ANTHROPIC_PLANS =
  'https://raw.githubusercontent.com/api-evangelist/anthropic/refs/heads/main/plans/anthropic-plans-pricing.yml';
const ANTHROPIC_PRICING = 'https://platform.claude.com/docs/en/about-claude/pricing';
const ANTHROPIC_FAST_MODE = 'https://platform.claude.com/docs/en/build-with-claude/fast-mode';
const ANTHROPIC_FAST_MODE_46 = 'https://platform.claude.com/docs/es/build-with-claude/fast-mode';
const ANTHROPIC_DATA_RESIDENCY = 'https://docs.aws.amazon.com/claude-platform/latest/userguide/data-residency.html';

const GEMINI_PRICING = 'https://ai.google.dev/gemini-api/docs/pricing';
const GEMINI_PRICING_HARVEST =
  'https://raw.githubusercontent.com/api-evangelist/deepmind/refs/heads/main/plans/deepmind-plans-pricing.yml';
const GEMINI_GROUNDING_FORUM = 'https://discuss.ai.google.dev/t/rate-limits-on-requests-with-grounding/94046';
const GEMINI_MAPS_FEES = 'https://github.com/iyulab/TokenMeter/releases/tag/v0.14.0';
const GEMINI_OPTIMIZATION = 'https://ai.google.dev/gemini-api/docs/optimization';

/** Gemini 3 and every later generation (3.x, 4, 10 …). */
const GEMINI_3_PLUS = /^gemini-(?:[3-9]|\d{2,})(?:[.-]|$)/;
/** Gemini 2.0 and 2.5. */
const GEMINI_2 = /^gemini-2[.-]/;

export const FEE_RATES: readonly FeeRate[] = [
  // ── OpenAI ──────────────────────────────────────────────────────────────────────────────────────────────
  {
    provider: 'openai',
    models: /-search-(?:preview|api)(?:-\d{4}-\d{2}-\d{2})?$/,
    fee: 'webSearch',
    nanosPerUnit: 25_000_000,
    unit: 'search',
    source: OPENAI_WEB_SEARCH_FORUM,
    checked: '2026-12-07',
    note:
      'Chat Completions search models (gpt-4o-search-preview, gpt-4o-mini-search-preview …) are "web search preview, ' +
      'non-reasoning": $25 / 1k calls, search content tokens free. The response carries no count: one search per ' +
      'request is assumed. OpenRouter lists $35/K for gpt-4o-search-preview (the old medium-context price).',
  },
  {
    provider: 'openai',
    models: /^(?:gpt-4o|gpt-4\.1|chatgpt-4o)/,
    fee: 'webSearch',
    nanosPerUnit: 25_000_000,
    unit: 'tool call',
    source: OPENAI_WEB_SEARCH_FORUM,
    checked: '2026-12-07',
    note:
      'Non-reasoning models: web_search_preview is $25 / 1k calls with search content tokens free; the GA web_search ' +
      'tool is $10 / 1k calls plus content tokens at model rates (gpt-4o-mini and gpt-4.1-mini bill a fixed 8,000 ' +
      'input-token block per call). The tool version is not in the row key, so the larger per-call price is used.',
  },
  {
    provider: 'openai',
    models: ANY,
    fee: 'webSearch',
    nanosPerUnit: 10_000_000,
    unit: 'tool call',
    source: OPENAI_PRICING,
    checked: '2026-12-07',
    note:
      'web_search (all models) and web_search_preview on reasoning models: $10 / 1k calls plus search content tokens ' +
      'billed at model input rates (they are in usage.input_tokens). Only web_search_call items whose action.type is ' +
      "'search' bill a call; 'open_page' and 'find_in_page' do not. Rate confirmed by OpenAI staff on " +
      OPENAI_WEB_SEARCH_FORUM,
  },
  {
    provider: 'openai',
    models: ANY,
    fee: 'fileSearch',
    nanosPerUnit: 2_500_000,
    unit: 'tool call',
    source:
      'https://community.openai.com/t/responses-api-excessive-charges-due-to-repetitive-container-creation-when-using-code-interpreter/1364328',
    checked: '2026-12-07',
    note:
      '$2.50 / 1k file_search tool calls (Responses; Assistants bills the same). Vector-store storage ($0.10 / GB / ' +
      'day after the first free GB) is not per call and is not reserved here. Pricing page: ' +
      OPENAI_PRICING,
  },
  {
    provider: 'openai',
    models: ANY,
    fee: 'codeExecution',
    nanosPerUnit: 30_000_000,
    unit: 'container session',
    source: OPENAI_CONTAINERS,
    checked: '2026-12-07',
    note:
      'Code Interpreter / hosted shell container, default 1 GB memory: $0.03 per 20-minute session. Larger containers ' +
      'scale with memory: 4 GB $0.12, 16 GB $0.48, 64 GB $1.92 per session (price the request’s ' +
      'container.memory_limit as 4×, 16×, 64× this row). Since 2026-06-02 sessions are billed per minute with a ' +
      '5-minute minimum, never more than the 20-minute rate per session; a whole session is reserved. With ' +
      'container {type: "auto"} a container may be created (and billed) even when the model makes no call.',
  },

  // ── Anthropic ───────────────────────────────────────────────────────────────────────────────────────────
  {
    provider: 'anthropic',
    models: ANY,
    fee: 'webSearch',
    nanosPerUnit: 10_000_000,
    unit: 'search',
    source: ANTHROPIC_PRICING,
    checked: '2026-12-07',
    note:
      '$10 per 1,000 searches, counted in usage.server_tool_use.web_search_requests, plus the search results as ' +
      'input tokens. Searches that error are not billed. Web fetch has no fee (tokens only), so it has no row.',
  },
  {
    provider: 'anthropic',
    models: ANY,
    fee: 'codeExecution',
    nanosPerUnit: 50_000_000,
    unit: 'container hour',
    source: ANTHROPIC_PLANS,
    checked: '2026-12-07',
    note:
      '$0.05 per container hour, 5-minute minimum per execution; 1,550 free hours per month per organization (not ' +
      'knowable by a client, so charged from the first hour). Free when the request also uses the web_search or ' +
      'web_fetch tool (newer tool versions); still charged here. The response has no container-time count.',
  },

  // ── Google Gemini API ───────────────────────────────────────────────────────────────────────────────────
  {
    provider: 'google',
    models: GEMINI_3_PLUS,
    fee: 'googleSearch',
    nanosPerUnit: 14_000_000,
    unit: 'search query',
    source: GEMINI_PRICING_HARVEST,
    checked: '2026-12-07',
    note:
      'Gemini 3 and later: $14 / 1,000 search queries, one per entry of groundingMetadata.webSearchQueries; 5,000 free ' +
      'queries per month shared across Gemini models. Pricing page: ' +
      GEMINI_PRICING,
  },
  {
    provider: 'google',
    models: GEMINI_2,
    fee: 'googleSearch',
    nanosPerUnit: 35_000_000,
    unit: 'grounded prompt',
    source: GEMINI_GROUNDING_FORUM,
    checked: '2026-12-07',
    note:
      'Gemini 2.0 / 2.5: $35 / 1,000 grounded prompts (one per request that returns groundingMetadata, however many ' +
      'queries it ran); 1,500 grounded prompts per day free on the paid tier.',
  },
  {
    provider: 'google',
    models: ANY,
    fee: 'googleSearch',
    nanosPerUnit: 35_000_000,
    unit: 'grounded prompt',
    source: GEMINI_GROUNDING_FORUM,
    checked: '2026-12-07',
    note: 'Conservative default for other models: the larger Gemini 2.x price, once per grounded request.',
  },
  {
    provider: 'google',
    models: GEMINI_3_PLUS,
    fee: 'googleMaps',
    nanosPerUnit: 14_000_000,
    unit: 'search query',
    source: GEMINI_MAPS_FEES,
    checked: '2026-12-07',
    note:
      'Grounding with Google Maps on Gemini 3 and later: $14 / 1,000 queries (as Search grounding). Not read on ' +
      'Google’s own page; ' +
      GEMINI_PRICING +
      ' is the place to confirm.',
  },
  {
    provider: 'google',
    models: ANY,
    fee: 'googleMaps',
    nanosPerUnit: 25_000_000,
    unit: 'grounded prompt',
    source: GEMINI_MAPS_FEES,
    checked: '2026-12-07',
    note:
      'Gemini 2.5 Pro / Flash / Flash-Lite (and the default for other models): $25 / 1,000 grounded prompts, one per ' +
      'request whose groundingChunks carry `maps`; a free daily allowance applies on the paid tier.',
  },
];

export const TIER_MULTIPLIERS: readonly TierMultiplier[] = [
  // ── OpenAI: Fast mode (wire `priority` or `fast`) ───────────────────────────────────────────────────────
  // Rows are written once per family and repeated for both wire names below.
  ...(['priority', 'fast'] as const).flatMap((tier): TierMultiplier[] => [
    {
      provider: 'openai',
      tier,
      models: ids('gpt-5\\.5'),
      inputPermille: 2500,
      outputPermille: 2500,
      source: OPENAI_FAST_MODE,
      checked: '2026-12-07',
      note: '$12.50 / $1.25 cached / $75 vs standard $5 / $0.50 / $30. Fast mode excludes long context for GPT-5.5.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-5\\.6-(?:sol|terra|luna)|gpt-5\\.6'),
      inputPermille: 2000,
      outputPermille: 2000,
      source: OPENAI_FAST_MODE,
      checked: '2026-12-07',
      note:
        'Sol $8 / $0.80 / $40 (long context $16 / $1.60 / $60), Terra $4 / $0.40 / $24, Luna $0.40 / $0.04 / $2.40: ' +
        '2× the current standard rates, short and long context.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-6-astra|gpt-6-sol|gpt-6-luna|gpt-6\\.1-sol'),
      inputPermille: 2000,
      outputPermille: 2000,
      source: OPENAI_GPT6_TIERS,
      checked: '2026-12-07',
      note:
        'GPT-6 Astra Fast $20 / $100 vs $10 / $50 ("Fast Mode costs 2x"); Sol, Luna and GPT-6.1 Sol return ' +
        'service_tier "fast" and are priced 2× by the same table. Guide: ' +
        OPENAI_FAST_MODE_GUIDE,
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-5\\.4|gpt-5\\.4-mini|gpt-5\\.2|gpt-5\\.1|gpt-5\\.1-codex|gpt-5|gpt-5-codex'),
      inputPermille: 2000,
      outputPermille: 2000,
      source: OPENAI_FAST_MODE,
      checked: '2026-12-07',
      note:
        'GPT-5.4 $5 / $0.50 / $30, GPT-5.4 mini $1.50 / $0.15 / $9, GPT-5.2 $3.50 / $0.35 / $28, GPT-5.1 and GPT-5 ' +
        '(and their codex models) $2.50 / $0.25 / $20: each 2× standard, cached input included. Long context ' +
        '(>128K estimated prompt tokens) is excluded. gpt-5.4-nano has no Fast mode.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-5-mini'),
      inputPermille: 1800,
      outputPermille: 1800,
      source: OPENAI_FAST_MODE,
      checked: '2026-12-07',
      note: '$0.45 / $0.045 / $3.60 vs $0.25 / $0.025 / $2.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-4\\.1|gpt-4\\.1-mini'),
      inputPermille: 1750,
      outputPermille: 1750,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: 'GPT-4.1 $3.50 / $0.875 / $14 vs $2 / $0.50 / $8; GPT-4.1 mini $0.70 / $0.175 / $2.80 vs $0.40 / $0.10 / $1.60.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-4\\.1-nano'),
      inputPermille: 2000,
      outputPermille: 2000,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: '$0.20 / $0.05 / $0.80 vs $0.10 / $0.025 / $0.40.',
    },
    {
      provider: 'openai',
      tier,
      models: /^gpt-4o-2024-05-13$/,
      inputPermille: 1750,
      outputPermille: 1750,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: '$8.75 / $26.25 vs $5 / $15 (no cached-input price for this snapshot).',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-4o'),
      inputPermille: 1700,
      outputPermille: 1700,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: 'gpt-4o-2024-11-20 / 2024-08-06: $4.25 / $2.125 / $17 vs $2.50 / $1.25 / $10.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('gpt-4o-mini'),
      inputPermille: 1667,
      outputPermille: 1667,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: '$0.25 / $0.125 / $1.00 vs $0.15 / $0.075 / $0.60 = 5/3, rounded up.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('o3'),
      inputPermille: 1750,
      outputPermille: 1750,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: '$3.50 / $0.875 / $14 vs $2 / $0.50 / $8.',
    },
    {
      provider: 'openai',
      tier,
      models: ids('o4-mini'),
      inputPermille: 1819,
      outputPermille: 1819,
      source: OPENAI_PRIORITY_LEGACY,
      checked: '2026-12-07',
      note: '$2 / $0.50 / $8 vs $1.10 / $0.275 / $4.40 = 20/11, rounded up.',
    },
    {
      provider: 'openai',
      tier,
      models: ANY,
      inputPermille: 2500,
      outputPermille: 2500,
      source: OPENAI_FAST_MODE,
      checked: '2026-12-07',
      note:
        'Conservative default for models without a published Fast price (e.g. gpt-6.2-*): the largest multiplier ' +
        'found (GPT-5.5, 2.5×). Cached input keeps the same discount as standard: ' +
        OPENAI_PRIORITY_FAQ,
    },
  ]),

  // ── OpenAI: Ultrafast ───────────────────────────────────────────────────────────────────────────────────
  {
    provider: 'openai',
    tier: 'ultrafast',
    models: ids('gpt-6-astra'),
    inputPermille: 6000,
    outputPermille: 6000,
    source: OPENAI_ULTRAFAST,
    checked: '2026-12-07',
    note:
      '"billed at 6× the standard per-token rate": $60 / $6 cached / $300 vs $10 / $1 / $50. A request that falls ' +
      'back to another tier is billed at the tier served (response service_tier).',
  },
  {
    provider: 'openai',
    tier: 'ultrafast',
    models: ANY,
    inputPermille: 6000,
    outputPermille: 6000,
    source: 'https://developers.openai.com/api/docs/guides/ultrafast-mode',
    checked: '2026-12-07',
    note:
      'Conservative default (GPT-5.6 Sol preview, GPT-6.1 Sol): no published price; 6× as for GPT-6 Astra. A reseller ' +
      'lists GPT-6.1 Sol Ultrafast at $12 / $60 (6× $2 / $10).',
  },

  // ── OpenAI: Flex ────────────────────────────────────────────────────────────────────────────────────────
  {
    provider: 'openai',
    tier: 'flex',
    models:
      /^(?:o3|o4-mini|gpt-5|gpt-5-mini|gpt-5-nano|gpt-5\.1|gpt-5\.2|gpt-5\.4|gpt-5\.4-mini|gpt-5\.4-nano|gpt-5\.5|gpt-5\.6(?:-sol|-terra|-luna)?|gpt-6(?:\.\d+)?-(?:astra|sol|luna))(?:-\d{4}-\d{2}-\d{2})?$/,
    inputPermille: 500,
    outputPermille: 500,
    source: OPENAI_FLEX,
    checked: '2026-12-07',
    note:
      'Flex tokens are priced at Batch API rates (50% off input, cached input and output). Supported models are listed ' +
      'on the pricing page; these are the ones found there or in coverage of it (GPT-6 family: ' +
      OPENAI_GPT6_TIERS +
      '). A 429 resource_unavailable answer is not billed.',
  },
  {
    provider: 'openai',
    tier: 'flex',
    models: ANY,
    inputPermille: 1000,
    outputPermille: 1000,
    source: OPENAI_FLEX,
    checked: '2026-12-07',
    note: 'Model not known to support Flex: no discount assumed.',
  },

  // ── OpenAI: default, scale, batch ───────────────────────────────────────────────────────────────────────
  {
    provider: 'openai',
    tier: 'default',
    models: ANY,
    inputPermille: 1000,
    outputPermille: 1000,
    source: OPENAI_PRICING,
    checked: '2026-12-07',
    note: 'Standard processing. `auto` in a request resolves to the tier echoed in the response.',
  },
  {
    provider: 'openai',
    tier: 'scale',
    models: ANY,
    inputPermille: 1000,
    outputPermille: 1000,
    source: OPENAI_PRIORITY_FAQ,
    checked: '2026-12-07',
    note:
      'Scale Tier is prepaid TPM units under an Enterprise contract, not a per-token price; charged at standard rates ' +
      'so spend is never under-counted. Scale traffic does not spill over to priority.',
  },
  {
    provider: 'openai',
    tier: 'batch',
    models: ANY,
    inputPermille: 500,
    outputPermille: 500,
    source: OPENAI_PRICING,
    checked: '2026-12-07',
    note: 'Batch API: 50% off input and output (the same rates Flex uses).',
  },

  // ── Anthropic: fast mode (request `speed: "fast"`) ──────────────────────────────────────────────────────
  {
    provider: 'anthropic',
    tier: 'fast',
    models: /^claude-opus-4-6/,
    inputPermille: 6000,
    outputPermille: 6000,
    source: ANTHROPIC_FAST_MODE_46,
    checked: '2026-12-07',
    note:
      '$30 / $150 per MTok vs $5 / $25 for prompts ≤ 200K tokens; prompts > 200K were $60 / $225 (12× / 9×, above this ' +
      "table's 10× cap). Opus 4.6 is no longer listed among fast-mode models; the row stays for old traffic.",
  },
  {
    provider: 'anthropic',
    tier: 'fast',
    models: /^claude-opus-4-7/,
    inputPermille: 6000,
    outputPermille: 6000,
    source: 'https://api.treerouter.ai/en/blog/claude-opus-4-7-fast-mode-vs-standard-benchmark',
    checked: '2026-12-07',
    note: '6× premium. Fast mode for Opus 4.7 was removed on 2026-07-24 (requests are rejected).',
  },
  {
    provider: 'anthropic',
    tier: 'fast',
    models: /^claude-opus-4-8/,
    inputPermille: 2000,
    outputPermille: 2000,
    source: 'https://openrouter.ai/anthropic/claude-opus-4.8-fast/providers',
    checked: '2026-12-07',
    note: '2× regular Opus 4.8. Deprecated 2026-10-30, removed 2026-11-30 (requests are rejected).',
  },
  {
    provider: 'anthropic',
    tier: 'fast',
    models: /^claude-opus-5(?:-\d{8})?$/,
    inputPermille: 2000,
    outputPermille: 2000,
    source: 'https://vercel.com/ai-gateway/models/claude-opus-5-fast.md',
    checked: '2026-12-07',
    note: '$10 / $50 per MTok vs $5 / $25 (research preview).',
  },
  {
    provider: 'anthropic',
    tier: 'fast',
    models: /^claude-opus-5-5/,
    inputPermille: 2000,
    outputPermille: 2000,
    source: 'https://github.com/TheKrush/PromptFuel/releases/tag/v1.0.21',
    checked: '2026-12-07',
    note: '$8 / $40 per MTok vs $4 / $20. Official page: ' + ANTHROPIC_FAST_MODE,
  },
  {
    provider: 'anthropic',
    tier: 'fast',
    models: ANY,
    inputPermille: 6000,
    outputPermille: 6000,
    source: ANTHROPIC_FAST_MODE,
    checked: '2026-12-07',
    note:
      'Conservative default for models without a known fast price (Claude Fable 5.2, Mythos 5.2): the largest ' +
      'multiplier found (6×, Opus 4.6/4.7). Fast mode stacks with the other modifiers (caching, batch, inference_geo).',
  },

  // ── Anthropic: US-only inference ────────────────────────────────────────────────────────────────────────
  {
    provider: 'anthropic',
    tier: 'inference_geo:us',
    models: ANY,
    inputPermille: 1100,
    outputPermille: 1100,
    source: ANTHROPIC_DATA_RESIDENCY,
    checked: '2026-12-07',
    note:
      'inference_geo "us": 1.1× on every token price. Supported on Claude Opus 4.6, Sonnet 4.6 and later; earlier ' +
      'models answer 400. "global" (the default) is standard pricing. Docs: ' +
      'https://platform.claude.com/docs/en/manage-claude/data-residency',
  },

  // ── Anthropic: priority, batch ──────────────────────────────────────────────────────────────────────────
  {
    provider: 'anthropic',
    tier: 'priority',
    models: ANY,
    inputPermille: 1000,
    outputPermille: 1000,
    source: 'https://platform.claude.com/docs/en/api/service-tiers',
    checked: '2026-12-07',
    note:
      'Priority Tier is a committed-capacity contract; per-token list prices are the standard ones. Not confirmed on ' +
      'a price page this session.',
  },
  {
    provider: 'anthropic',
    tier: 'batch',
    models: ANY,
    inputPermille: 500,
    outputPermille: 500,
    source: ANTHROPIC_PLANS,
    checked: '2026-12-07',
    note:
      'Message Batches API: 50% off input and output (cache multipliers apply on top). Pricing page: ' +
      ANTHROPIC_PRICING,
  },

  // ── Google Gemini API ───────────────────────────────────────────────────────────────────────────────────
  {
    provider: 'google',
    tier: 'flex',
    models: /^gemini-/,
    inputPermille: 500,
    outputPermille: 500,
    source: GEMINI_OPTIMIZATION,
    checked: '2026-12-07',
    note: 'Flex inference (service_tier "flex"): 50% discount, best-effort (sheddable) synchronous traffic.',
  },
  {
    provider: 'google',
    tier: 'flex',
    models: ANY,
    inputPermille: 1000,
    outputPermille: 1000,
    source: GEMINI_OPTIMIZATION,
    checked: '2026-12-07',
    note: 'Non-Gemini model on the Google provider: no discount assumed.',
  },
  {
    provider: 'google',
    tier: 'priority',
    models: ANY,
    inputPermille: 2000,
    outputPermille: 2000,
    source: GEMINI_OPTIMIZATION,
    checked: '2026-12-07',
    note:
      'Priority inference is "75% to 100% more than standard" depending on the model; no per-model table was read, ' +
      'so the conservative 2× applies to all. A request over the priority limit is downgraded to standard ' +
      '(usageMetadata.serviceTier / header x-gemini-service-tier say so). Vertex AI Priority PayGo was not checked.',
  },
  {
    provider: 'google',
    tier: 'batch',
    models: ANY,
    inputPermille: 500,
    outputPermille: 500,
    source: GEMINI_PRICING,
    checked: '2026-12-07',
    note: 'Batch API: 50% cost reduction.',
  },
];

/** A modality rate the dataset lacks for a model, USD per 1M tokens as integer nano-USD. */
export interface ModalityRate {
  provider: 'openai' | 'anthropic' | 'google';
  models: RegExp;
  bucket: ModalityBucket;
  nanosPerMillion: number;
  source: string;
  checked: string;
  note?: string;
}

const FROM_MEMORY = 'read from memory of the pricing page, not re-checked live: verify before relying on it';

/**
 * Audio rates of OpenAI's audio models, which the dataset prices at their text rates only (so an audio
 * answer would be booked at a fraction of its cost). A dataset rate, when it has one, wins.
 */
export const MODALITY_RATES: readonly ModalityRate[] = [
  ...(
    [
      [ids('gpt-4o-audio-preview|gpt-4o-realtime-preview'), 40, 2.5, 80],
      [ids('gpt-4o-mini-audio-preview|gpt-4o-mini-realtime-preview'), 10, 0.3, 20],
      [ids('gpt-audio|gpt-realtime'), 32, 0.4, 64],
      [ids('gpt-audio-mini|gpt-realtime-mini'), 10, 0.3, 20],
    ] as const
  ).flatMap(([models, input, cached, output]) =>
    (
      [
        ['inputAudio', input],
        ['inputAudioCacheRead', cached],
        ['outputAudio', output],
      ] as const
    ).map(([bucket, usd]) => ({
      provider: 'openai' as const,
      models,
      bucket,
      nanosPerMillion: Math.round(usd * 1_000_000_000),
      source: OPENAI_PRICING,
      checked: '2026-12-07',
      note: FROM_MEMORY,
    })),
  ),
];
