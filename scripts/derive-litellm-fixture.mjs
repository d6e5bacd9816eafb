// Derives the compact LiteLLM fixture that src/pricing/price-usage.test.ts cross-checks our rates against, so the
// test suite never reads outside the repository. Keeps only the models that test names and only the cost keys it
// compares. Run: node scripts/derive-litellm-fixture.mjs <path-to-litellm-model-prices-2026-07-24.json>
import { readFileSync, writeFileSync } from 'node:fs';

const snapshotPath = process.argv[2];
if (!snapshotPath) {
  console.error('usage: node scripts/derive-litellm-fixture.mjs <path-to-litellm-model-prices-2026-07-24.json>');
  process.exit(2);
}
const out = 'src/pricing/__fixtures__/litellm-prices-2026-07-24.json';
const models = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'o3',
  'o4-mini',
  'gpt-5',
  'gpt-5-mini',
  'gpt-5-nano',
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-5-20251101',
];
const keys = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
];

const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8'));
const fixture = {
  _source:
    'BerriAI/litellm model_prices_and_context_window.json, snapshot 2026-07-24 (MIT); ' +
    'derived by scripts/derive-litellm-fixture.mjs: only the entries and cost keys price-usage.test.ts uses',
};
for (const model of models) {
  const entry = snapshot[model];
  if (!entry) throw new Error(`${model} missing from ${snapshotPath}`);
  const kept = {};
  for (const key of keys) if (typeof entry[key] === 'number') kept[key] = entry[key];
  fixture[model] = kept;
}
writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
console.log(`wrote ${models.length} entries to ${out}`);
