/**
 * The `priceData` option: newer genai-prices data from a file or a URL (a local HTTP server here), the bundled data
 * until it arrives and whenever it fails, and the warning when the bundled data is old. The data files are built in
 * the test from the bundled data, with gpt-4o at another price.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProvider, type Provider } from '@pydantic/genai-prices';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { guard, InvalidOptionsError } from '../../src/index.js';
import { createGenaiPricesSource } from '../../src/pricing/genai-prices-source.js';
import { DEFAULT_PRICE_DATA, parsePriceDataOptions } from '../../src/pricing/price-data-options.js';
import {
  bundledDataAgeDays,
  createPriceDataSource,
  sharedPriceDataSource,
} from '../../src/pricing/price-data-source.js';
import { dataLookup } from '../../src/pricing/price-lookup.js';
import type { PriceSource } from '../../src/pricing/price-source.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

const at = new Date('2026-12-01T12:00:00Z');
const BUNDLED_IDS = ['openai', 'anthropic', 'google', 'openrouter', 'deepseek', 'azure', 'x-ai'];

function bundledProvider(id: string): Provider {
  const provider = findProvider({ providerId: id });
  if (!provider) throw new Error(`no bundled provider ${id}`);
  // Through JSON, as a data file carries it (tiered prices become plain { base, tiers }).
  return JSON.parse(JSON.stringify(provider)) as Provider;
}

/** The bundled OpenAI provider with gpt-4o at $7 / $21 per 1M tokens (bundled: $2.50 / $10). */
function openAIWithNewGpt4oPrice(): Provider {
  const openai = bundledProvider('openai');
  const gpt4o = openai.models.find((model) => model.id === 'gpt-4o');
  if (!gpt4o) throw new Error('no gpt-4o');
  gpt4o.prices = { input_mtok: 7, output_mtok: 21 };
  return openai;
}

const folder = mkdtempSync(join(tmpdir(), 'tokenfence-price-data-'));
const dataFile = join(folder, 'data.json');
writeFileSync(dataFile, JSON.stringify([openAIWithNewGpt4oPrice()]));
const brokenFile = join(folder, 'broken.json');
writeFileSync(brokenFile, '{"not": "a provider list"');

let server: Server;
let base = '';
const served: string[] = [];
let hold: Promise<void> = Promise.resolve();
beforeAll(async () => {
  server = createServer((request, response) => {
    served.push(request.url ?? '');
    if (request.url?.startsWith('/data.json')) {
      void hold.then(() => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify([openAIWithNewGpt4oPrice()]));
      });
    } else if (request.url?.startsWith('/hang')) {
      // Never answers: the download must time out.
    } else {
      response.statusCode = 500;
      response.end('down');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

let warnings: Array<[string, string]> = [];
const emitWarning = vi.spyOn(process, 'emitWarning');
afterEach(() => {
  warnings = [];
});
emitWarning.mockImplementation(((message: string, options?: { code?: string }) => {
  warnings.push([options?.code ?? '', message]);
}) as typeof process.emitWarning);

const options = (given: Partial<typeof DEFAULT_PRICE_DATA>) => ({ ...DEFAULT_PRICE_DATA, maxAgeDays: 1e6, ...given });
const gpt4o = (source: PriceSource) => source.resolve('openai', 'gpt-4o', at)?.base;

describe('priceData from a file', () => {
  it('prices from the file once the first call reads it; what the file lacks keeps its bundled price', async () => {
    const source = createPriceDataSource(options({ file: dataFile }));
    expect(source.origin).toBe('bundled');
    expect(gpt4o(source)).toMatchObject({ input: 7_000_000_000, output: 21_000_000_000 });
    expect(source.origin).toBe('file');
    expect(await source.ready()).toBe('file');
    // Not in the file: the bundled Anthropic price.
    expect(source.resolve('anthropic', 'claude-sonnet-4-5', at)?.base.input).toBe(3_000_000_000);
    expect(warnings).toEqual([]);
  });

  it('a broken or missing file is a warning (TOKENFENCE_W006), and the bundled price stays', async () => {
    for (const file of [brokenFile, join(folder, 'missing.json')]) {
      const source = createPriceDataSource(options({ file }));
      expect(gpt4o(source)).toMatchObject({ input: 2_500_000_000, output: 10_000_000_000 });
      expect(await source.ready()).toBe('bundled');
    }
    expect(warnings.map(([code]) => code)).toEqual(['TOKENFENCE_W006', 'TOKENFENCE_W006']);
    expect(warnings[0]?.[1]).toContain(brokenFile);
  });

  it('a guarded client pays the price of the file', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    const client = guard(openAIClient(mock), { budget: 1, priceData: { file: dataFile } });
    await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 600 });
    // $7 and $21 per 1M tokens: 7 000 and 21 000 n$ per token.
    expect(client.tokenfence.spentNanos).toBe(1_000 * 7_000 + 500 * 21_000);
  });
});

