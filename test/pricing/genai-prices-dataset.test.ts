/**
 * Real provider response bodies with the prices genai-prices computes for them (pydantic/genai-prices
 * tests/dataset/usages.json, MIT; derived by scripts/derive-genai-prices-dataset.mjs). Each body goes through OUR
 * adapter for its wire shape and OUR engine; the figure must match genai-prices to 1 n$. Known differences are listed
 * with their cause in genai-prices-dataset-differences.json, and a listed entry that has become exact fails the test
 * so the list only shrinks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decimalToNanos } from '../../src/core/money.js';
import type { NormalizedUsage } from '../../src/core/usage.js';
import { createGenaiPricesSource } from '../../src/pricing/genai-prices-source.js';
import { priceUsage } from '../../src/pricing/price-usage.js';
import { normalizeAnthropicUsage } from '../../src/providers/anthropic/normalize-anthropic-usage.js';
import { geminiUsageOf } from '../../src/providers/google-genai/normalize-gemini-usage.js';
import { openAIInputUsageFromJson } from '../../src/providers/openai/normalize-openai-usage.js';
import { openAIChatUsageFromJson } from '../../src/providers/openai/openai-chat-usage.js';
import { openAIResponseUsage } from '../../src/providers/openai/openai-responses-usage.js';

interface DatasetEntry {
  id: string;
  provider: string;
  flavour: string;
  model: string;
  body: Record<string, unknown>;
  /** genai-prices' total price, a decimal USD string. */
  expectedUsd: string;
  /** The usage genai-prices extracted (informational: what our adapter should see). */
  datasetUsage: Record<string, number>;
  /** How many identical bodies the dataset has. */
  count: number;
}

interface Dataset {
  _source: { commit: string; pricedAt: string };
  entries: DatasetEntry[];
}

interface Differences {
  differences: Record<string, { reason: string }>;
}

function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const dataset = readFixture<Dataset>('genai-prices-dataset.json');
const listed = readFixture<Differences>('genai-prices-dataset-differences.json').differences;

/** genai-prices priced the dataset at this instant (tests/dataset/extract_usages.py), so do we. */
const pricedAt = new Date(dataset._source.pricedAt);
const source = createGenaiPricesSource();

/** Our adapter for the entry's wire shape, exactly as the provider integrations call it. */
function adapterUsage(entry: DatasetEntry): NormalizedUsage | null {
  switch (`${entry.provider}/${entry.flavour}`) {
    case 'openai/chat':
    case 'openrouter/chat':
      return openAIChatUsageFromJson(entry.body);
    case 'openai/responses':
      return openAIResponseUsage(entry.body);
    case 'openai/embeddings':
      return openAIInputUsageFromJson(entry.body);
    case 'anthropic/default':
      return normalizeAnthropicUsage(entry.body.usage, undefined);
    case 'google/default':
      return geminiUsageOf(entry.body);
    default:
      throw new Error(`${entry.id}: no adapter for ${entry.provider}/${entry.flavour}`);
  }
}

interface Outcome {
  entry: DatasetEntry;
  expected: number;
  /** Our price in n$, or why there is none. */
  ours: number | string;
  exact: boolean;
}

function priceEntry(entry: DatasetEntry): Outcome {
  const expected = decimalToNanos(entry.expectedUsd, 'ceil');
  if (expected === null) throw new Error(`${entry.id}: bad expectedUsd ${entry.expectedUsd}`);
  const usage = adapterUsage(entry);
  const rates = source.resolve(entry.provider, entry.model, pricedAt);
  const ours = !usage ? 'no usage' : !rates ? 'no rates' : priceUsage(usage, rates);
  return { entry, expected, ours, exact: typeof ours === 'number' && Math.abs(ours - expected) <= 1 };
}

const outcomes = dataset.entries.map(priceEntry);
const groups = [...new Set(outcomes.map(({ entry }) => `${entry.provider}/${entry.flavour}`))].sort();

function describeOutcome({ entry, expected, ours }: Outcome): string {
  const reason = listed[entry.id]?.reason;
  return (
    `${entry.id}: ours ${ours} n$, genai-prices ${expected} n$` +
    `${reason ? ` (listed: ${reason})` : ''}; usage ${JSON.stringify(entry.datasetUsage)}`
  );
}

function figures(of: readonly Outcome[]): string {
  const exact = of.filter((outcome) => outcome.exact);
  const rows = (list: readonly Outcome[]) => list.reduce((sum, { entry }) => sum + entry.count, 0);
  return `${exact.length}/${of.length} exact (dataset rows ${rows(exact)}/${rows(of)})`;
}

describe(`genai-prices dataset (pydantic/genai-prices@${dataset._source.commit.slice(0, 8)})`, () => {
  it('has entries for every wire shape we adapt, each with a known id', () => {
    expect(groups).toEqual([
      'anthropic/default',
      'google/default',
      'openai/chat',
      'openai/embeddings',
      'openai/responses',
      'openrouter/chat',
    ]);
    expect(new Set(dataset.entries.map((entry) => entry.id)).size).toBe(dataset.entries.length);
  });

  it.each(groups)('%s: every entry not on the differences list is priced exactly (to 1 n$)', (group) => {
    const unexpected = outcomes.filter(
      (outcome) =>
        `${outcome.entry.provider}/${outcome.entry.flavour}` === group &&
        !outcome.exact &&
        listed[outcome.entry.id] === undefined,
    );
    expect(
      unexpected.map(describeOutcome),
      'differs from genai-prices: fix it, or add it to test/fixtures/genai-prices-dataset-differences.json',
    ).toEqual([]);
  });

  it('every entry on the differences list still differs (once exact, remove it from the list)', () => {
    const fixed = outcomes.filter((outcome) => outcome.exact && listed[outcome.entry.id] !== undefined);
    expect(
      fixed.map(describeOutcome),
      'exact now: remove it from test/fixtures/genai-prices-dataset-differences.json',
    ).toEqual([]);
  });

  it('the differences list names only entries of the dataset, each with a reason', () => {
    const ids = new Set(dataset.entries.map((entry) => entry.id));
    expect(Object.keys(listed).filter((id) => !ids.has(id))).toEqual([]);
    expect(Object.entries(listed).filter(([, { reason }]) => typeof reason !== 'string' || reason === '')).toEqual([]);
  });

  it('reports the figures', async ({ annotate }) => {
    const lines = [`all ${figures(outcomes)}`];
    for (const group of groups) {
      lines.push(`${group} ${figures(outcomes.filter(({ entry }) => `${entry.provider}/${entry.flavour}` === group))}`);
    }
    const reasons = new Map<string, number>();
    for (const { reason } of Object.values(listed)) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    for (const [reason, count] of [...reasons].sort(([, a], [, b]) => b - a)) lines.push(`differs: ${count} ${reason}`);
    const report = `genai-prices dataset: ${lines.join('\n  ')}`;
    console.log(report);
    await annotate(report);
    expect(outcomes.some((outcome) => outcome.exact)).toBe(true);
  });
});
