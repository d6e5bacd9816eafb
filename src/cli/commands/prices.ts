import { parseArgs } from 'node:util';
import { FEE_RATES } from '../../pricing/data/extra-rates.js';
import {
  BUNDLED_PRICE_DATA_DATE,
  createGenaiPricesSource,
  GENAI_PRICES_VERSION,
} from '../../pricing/genai-prices-source.js';
import type { BucketRates, ModelRates, TierScale } from '../../pricing/model-rates.js';
import { normalizeModelId } from '../../pricing/normalize-model-id.js';
import { bundledDataAgeDays } from '../../pricing/price-data-source.js';
import { formatUsd } from '../../reports/format-report.js';
import { type CliIo, UsageError } from '../cli-io.js';

export const PRICES_HELP = `Usage: tokenfence prices <model> [options]

Every rate TokenFence will use for a model, and where it comes from: tokens (USD per 1M; cache, audio, image and
video rates; long-context tiers), per-use fees (searches, tool calls, per request), and service tiers and modes
with the rates they give. Aggregator ids work: tokenfence prices --provider openrouter openai/gpt-4o

Options:
  --provider <id>      openai | anthropic | google | openrouter | together | groq | … (default: any)
  --format <format>    table | json (default: table; in json every key names its unit: inputUsdPerMTok,
                       usdPerUnit, usdPerRequest)
  --help               this text
`;

type FeeKind = keyof NonNullable<ModelRates['fees']>;
type ModalityBucket = keyof NonNullable<BucketRates['modalities']>;

const TOKEN_COLUMNS = [
  ['input', 'input'],
  ['cacheRead', 'cache read'],
  ['cacheWrite5m', 'cache write 5m'],
  ['cacheWrite1h', 'cache write 1h'],
  ['output', 'output'],
] as const;

const MODALITY_NAMES: Readonly<Record<ModalityBucket, string>> = {
  inputAudio: 'audio input',
  inputAudioCacheRead: 'audio cache read',
  inputImage: 'image input',
  inputImageCacheRead: 'image cache read',
  inputVideo: 'video input',
  inputVideoCacheRead: 'video cache read',
  outputAudio: 'audio output',
  outputImage: 'image output',
};

/** Units of fees that come from the dataset alone (the extra-rates table names its own). */
const DEFAULT_FEE_UNITS: Readonly<Record<FeeKind, string>> = {
  webSearch: 'search',
  webFetch: 'fetch',
  fileSearch: 'tool call',
  codeExecution: 'container session',
  googleSearch: 'grounded prompt',
  googleMaps: 'grounded prompt',
};

const MODALITY_BUCKETS = Object.keys(MODALITY_NAMES) as ModalityBucket[];
const FEE_KINDS = Object.keys(DEFAULT_FEE_UNITS) as FeeKind[];

/** One set of token rates: the standard rates, a long-context tier, or a service tier applied to them. */
interface RateRow {
  name: string;
  rates: BucketRates;
}

interface Fee {
  fee: FeeKind | 'request';
  usdPerUnit: number;
  unit: string;
  source?: string;
  checked?: string;
}

function scaled(rates: BucketRates, scale: TierScale): BucketRates {
  const input = (rate: number) => (rate * scale.inputPermille) / 1000;
  const output = (rate: number) => (rate * scale.outputPermille) / 1000;
  const result: BucketRates = {
    input: input(rates.input),
    cacheRead: input(rates.cacheRead),
    cacheWrite5m: input(rates.cacheWrite5m),
    cacheWrite1h: input(rates.cacheWrite1h),
    output: output(rates.output),
  };
  if (rates.modalities) {
    const modalities: Partial<Record<ModalityBucket, number>> = {};
    for (const [bucket, rate] of Object.entries(rates.modalities) as Array<[ModalityBucket, number]>) {
      modalities[bucket] = bucket.startsWith('output') ? output(rate) : input(rate);
    }
    result.modalities = modalities;
  }
  return result;
}

function rateRows(rates: ModelRates): RateRow[] {
  const rows: RateRow[] = [{ name: 'standard', rates: rates.base }];
  for (const tier of rates.tiers) {
    rows.push({ name: `> ${tier.aboveInputTokens.toLocaleString('en-US')} prompt tokens`, rates: tier.rates });
  }
  for (const [tier, scale] of Object.entries(rates.tierScales ?? {})) {
    rows.push({
      name: `${tier} (×${scale.inputPermille / 1000} in, ×${scale.outputPermille / 1000} out)`,
      rates: scaled(rates.base, scale),
    });
  }
  return rows;
}

