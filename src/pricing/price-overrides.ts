import { decimalToNanos } from '../core/money.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import type { ModelRates } from './model-rates.js';
import { modelMaxOutputTokens } from './model-token-limits.js';
import { normalizeModelId } from './normalize-model-id.js';
import type { PriceSource } from './price-source.js';

/** A user price for one model, USD per 1M tokens (numbers or decimal strings such as "2.50"). */
export interface ModelPriceOverride {
  /** Uncached input, USD per 1M tokens. */
  input: number | string;
  /** Output (reasoning included), USD per 1M tokens. */
  output: number | string;
  /** Cache reads, USD per 1M tokens. @default input */
  cachedInput?: number | string;
  /** 5-minute cache writes, USD per 1M tokens. @default input */
  cacheWrite?: number | string;
  /** 1-hour cache writes, USD per 1M tokens. @default cacheWrite */
  cacheWrite1h?: number | string;
  /** Largest output of the model, tokens: reserved when a request sets no cap. */
  maxOutputTokens?: number;
}

export type PriceTable = Readonly<Record<string, ModelPriceOverride>>;

/** A price above this, USD per 1M tokens, is almost certainly a unit mistake and is refused. */
const MAX_PRICE_PER_MILLION_USD = 10_000;
const MAX_PRICE_NANOS = MAX_PRICE_PER_MILLION_USD * 1_000_000_000;
const PRICE_FIELDS = ['input', 'output', 'cachedInput', 'cacheWrite', 'cacheWrite1h', 'maxOutputTokens'] as const;

function parsePrice(value: unknown, option: string): number {
  const nanos =
    (typeof value === 'number' && value >= 0) || typeof value === 'string'
      ? decimalToNanos(value as number | string, 'ceil')
      : null;
  if (nanos === null) throw new InvalidOptionsError(option, 'expected a non-negative USD amount per 1M tokens');
  if (nanos > MAX_PRICE_NANOS) {
    throw new InvalidOptionsError(
      option,
      `above $${MAX_PRICE_PER_MILLION_USD} per 1M tokens; prices are USD per 1M tokens`,
    );
  }
  return nanos;
}

function parseOverride(model: string, raw: unknown, provider: string): ModelRates {
  const option = `prices.${model}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidOptionsError(option, 'expected { input, output } in USD per 1M tokens');
  }
  const entry = raw as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!(PRICE_FIELDS as readonly string[]).includes(key))
      throw new InvalidOptionsError(`${option}.${key}`, 'unknown field');
  }
  const input = parsePrice(entry.input, `${option}.input`);
  const output = parsePrice(entry.output, `${option}.output`);
  const cacheWrite5m = entry.cacheWrite === undefined ? input : parsePrice(entry.cacheWrite, `${option}.cacheWrite`);
  const maxOutput = entry.maxOutputTokens;
  if (maxOutput !== undefined && !(Number.isSafeInteger(maxOutput) && (maxOutput as number) > 0)) {
    throw new InvalidOptionsError(`${option}.maxOutputTokens`, 'expected a positive integer');
  }
  return {
    model,
    provider,
    base: {
      input,
      output,
      cacheRead: entry.cachedInput === undefined ? input : parsePrice(entry.cachedInput, `${option}.cachedInput`),
      cacheWrite5m,
      cacheWrite1h:
        entry.cacheWrite1h === undefined ? cacheWrite5m : parsePrice(entry.cacheWrite1h, `${option}.cacheWrite1h`),
    },
    tiers: [],
    origin: 'override',
    maxOutputTokens: (maxOutput as number | undefined) ?? modelMaxOutputTokens(model),
  };
}

/** Validates a user price table once, at construction. Throws InvalidOptionsError on any bad entry. */
export function parsePriceTable(table: unknown): Map<string, Omit<ModelRates, 'provider'>> {
  const parsed = new Map<string, Omit<ModelRates, 'provider'>>();
  if (table === undefined) return parsed;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new InvalidOptionsError('prices', 'expected an object of model id → { input, output }');
  }
  for (const model of Object.keys(table)) {
    if (model === '__proto__' || model === 'constructor' || model === 'prototype' || model.trim() === '') {
      throw new InvalidOptionsError(`prices.${model}`, 'not a usable model id');
    }
    const { provider: _unused, ...rates } = parseOverride(model, (table as Record<string, unknown>)[model], '');
    parsed.set(normalizeModelId(model), rates);
  }
  return parsed;
}

/** User prices first (exact id, then normalised), then the fallback source. */
export function withPriceOverrides(
  overrides: ReadonlyMap<string, Omit<ModelRates, 'provider'>>,
  fallback: PriceSource,
): PriceSource {
  if (overrides.size === 0) return fallback;
  return {
    resolve(provider, model, at) {
      const override = overrides.get(normalizeModelId(model));
      return override ? { ...override, provider } : fallback.resolve(provider, model, at);
    },
  };
}
