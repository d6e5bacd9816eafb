import {
  BUNDLED_PRICE_DATA_DATE,
  bundledLookup,
  createGenaiPricesSource,
  GENAI_PRICES_VERSION,
  type GenaiProvider as Provider,
} from './genai-prices-source.js';
import type { ResolvedPriceData } from './price-data-options.js';
import { dataLookup, firstOf } from './price-lookup.js';
import type { PriceSource } from './price-source.js';
import { fetchPriceData, readPriceDataFile } from './read-price-data.js';

/** Which data prices calls now. */
export type PriceDataOrigin = 'bundled' | 'file' | 'url';

/** A price source whose data can be replaced by a newer file or download. */
export interface PriceDataSource extends PriceSource {
  /** Starts loading (if not started) and settles once the file and the download are in use or have failed. */
  ready(): Promise<PriceDataOrigin>;
  readonly origin: PriceDataOrigin;
}

const DAY_MS = 86_400_000;

/** Days since the bundled data was published, at `now` (epoch ms). */
export function bundledDataAgeDays(now: number): number {
  return Math.floor((now - Date.parse(`${BUNDLED_PRICE_DATA_DATE}T00:00:00Z`)) / DAY_MS);
}

/** A URL in a warning: its origin only (a signed URL's path and query can hold a secret). */
function where(options: ResolvedPriceData, from: 'file' | 'url'): string {
  if (from === 'file') return String(options.file);
  return new URL(String(options.url)).origin;
}

function sourceOver(providers: readonly Provider[]): PriceSource {
  // Entries the newer data lacks (a trimmed file, a provider it dropped) keep their bundled price.
  return createGenaiPricesSource(firstOf(dataLookup(providers), bundledLookup));
}

/**
 * The price source of a `priceData` option: the bundled data until a newer file or download is in use. Nothing is
 * read or fetched before the first priced call (fence construction stays free of I/O); a failure is a process warning
 * (TOKENFENCE_W006) and the data in use stays — never a crash, never $0. Per call it costs one indirection over the
 * cached genai-prices source.
 */
export function createPriceDataSource(options: ResolvedPriceData): PriceDataSource {
  let current: PriceSource = createGenaiPricesSource();
  let origin: PriceDataOrigin = 'bundled';
  let loading: Promise<PriceDataOrigin> | undefined;
  let warnedStale = false;

  const warnIfStale = () => {
    const age = bundledDataAgeDays(Date.now());
    if (origin !== 'bundled' || warnedStale || !(age > options.maxAgeDays)) return;
    warnedStale = true;
    process.emitWarning(
      `TokenFence prices calls from its bundled price data (${GENAI_PRICES_VERSION}, ${BUNDLED_PRICE_DATA_DATE}), ${age} days old: prices may have changed. Update tokenfence, or load newer data with the priceData option ({ url } or { file }); priceData.maxAgeDays sets when this warns.`,
      { code: 'TOKENFENCE_W005' },
    );
  };
  const failed = (from: 'file' | 'url', error: unknown) => {
    process.emitWarning(
      `TokenFence could not load price data from ${where(options, from)} (${(error as Error).message}); it keeps pricing calls from its ${origin === 'bundled' ? `bundled data (${GENAI_PRICES_VERSION})` : `data from the ${origin}`}.`,
      { code: 'TOKENFENCE_W006' },
    );
  };
  const load = (): Promise<PriceDataOrigin> => {
    if (options.file !== undefined) {
      try {
        current = sourceOver(readPriceDataFile(options.file));
        origin = 'file';
      } catch (error) {
        failed('file', error);
      }
    }
    if (options.url === undefined) {
      warnIfStale();
      return Promise.resolve(origin);
    }
    return fetchPriceData(options.url, options.timeoutMs).then(
      (providers) => {
        current = sourceOver(providers);
        origin = 'url';
        return origin;
      },
      (error: unknown) => {
        failed('url', error);
        warnIfStale();
        return origin;
      },
    );
  };
  const start = () => {
    loading ??= load();
    return loading;
  };

  return {
    resolve(provider, model, at) {
      if (loading === undefined) start();
      return current.resolve(provider, model, at);
    },
    ready: start,
    get origin() {
      return origin;
    },
  };
}

const shared = new Map<string, PriceDataSource>();

/** One source per distinct option value: fences that name the same data share its file read, download and cache. */
export function sharedPriceDataSource(options: ResolvedPriceData): PriceDataSource {
  const key = JSON.stringify([options.file, options.url, options.maxAgeDays, options.timeoutMs]);
  let source = shared.get(key);
  if (!source) {
    source = createPriceDataSource(options);
    shared.set(key, source);
  }
  return source;
}
