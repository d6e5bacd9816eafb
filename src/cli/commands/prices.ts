import { parseArgs } from 'node:util';
import { createGenaiPricesSource, GENAI_PRICES_VERSION } from '../../pricing/genai-prices-source.js';
import type { BucketRates } from '../../pricing/model-rates.js';
import { formatUsd } from '../../reports/format-report.js';
import { type CliIo, UsageError } from '../cli-io.js';

export const PRICES_HELP = `Usage: tokenfence prices <model> [options]

The prices TokenFence will use for a model (USD per 1M tokens), and where they come from.

Options:
  --provider <id>      openai | anthropic | google | x-ai | … (default: any)
  --format <format>    table | json (default: table)
  --help               this text
`;

function describeRates(rates: BucketRates): string {
  return `input ${formatUsd(rates.input)} · cache read ${formatUsd(rates.cacheRead)} · cache write 5m ${formatUsd(rates.cacheWrite5m)} · cache write 1h ${formatUsd(rates.cacheWrite1h)} · output ${formatUsd(rates.output)}`;
}

export function pricesCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({
    args,
    options: { provider: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(PRICES_HELP);
    return 0;
  }
  const [model] = positionals;
  if (!model) throw new UsageError('name a model, e.g. tokenfence prices gpt-4o');
  const rates = createGenaiPricesSource().resolve(values.provider ?? '', model, new Date());
  if (!rates) {
    io.stderr(
      `No price is known for "${model}"${values.provider ? ` at ${values.provider}` : ''}. Give it one with the \`prices\` option.\n`,
    );
    return 1;
  }
  if (values.format === 'json') {
    io.stdout(`${JSON.stringify({ ...rates, source: GENAI_PRICES_VERSION }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `${model} → ${rates.model} (${rates.provider})`,
    `  ${describeRates(rates.base)}`,
    ...rates.tiers.map(
      (tier) => `  above ${tier.aboveInputTokens.toLocaleString('en-US')} prompt tokens: ${describeRates(tier.rates)}`,
    ),
    `  max output: ${rates.maxOutputTokens === undefined ? 'unknown (4,096 is injected when a request sets no cap)' : `${rates.maxOutputTokens.toLocaleString('en-US')} tokens`}`,
    `  source: ${GENAI_PRICES_VERSION} (bundled, no network); max output from the LiteLLM snapshot of 2026-07-24`,
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