describe('priceData from a URL', () => {
  it('downloads in the background from the first call; the bundled price applies until the data arrives', async () => {
    let release = () => {};
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const source = createPriceDataSource(options({ url: `${base}/data.json?token=secret` }));
    expect(served).not.toContain('/data.json?token=secret');
    expect(gpt4o(source)?.input).toBe(2_500_000_000);
    expect(gpt4o(source)?.input).toBe(2_500_000_000);
    release();
    expect(await source.ready()).toBe('url');
    expect(gpt4o(source)).toMatchObject({ input: 7_000_000_000, output: 21_000_000_000 });
    expect(served.filter((url) => url.startsWith('/data.json'))).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('an HTTP error or a timeout is a warning naming only the origin, and the bundled price stays', async () => {
    for (const path of ['/down?token=secret', '/hang?token=secret']) {
      const source = createPriceDataSource(options({ url: `${base}${path}`, timeoutMs: 200 }));
      expect(gpt4o(source)?.input).toBe(2_500_000_000);
      expect(await source.ready()).toBe('bundled');
      expect(gpt4o(source)?.input).toBe(2_500_000_000);
    }
    expect(warnings.map(([code]) => code)).toEqual(['TOKENFENCE_W006', 'TOKENFENCE_W006']);
    expect(warnings[0]?.[1]).toMatch(/HTTP 500/);
    expect(warnings[1]?.[1]).toMatch(/timeout|abort/i);
    expect(warnings.join('\n')).toContain(base);
    expect(warnings.join('\n')).not.toContain('secret');
  });

  it('fences that give the same priceData share one download and cache', () => {
    const given = options({ url: `${base}/data.json` });
    expect(sharedPriceDataSource(given)).toBe(sharedPriceDataSource({ ...given }));
    expect(sharedPriceDataSource(given)).not.toBe(sharedPriceDataSource({ ...given, timeoutMs: 5 }));
  });
});

describe('bundled data age', () => {
  it('counts days from the bundled data date', () => {
    expect(bundledDataAgeDays(Date.parse('2026-09-23T00:00:00Z'))).toBe(0);
    expect(bundledDataAgeDays(Date.parse('2026-11-22T12:00:00Z'))).toBe(60);
  });

  it('warns once (TOKENFENCE_W005) when calls are priced from bundled data older than maxAgeDays', async () => {
    const stale = createPriceDataSource(options({ maxAgeDays: 1 }));
    stale.resolve('openai', 'gpt-4o', at);
    stale.resolve('openai', 'gpt-4o-mini', at);
    await stale.ready();
    expect(warnings.map(([code]) => code)).toEqual(['TOKENFENCE_W005']);
    expect(warnings[0]?.[1]).toMatch(
      /bundled price data \(@pydantic\/genai-prices@0\.1\.8, 2026-09-23\), \d+ days old/,
    );
    // Fresh data from a file: no age warning.
    createPriceDataSource(options({ file: dataFile, maxAgeDays: 1 })).resolve('openai', 'gpt-4o', at);
    createPriceDataSource(options({ maxAgeDays: Number.POSITIVE_INFINITY })).resolve('openai', 'gpt-4o', at);
    expect(warnings).toHaveLength(1);
  });
});

describe('priceData option', () => {
  it('is validated at construction without reading or fetching anything', () => {
    expect(parsePriceDataOptions(undefined)).toBeUndefined();
    expect(parsePriceDataOptions({ url: 'https://example.com/data.json' })).toEqual({
      file: undefined,
      url: 'https://example.com/data.json',
      maxAgeDays: 60,
      timeoutMs: 10_000,
    });
    for (const [priceData, option] of [
      ['data.json', 'priceData'],
      [{ url: 'ftp://example.com/data.json' }, 'priceData.url'],
      [{ file: '' }, 'priceData.file'],
      [{ maxAgeDays: 0 }, 'priceData.maxAgeDays'],
      [{ timeoutMs: 1.5 }, 'priceData.timeoutMs'],
      [{ refresh: true }, 'priceData.refresh'],
    ] as const) {
      expect(() => guard(openAIClient(mock), { priceData: priceData as never })).toThrow(
        expect.objectContaining({ option }),
      );
    }
    expect(() => guard(openAIClient(mock), { priceData: { url: 'nope' } })).toThrow(InvalidOptionsError);
    // A password in the URL would come back in fetch's own error text: refused, and never echoed.
    const withPassword = () =>
      guard(openAIClient(mock), { priceData: { url: 'https://user:s3cret@example.com/d.json' } });
    expect(withPassword).toThrow(expect.objectContaining({ option: 'priceData.url' }));
    expect(withPassword).not.toThrow(/s3cret/);
    const hits = served.length;
    guard(openAIClient(mock), { priceData: { url: `${base}/data.json?unused` } });
    expect(served).toHaveLength(hits);
  });
});

describe('lookups in a data file match genai-prices on its own data', () => {
  it('gives the bundled rates for every model of the bundled providers, read as a data file', () => {
    const providers = BUNDLED_IDS.map(bundledProvider);
    const fromFile = createGenaiPricesSource(dataLookup(providers));
    const bundled = createGenaiPricesSource();
    let compared = 0;
    for (const provider of providers) {
      for (const model of provider.models) {
        const expected = bundled.resolve(provider.id, model.id, at);
        expect(fromFile.resolve(provider.id, model.id, at), `${provider.id} ${model.id}`).toEqual(expected);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(900);
  });
});

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});
