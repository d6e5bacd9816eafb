// Derives test/fixtures/genai-prices-dataset.json from the dataset of real provider response bodies with expected
// prices of pydantic/genai-prices (tests/dataset/usages.json, MIT). Keeps one entry per (body, provider, API flavour)
// for the wire shapes TokenFence has adapters for, where the dataset gives a price and the flavour's extractor
// matches the body's wire shape; identical entries are merged with a count.
// Run: node scripts/derive-genai-prices-dataset.mjs <path-to-usages.json>
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const usagesPath = process.argv[2];
if (!usagesPath) {
  console.error('usage: node scripts/derive-genai-prices-dataset.mjs <path-to-usages.json>');
  process.exit(2);
}
const out = 'test/fixtures/genai-prices-dataset.json';

const has = (object, key) => typeof object === 'object' && object !== null && Object.hasOwn(object, key);

/**
 * Which (provider, flavour) pairs are kept, and whether a body has the wire shape that flavour reads. The dataset
 * runs every extractor on every body, so e.g. OpenAI's embeddings extractor (prompt_tokens only) also "prices" chat
 * completions, output left out: those pairings describe no real call and are dropped.
 */
const flavours = {
  'openai/chat': (body) => has(body.usage, 'prompt_tokens') && has(body.usage, 'completion_tokens'),
  'openai/responses': (body) =>
    has(body.usage, 'input_tokens') &&
    !has(body.usage, 'cache_creation_input_tokens') &&
    !has(body.usage, 'cache_read_input_tokens'),
  'openai/embeddings': (body) => has(body.usage, 'prompt_tokens') && !has(body.usage, 'completion_tokens'),
  'anthropic/default': (body) => has(body.usage, 'input_tokens') && !has(body.usage, 'input_tokens_details'),
  'google/default': (body) => has(body, 'usageMetadata'),
  'openrouter/chat': (body) => has(body.usage, 'prompt_tokens') && has(body.usage, 'completion_tokens'),
};

/** A non-negative decimal string ("0.0025", "7E-7", Python's Decimal str) as [digits, scale]: value = digits / 10^scale. */
function parseDecimal(value) {
  const match = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (!match) throw new Error(`not a plain decimal: ${value}`);
  const fraction = match[2] ?? '';
  const scale = fraction.length - Number(match[3] ?? 0);
  const digits = BigInt(match[1] + fraction);
  return scale >= 0 ? [digits, scale] : [digits * 10n ** BigInt(-scale), 0];
}

/** Exact sum of non-negative decimal strings, as a plain decimal string (no exponent, no trailing zeros). */
function addDecimals(...values) {
  const parsed = values.map(parseDecimal);
  const scale = Math.max(...parsed.map(([, s]) => s));
  const sum = parsed.reduce((total, [digits, s]) => total + digits * 10n ** BigInt(scale - s), 0n);
  const text = sum.toString().padStart(scale + 1, '0');
  if (scale === 0) return text;
  const fraction = text.slice(-scale).replace(/0+$/, '');
  return fraction ? `${text.slice(0, -scale)}.${fraction}` : text.slice(0, -scale);
}

function expectedUsd(extractor) {
  if (extractor.total_price !== undefined) return addDecimals(extractor.total_price);
  if (extractor.input_price === undefined && extractor.output_price === undefined) return undefined;
  return addDecimals(extractor.input_price ?? '0', extractor.output_price ?? '0');
}

const rows = JSON.parse(readFileSync(usagesPath, 'utf8'));
const entries = new Map();
const skippedShape = {};
for (const row of rows) {
  const { file: _file, ...body } = row.body;
  for (const { extractors, usage } of row.extracted) {
    for (const extractor of extractors) {
      const key = `${extractor.provider_id}/${extractor.api_flavor}`;
      const matches = flavours[key];
      if (!matches) continue;
      const usd = expectedUsd(extractor);
      if (usd === undefined || row.model === undefined) continue;
      if (!matches(body)) {
        skippedShape[key] = (skippedShape[key] ?? 0) + 1;
        continue;
      }
      const bodyJson = JSON.stringify(body);
      const hash = createHash('sha256').update(`${key}\n${row.model}\n${bodyJson}`).digest('hex').slice(0, 10);
      const id = `${key}/${row.model}/${hash}`;
      const known = entries.get(id);
      if (known) {
        if (known.expectedUsd !== usd) throw new Error(`${id}: identical bodies with different prices`);
        known.count += 1;
        continue;
      }
      const [provider, flavour] = key.split('/');
      entries.set(id, {
        id,
        provider,
        flavour,
        model: row.model,
        body,
        expectedUsd: usd,
        datasetUsage: usage,
        count: 1,
      });
    }
  }
}

const sorted = [...entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const fixture = {
  _source: {
    repo: 'https://github.com/pydantic/genai-prices',
    path: 'tests/dataset/usages.json',
    commit: '47df840a5ab10bbcffb8e5ac01b9899032245d1b',
    license: 'MIT',
    pricedAt: '2025-11-06T12:00:00Z',
    note:
      'Derived by scripts/derive-genai-prices-dataset.mjs: bodies without their `file` key, expectedUsd = total_price ' +
      'or input_price + output_price as computed by genai-prices at pricedAt (tests/dataset/extract_usages.py), ' +
      'identical entries merged (count).',
  },
  entries: sorted,
};
mkdirSync('test/fixtures', { recursive: true });
// One entry per line: compact, yet diffs stay readable.
const lines = sorted.map((entry) => `    ${JSON.stringify(entry)}`);
writeFileSync(
  out,
  `{\n  "_source": ${JSON.stringify(fixture._source)},\n  "entries": [\n${lines.join(',\n')}\n  ]\n}\n`,
);

const perFlavour = {};
for (const entry of sorted) {
  const key = `${entry.provider}/${entry.flavour}`;
  perFlavour[key] ??= { entries: 0, rows: 0 };
  perFlavour[key].entries += 1;
  perFlavour[key].rows += entry.count;
}
console.log(`wrote ${sorted.length} entries to ${out}`);
for (const [key, { entries: n, rows: m }] of Object.entries(perFlavour).sort()) {
  console.log(`  ${key.padEnd(20)} ${String(n).padStart(4)} entries (${m} dataset rows)`);
}
for (const [key, n] of Object.entries(skippedShape).sort()) {
  console.log(`  skipped ${n} priced ${key} rows whose body has another wire shape`);
}