function fees(rates: ModelRates): Fee[] {
  const id = normalizeModelId(rates.model);
  const list: Fee[] = [];
  for (const fee of FEE_KINDS) {
    const nanos = rates.fees?.[fee];
    if (nanos === undefined) continue;
    // The row the fee came from (the same first-match rule the rates use); none for a fee from the dataset.
    const row = FEE_RATES.find((rate) => rate.provider === rates.provider && rate.fee === fee && rate.models.test(id));
    list.push({
      fee,
      usdPerUnit: nanos / 1e9,
      unit: row?.unit ?? DEFAULT_FEE_UNITS[fee],
      ...(row ? { source: row.source, checked: row.checked } : {}),
    });
  }
  if (rates.requestNanos) list.push({ fee: 'request', usdPerUnit: rates.requestNanos / 1e9, unit: 'request' });
  return list;
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const perMillion = (nanos: number) => formatUsd(nanos);

function describeSource(rates: ModelRates, provider: string | undefined): string {
  const where = provider && rates.provider !== provider ? ` (no entry at ${provider}: the vendor's list price)` : '';
  return `${rates.model} at ${rates.provider}${where}`;
}

function textReport(model: string, provider: string | undefined, rates: ModelRates, now: number): string[] {
  const rows = rateRows(rates);
  const lines = [`${model} → ${describeSource(rates, provider)}`, '', 'Tokens, USD per 1M'];
  lines.push(
    ...table(
      ['', ...TOKEN_COLUMNS.map(([, title]) => title)],
      rows.map((row) => [row.name, ...TOKEN_COLUMNS.map(([key]) => perMillion(row.rates[key]))]),
    ).map((line) => `  ${line}`),
  );
  if (TOKEN_COLUMNS.every(([key]) => rates.base[key] === 0)) lines.push('  free: the price data lists no price for it');
  const modalities = MODALITY_BUCKETS.filter((bucket) =>
    rows.some((row) => row.rates.modalities?.[bucket] !== undefined),
  );
  if (modalities.length > 0) {
    lines.push('', 'Audio, image and video tokens, USD per 1M (others bill at the text rate)');
    lines.push(
      ...table(
        ['', ...modalities.map((bucket) => MODALITY_NAMES[bucket])],
        rows.map((row) => [
          row.name,
          ...modalities.map((bucket) => {
            const rate = row.rates.modalities?.[bucket];
            return rate === undefined ? '-' : perMillion(rate);
          }),
        ]),
      ).map((line) => `  ${line}`),
    );
  }
  const feeList = fees(rates);
  if (feeList.length > 0) {
    lines.push('', 'Per-use fees');
    lines.push(
      ...table(
        ['', 'USD per unit', 'unit', 'source'],
        feeList.map((fee) => [
          fee.fee,
          formatUsd(fee.usdPerUnit * 1e9, 6),
          fee.unit,
          fee.source ? `${fee.source} (${fee.checked})` : GENAI_PRICES_VERSION,
        ]),
      ).map((line) => `  ${line}`),
    );
  }
  if (!rates.tierScales) lines.push('', 'Service tiers and modes: none known (standard rates only)');
  lines.push(
    '',
    `max output: ${rates.maxOutputTokens === undefined ? 'unknown (4,096 is injected when a request sets no cap)' : `${rates.maxOutputTokens.toLocaleString('en-US')} tokens`}`,
    rates.origin === 'override'
      ? 'source: your `prices` option'
      : `source: ${GENAI_PRICES_VERSION} of ${BUNDLED_PRICE_DATA_DATE} (bundled, no network; ${bundledDataAgeDays(now)} days old), fees and tiers from TokenFence's extra-rates table; max output from the LiteLLM snapshot of 2026-07-24`,
  );
  return lines;
}

/** Token rates with the unit in every key: `inputUsdPerMTok` is USD per 1M input tokens. */
function ratesJson(rates: BucketRates): Record<string, number> {
  const json: Record<string, number> = {};
  for (const [key] of TOKEN_COLUMNS) json[`${key}UsdPerMTok`] = rates[key] / 1e9;
  for (const bucket of MODALITY_BUCKETS) {
    const rate = rates.modalities?.[bucket];
    if (rate !== undefined) json[`${bucket}UsdPerMTok`] = rate / 1e9;
  }
  return json;
}

/**
 * `--format json`: every number says its unit in its key (`inputUsdPerMTok`, `usdPerUnit`,
 * `usdPerRequest`), so a script cannot mistake nano-USD for USD or per-token for per-1M.
 */
function jsonReport(rates: ModelRates, provider: string | undefined): unknown {
  return {
    model: rates.model,
    provider: rates.provider,
    origin: rates.origin,
    vendorListPrice: provider !== undefined && rates.provider !== provider,
    maxOutputTokens: rates.maxOutputTokens ?? null,
    standard: ratesJson(rates.base),
    longContextTiers: rates.tiers.map((tier) => ({
      aboveInputTokens: tier.aboveInputTokens,
      ...ratesJson(tier.rates),
    })),
    serviceTiers: Object.entries(rates.tierScales ?? {}).map(([tier, scale]) => ({
      tier,
      inputScale: scale.inputPermille / 1000,
      outputScale: scale.outputPermille / 1000,
      ...ratesJson(scaled(rates.base, scale)),
    })),
    perUseFees: fees(rates),
    usdPerRequest: (rates.requestNanos ?? 0) / 1e9,
    source: GENAI_PRICES_VERSION,
    dataDate: BUNDLED_PRICE_DATA_DATE,
  };
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
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not ${format}`);
  const provider = values.provider?.toLowerCase();
  const rates = createGenaiPricesSource().resolve(provider ?? '', model, new Date());
  if (!rates) {
    io.stderr(
      `No price is known for "${model}"${provider ? ` at ${provider}` : ''}. Give it one with the \`prices\` option.\n`,
    );
    return 1;
  }
  if (format === 'json') {
    io.stdout(`${JSON.stringify(jsonReport(rates, provider), null, 2)}\n`);
    return 0;
  }
  io.stdout(`${textReport(model, provider, rates, Date.now()).join('\n')}\n`);
  return 0;
}
