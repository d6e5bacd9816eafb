import { describe, expect, it } from 'vitest';
import type { FeeKind } from '../../core/usage.js';
import { createGenaiPricesSource } from '../genai-prices-source.js';
import { FEE_RATES, type FeeRate, TIER_MULTIPLIERS, type TierMultiplier } from './extra-rates.js';

type Provider = FeeRate['provider'];

function fee(provider: Provider, fee: FeeKind, model: string): FeeRate {
  const row = FEE_RATES.find((r) => r.provider === provider && r.fee === fee && r.models.test(model));
  if (!row) throw new Error(`no ${provider} ${fee} row for ${model}`);
  return row;
}

function tier(provider: Provider, name: string, model: string): TierMultiplier {
  const row = TIER_MULTIPLIERS.find((r) => r.provider === provider && r.tier === name && r.models.test(model));
  if (!row) throw new Error(`no ${provider} ${name} row for ${model}`);
  return row;
}

const today = new Date();
const rows: readonly (FeeRate | TierMultiplier)[] = [...FEE_RATES, ...TIER_MULTIPLIERS];

describe('extra rates: every row', () => {
  it.each(rows.map((row, i) => [i, row] as const))(
    'row %i has an https source and a past, valid checked date',
    (_, row) => {
      expect(new URL(row.source).protocol).toBe('https:');
      expect(row.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const checked = new Date(`${row.checked}T00:00:00Z`);
      expect(Number.isNaN(checked.getTime())).toBe(false);
      expect(checked.toISOString().slice(0, 10)).toBe(row.checked);
      expect(checked.getTime()).toBeLessThanOrEqual(today.getTime());
    },
  );

  it.each(FEE_RATES.map((row, i) => [i, row] as const))(
    'fee row %i costs a positive integer of nanos per unit',
    (_, row) => {
      expect(Number.isSafeInteger(row.nanosPerUnit)).toBe(true);
      expect(row.nanosPerUnit).toBeGreaterThan(0);
      expect(row.unit.length).toBeGreaterThan(0);
    },
  );

  it.each(TIER_MULTIPLIERS.map((row, i) => [i, row] as const))('tier row %i has permille in (0, 10000]', (_, row) => {
    for (const permille of [row.inputPermille, row.outputPermille]) {
      expect(Number.isInteger(permille)).toBe(true);
      expect(permille).toBeGreaterThan(0);
      expect(permille).toBeLessThanOrEqual(10_000);
    }
  });

  it('ends every provider/fee with a catch-all, so an unknown model is still charged', () => {
    const kinds = new Set(FEE_RATES.map((r) => `${r.provider}:${r.fee}`));
    for (const kind of kinds) {
      const [provider, name] = kind.split(':') as [Provider, FeeKind];
      expect(fee(provider, name, 'some-future-model-9000')).toBeDefined();
    }
  });

  it('ends every provider/tier with a catch-all that is the largest multiplier of its group', () => {
    const groups = new Map<string, TierMultiplier[]>();
    for (const row of TIER_MULTIPLIERS) {
      const key = `${row.provider}:${row.tier}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const [key, group] of groups) {
      const last = group.at(-1);
      expect(last?.models.test('some-future-model-9000'), key).toBe(true);
      // Rows before the catch-all must not already match everything (they would shadow it).
      for (const row of group.slice(0, -1)) expect(row.models.test('some-future-model-9000'), key).toBe(false);
      if (key.endsWith(':priority') || key.endsWith(':fast') || key.endsWith(':ultrafast')) {
        const max = Math.max(...group.map((r) => Math.max(r.inputPermille, r.outputPermille)));
        expect(Math.min(last?.inputPermille ?? 0, last?.outputPermille ?? 0), key).toBe(max);
      }
    }
  });
});

describe('extra rates: worked examples', () => {
  it('10 Anthropic web searches cost $0.10', () => {
    expect(10 * fee('anthropic', 'webSearch', 'claude-opus-5-5').nanosPerUnit).toBe(100_000_000);
  });

  it('OpenAI web search: $10 / 1k calls on reasoning models, $25 / 1k on search-preview and 4o / 4.1 models', () => {
    expect(fee('openai', 'webSearch', 'gpt-5').nanosPerUnit).toBe(10_000_000);
    expect(fee('openai', 'webSearch', 'gpt-6-astra').nanosPerUnit).toBe(10_000_000);
    expect(fee('openai', 'webSearch', 'gpt-4o-search-preview-2025-03-11').nanosPerUnit).toBe(25_000_000);
    expect(fee('openai', 'webSearch', 'gpt-4o-search-preview').unit).toBe('search');
    expect(fee('openai', 'webSearch', 'gpt-4.1-mini').nanosPerUnit).toBe(25_000_000);
  });

  it('OpenAI file search is $2.50 / 1k calls, a 1 GB container session $0.03', () => {
    expect(1000 * fee('openai', 'fileSearch', 'gpt-5.4').nanosPerUnit).toBe(2_500_000_000);
    expect(fee('openai', 'codeExecution', 'gpt-5.4').nanosPerUnit).toBe(30_000_000);
  });

  it('Anthropic code execution: one container hour is $0.05', () => {
    expect(fee('anthropic', 'codeExecution', 'claude-sonnet-5').nanosPerUnit).toBe(50_000_000);
  });

  it('Gemini grounding: per query on Gemini 3+, per grounded prompt on 2.x', () => {
    const g3 = fee('google', 'googleSearch', 'gemini-3.5-flash');
    expect([g3.nanosPerUnit, g3.unit]).toEqual([14_000_000, 'search query']);
    const g25 = fee('google', 'googleSearch', 'gemini-2.5-pro');
    expect([g25.nanosPerUnit, g25.unit]).toEqual([35_000_000, 'grounded prompt']);
    expect(fee('google', 'googleMaps', 'gemini-2.5-flash').nanosPerUnit).toBe(25_000_000);
    expect(fee('google', 'googleMaps', 'gemini-3.1-pro-preview').nanosPerUnit).toBe(14_000_000);
  });

  it('OpenAI Fast mode: gpt-5 is 2× standard under both wire names, gpt-5.5 2.5×, gpt-5-mini 1.8×', () => {
    for (const name of ['priority', 'fast']) {
      expect(tier('openai', name, 'gpt-5')).toMatchObject({ inputPermille: 2000, outputPermille: 2000 });
      expect(tier('openai', name, 'gpt-5-2025-08-07').inputPermille).toBe(2000);
      expect(tier('openai', name, 'gpt-5.5').inputPermille).toBe(2500);
      expect(tier('openai', name, 'gpt-5-mini').inputPermille).toBe(1800);
      expect(tier('openai', name, 'gpt-4o-2024-05-13').outputPermille).toBe(1750);
      expect(tier('openai', name, 'gpt-4o-2024-08-06').outputPermille).toBe(1700);
      expect(tier('openai', name, 'gpt-4o-mini').outputPermille).toBe(1667);
      expect(tier('openai', name, 'gpt-6.2-astra').inputPermille).toBe(2500);
    }
  });

  it('OpenAI Fast mode on gpt-5 doubles the bundled standard rates ($1.25 → $2.50 per MTok input)', () => {
    const rates = createGenaiPricesSource().resolve('openai', 'gpt-5', new Date('2026-12-07T00:00:00Z'));
    expect(rates?.base.input).toBe(1_250_000_000);
    const multiplier = tier('openai', 'priority', 'gpt-5');
    expect(((rates?.base.input ?? 0) * multiplier.inputPermille) / 1000).toBe(2_500_000_000);
    expect(((rates?.base.output ?? 0) * multiplier.outputPermille) / 1000).toBe(20_000_000_000);
  });

  it('Flex and Batch halve supported models; an unknown model gets no Flex discount', () => {
    expect(tier('openai', 'flex', 'o3').inputPermille).toBe(500);
    expect(tier('openai', 'flex', 'gpt-6-sol').inputPermille).toBe(500);
    expect(tier('openai', 'flex', 'gpt-4o').inputPermille).toBe(1000);
    expect(tier('openai', 'batch', 'gpt-4o').inputPermille).toBe(500);
    expect(tier('anthropic', 'batch', 'claude-opus-5-5').outputPermille).toBe(500);
    expect(tier('google', 'flex', 'gemini-3.5-flash').inputPermille).toBe(500);
    expect(tier('google', 'batch', 'gemini-2.5-pro').inputPermille).toBe(500);
  });

  it('Anthropic modes: Opus 4.6 fast is 6×, Opus 5.5 fast 2×, unknown fast 6×, US-only inference 1.1×', () => {
    expect(tier('anthropic', 'fast', 'claude-opus-4-6')).toMatchObject({ inputPermille: 6000, outputPermille: 6000 });
    expect(tier('anthropic', 'fast', 'claude-opus-5-5').inputPermille).toBe(2000);
    expect(tier('anthropic', 'fast', 'claude-opus-5').inputPermille).toBe(2000);
    expect(tier('anthropic', 'fast', 'claude-fable-5-2').inputPermille).toBe(6000);
    expect(tier('anthropic', 'inference_geo:us', 'claude-sonnet-5').outputPermille).toBe(1100);
    expect(tier('anthropic', 'priority', 'claude-opus-5-5').inputPermille).toBe(1000);
  });

  it('Gemini priority is the conservative 2×', () => {
    expect(tier('google', 'priority', 'gemini-3.5-flash').outputPermille).toBe(2000);
  });
});
