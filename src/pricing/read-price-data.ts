import { readFileSync } from 'node:fs';
import type { GenaiProvider as Provider } from './genai-prices-source.js';

/** A data file larger than this is not a price list. */
const MAX_BYTES = 64 * 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape `calcPrice` relies on (providers with ids and models, models with a matcher and prices); a price
 * entry that is malformed inside is caught where it is used (a miss, priced from the bundled data).
 */
export function parsePriceData(text: string): Provider[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data) || data.length === 0) throw new Error('expected a non-empty array of providers');
  for (const provider of data) {
    if (!isRecord(provider) || typeof provider.id !== 'string' || !Array.isArray(provider.models)) {
      throw new Error('expected providers with an id and models');
    }
    for (const model of provider.models) {
      if (!isRecord(model) || typeof model.id !== 'string' || !isRecord(model.match)) {
        throw new Error(`provider ${provider.id}: expected models with an id and a match`);
      }
      if (!isRecord(model.prices) && !Array.isArray(model.prices)) {
        throw new Error(`provider ${provider.id}, model ${model.id}: expected prices`);
      }
    }
  }
  return data as Provider[];
}

/** Reads a data file from disk (synchronously: once, at the first priced call). */
export function readPriceDataFile(path: string): Provider[] {
  return parsePriceData(readFileSync(path, 'utf8'));
}

/** Downloads a data file; rejects on a timeout, an HTTP error or a body that is not price data. */
export async function fetchPriceData(url: string, timeoutMs: number): Promise<Provider[]> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json' },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  if (Number(response.headers.get('content-length') ?? 0) > MAX_BYTES) {
    await response.body?.cancel();
    throw new Error('larger than 64 MB');
  }
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error('larger than 64 MB');
  return parsePriceData(text);
}
