import type { FeeKind } from '../../core/usage.js';

export type { FeeKind };

/** A server-side tool or grounding charge, counted per unit. */
export interface FeeRate {
  provider: 'openai' | 'anthropic' | 'google';
  /** Model ids the row applies to (matched against the normalized id); the first matching row wins. */
  models: RegExp;
  fee: FeeKind;
  /** Integer nano-USD per unit (e.g. $10 per 1,000 searches → 10_000_000). */
  nanosPerUnit: number;
  /** What one unit is, in words. */
  unit: string;
  source: string;
  /** YYYY-MM-DD the source was read. */
  checked: string;
  note?: string;
}

/** A service tier or mode that scales a model's token rates. Multipliers are per mille (1000 = ×1). */
export interface TierMultiplier {
  provider: 'openai' | 'anthropic' | 'google';
  tier: string;
  models: RegExp;
  inputPermille: number;
  outputPermille: number;
  source: string;
  checked: string;
  note?: string;
}

export const FEE_RATES: readonly FeeRate[] = [
  {
    provider: 'anthropic',
    models: /.*/,
    fee: 'webSearch',
    nanosPerUnit: 10_000_000,
    unit: 'search',
    source: 'https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool',
    checked: '2026-12-07',
  },
];

export const TIER_MULTIPLIERS: readonly TierMultiplier[] = [
  {
    provider: 'openai',
    tier: 'flex',
    models: /.*/,
    inputPermille: 500,
    outputPermille: 500,
    source: 'https://platform.openai.com/docs/guides/flex-processing',
    checked: '2026-12-07',
  },
];
