import { InvalidOptionsError } from '../errors/invalid-options-error.js';

/** The `priceData` option: newer genai-prices data than the bundled copy, and when to warn that it is old. */
export interface PriceDataOptions {
  /** A genai-prices v2 `data.json` on disk (the format `updatePrices()` takes): read once, at the first priced call. */
  file?: string;
  /**
   * Where to download that file (e.g. genai-prices' `REMOTE_DATA_JSON_URL`): fetched in the background from the
   * first priced call; the bundled data prices calls until it arrives.
   */
  url?: string;
  /** Warn (TOKENFENCE_W005) when the bundled data in use is older than this many days. @default 60 */
  maxAgeDays?: number;
  /** Give up on `url` after this long, ms. @default 10000 */
  timeoutMs?: number;
}

export interface ResolvedPriceData {
  file: string | undefined;
  url: string | undefined;
  maxAgeDays: number;
  timeoutMs: number;
}

export const DEFAULT_PRICE_DATA: Readonly<ResolvedPriceData> = Object.freeze({
  file: undefined,
  url: undefined,
  maxAgeDays: 60,
  timeoutMs: 10_000,
});

const FIELDS = new Set(['file', 'url', 'maxAgeDays', 'timeoutMs']);

/** Validates `priceData` without touching the file system or the network. */
export function parsePriceDataOptions(value: unknown): ResolvedPriceData | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionsError('priceData', 'expected { file?, url?, maxAgeDays?, timeoutMs? }');
  }
  for (const key of Object.keys(value)) {
    if (!FIELDS.has(key)) throw new InvalidOptionsError(`priceData.${key}`, 'unknown field');
  }
  const { file, url, maxAgeDays, timeoutMs } = value as Record<string, unknown>;
  if (file !== undefined && (typeof file !== 'string' || file.trim() === '')) {
    throw new InvalidOptionsError('priceData.file', 'expected a path to a genai-prices data.json');
  }
  if (url !== undefined && !isHttpUrl(url)) {
    throw new InvalidOptionsError('priceData.url', 'expected an http(s) URL without a user name or password');
  }
  if (maxAgeDays !== undefined && !(typeof maxAgeDays === 'number' && maxAgeDays > 0)) {
    throw new InvalidOptionsError('priceData.maxAgeDays', 'expected a number of days > 0 (Infinity: never warn)');
  }
  if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && (timeoutMs as number) >= 1)) {
    throw new InvalidOptionsError('priceData.timeoutMs', 'expected a whole number of milliseconds ≥ 1');
  }
  return {
    file: file as string | undefined,
    url: url as string | undefined,
    maxAgeDays: (maxAgeDays as number | undefined) ?? DEFAULT_PRICE_DATA.maxAgeDays,
    timeoutMs: (timeoutMs as number | undefined) ?? DEFAULT_PRICE_DATA.timeoutMs,
  };
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol, username, password } = new URL(value);
    // Credentials in a URL end up in fetch's own error messages: refused rather than risked in a warning.
    return (protocol === 'https:' || protocol === 'http:') && username === '' && password === '';
  } catch {
    return false;
  }
}
