/**
 * Every dollar Gemini bills, through the real `@google/genai` SDK against the mock: media tokens at their
 * own rates, grounding fees, served tiers, embeddings and batch jobs. Rates in n$ per token (genai-prices,
 * priced at the test's clock): gemini-2.0-flash input 100, audio 700, output 400; gemini-2.5-flash input 300,
 * cached 30, audio 1,000, cached audio 100, output 2,500; gemini-2.5-flash-image output image 30,000;
 * gemini-3-flash-preview input 500, output 3,000; gemini-embedding-001 input 150. Grounding (extra-rates.ts):
 * Gemini 2.x Search $35 / 1,000 grounded prompts, Maps $25 / 1,000; Gemini 3 $14 / 1,000 queries.
 */
import type { GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { guard, UnbudgetedEndpointError } from '../../src/index.js';
import type { MockProvider, MockScenario } from '../../src/testing/index.js';
import { geminiClient } from '../support/clients.js';
import { collectEvents, drain } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

const question = 'What is in this recording?';

/** The mock's plain totals for a prompt of `prompt` tokens (cached inside) and `candidates` + `thoughts` out. */
function totals(prompt: number, candidates: number, thoughts = 0, cached = 0): MockScenario {
  return {
    inputTokens: prompt - cached,
    cachedTokens: cached,
    outputTokens: candidates + thoughts,
    reasoningTokens: thoughts,
  };
}

async function costOfJson(client: GoogleGenAI, model: string, config: Record<string, unknown> = {}) {
  await client.models.generateContent({ model, contents: question, config: { maxOutputTokens: 2_000, ...config } });
}

async function costOfStream(client: GoogleGenAI, model: string, config: Record<string, unknown> = {}) {
  await drain(
    await client.models.generateContentStream({
      model,
      contents: question,
      config: { maxOutputTokens: 2_000, ...config },
    }),
  );
}

/** The same scenario as JSON and as a stream: both must settle at `expected` n$ with the same buckets. */
async function expectJsonAndStream(
  scenario: MockScenario,
  model: string,
  expected: number,
  config: Record<string, unknown> = {},
) {
  const { onEvent, of } = collectEvents();
  mock.setScenario(scenario);
  const json = guard(geminiClient(mock), { budget: 5, onEvent });
  await costOfJson(json, model, config);
  expect(json.tokenfence.spentNanos).toBe(expected);
  mock.setScenario({ ...scenario, chunks: 4 });
  const stream = guard(geminiClient(mock), { budget: 5, onEvent });
  await costOfStream(stream, model, config);
  expect(stream.tokenfence.spentNanos).toBe(expected);
  const [fromJson, fromStream] = of('call-settled');
  expect(fromJson).toMatchObject({ source: 'provider', stream: false });
  expect(fromStream).toMatchObject({ source: 'provider', stream: true });
  expect(fromStream?.usage).toEqual(fromJson?.usage);
  return fromJson?.usage;
}

describe('media tokens at their own rates (genai-prices dataset bodies)', () => {
  it('audio and video input on gemini-2.0-flash (dataset gemini-2.0-flash/5169ed903c → $0.0014014)', async () => {
    const usage = await expectJsonAndStream(
      {
        ...totals(4_610, 101),
        usageFields: {
          promptTokensDetails: [
            { modality: 'VIDEO', tokenCount: 3_096 },
            { modality: 'TEXT', tokenCount: 14 },
            { modality: 'AUDIO', tokenCount: 1_500 },
          ],
          candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 101 }],
        },
      },
      'gemini-2.0-flash',
      // Video bills at the text rate on this model: 3,110 text-rate tokens, 1,500 audio.
      3_110 * 100 + 1_500 * 700 + 101 * 400,
    );
    expect(usage).toMatchObject({ inputUncached: 14, inputVideo: 3_096, inputAudio: 1_500, outputText: 101 });
    expect(1_401_400).toBe(0.0014014 * 1e9);
  });

  it('cached audio on gemini-2.5-flash: cached media out of the cached count (dataset 36f873259d → $0.00054776)', async () => {
    const usage = await expectJsonAndStream(
      {
        ...totals(3_284, 84, 38, 2_917),
        usageFields: {
          promptTokensDetails: [
            { modality: 'TEXT', tokenCount: 70 },
            { modality: 'VIDEO', tokenCount: 2_893 },
            { modality: 'AUDIO', tokenCount: 321 },
          ],
          cacheTokensDetails: [
            { modality: 'VIDEO', tokenCount: 2_570 },
            { modality: 'TEXT', tokenCount: 62 },
            { modality: 'AUDIO', tokenCount: 285 },
          ],
        },
      },
      'gemini-2.5-flash',
      // Uncached: 8 text + 323 video at 300, 36 audio at 1,000; cached: 62 text + 2,570 video at 30,
      // 285 audio at 100; output 84 + 38 thoughts at 2,500.
      (8 + 323) * 300 + 36 * 1_000 + (62 + 2_570) * 30 + 285 * 100 + (84 + 38) * 2_500,
    );
    expect(usage).toMatchObject({
      inputUncached: 8,
      inputVideo: 323,
      inputAudio: 36,
      inputCacheRead: 62,
      inputVideoCacheRead: 2_570,
      inputAudioCacheRead: 285,
    });
    expect(547_760).toBe(Math.round(0.00054776 * 1e9));
  });

  it('image output on gemini-2.5-flash-image (dataset 06de1d515a → $0.0387027)', async () => {
    const usage = await expectJsonAndStream(
      {
        ...totals(9, 1_290),
        usageFields: { candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1_290 }] },
      },
      'gemini-2.5-flash-image',
      9 * 300 + 1_290 * 30_000,
    );
    expect(usage).toMatchObject({ inputUncached: 9, outputText: 0, outputImage: 1_290 });
  });

  it('never counts fewer tokens than the totals when the details do not add up', async () => {
    // 1,000 prompt tokens, details name only 600 audio: the other 400 stay text. 100 out, details say 150 image.
    const usage = await expectJsonAndStream(
      {
        ...totals(1_000, 100),
        usageFields: {
          promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 600 }],
          candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 150 }],
        },
      },
      'gemini-2.5-flash',
      400 * 300 + 600 * 1_000 + 150 * 2_500,
    );
    expect(usage).toMatchObject({ inputUncached: 400, inputAudio: 600, outputText: 0, outputImage: 150 });
  });
});

/** The shape of the example in https://ai.google.dev/gemini-api/docs/google-search (via WIRE-FIELDS.md). */
const searchGrounding = {
  groundingMetadata: {
    webSearchQueries: ['UEFA Euro 2024 winner', 'who won euro 2024'],
    searchEntryPoint: { renderedContent: '<!-- HTML and CSS for the search widget -->' },
    groundingChunks: [
      { web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/1', title: 'aljazeera.com' } },
      { web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/2', title: 'uefa.com' } },
    ],
    groundingSupports: [
      { segment: { startIndex: 0, endIndex: 55, text: 'Spain won Euro 2024' }, groundingChunkIndices: [0] },
    ],
  },
};

describe('grounding fees', () => {
  it('Google Search on gemini-2.5-flash: one grounded prompt ($35 / 1,000) however many queries ran', async () => {
    const usage = await expectJsonAndStream(
      { ...totals(100, 50), candidateFields: searchGrounding },
      'gemini-2.5-flash',
      100 * 300 + 50 * 2_500 + 35_000_000,
      { tools: [{ googleSearch: {} }] },
    );
    expect(usage?.fees).toEqual({ googleSearch: 1 });
  });

  it('Google Search on gemini-3-flash-preview: per distinct non-empty query ($14 / 1,000)', async () => {
    const grounding = {
      groundingMetadata: {
        ...searchGrounding.groundingMetadata,
        webSearchQueries: ['', 'UEFA Euro 2024 winner', 'who won euro 2024', '', 'euro 2024 final score'],
      },
    };
    const usage = await expectJsonAndStream(
      { ...totals(100, 50), candidateFields: grounding },
      'gemini-3-flash-preview',
      100 * 500 + 50 * 3_000 + 3 * 14_000_000,
      { tools: [{ googleSearch: {} }] },
    );
    expect(usage?.fees).toEqual({ googleSearch: 3 });
  });

  it('grounding metadata in an early stream chunk is counted once, as in the JSON', async () => {
    const usage = await expectJsonAndStream(
      { ...totals(100, 50), candidateFields: searchGrounding, candidateChunk: 0 },
      'gemini-3-flash-preview',
      100 * 500 + 50 * 3_000 + 2 * 14_000_000,
    );
    expect(usage?.fees).toEqual({ googleSearch: 2 });
  });

  it('Google Maps on gemini-2.5-flash: grounding chunks with `maps` ($25 / 1,000 grounded prompts), no search fee', async () => {
    // SDK-shaped (https://ai.google.dev/gemini-api/docs/maps-grounding reads chunk.maps.title / uri).
    const maps = {
      groundingMetadata: {
        groundingChunks: [{ maps: { uri: 'https://maps.google.com/?cid=1', title: 'Café', placeId: 'places/abc' } }],
        googleMapsWidgetContextToken: 'widgetcontent/token',
      },
    };
    const usage = await expectJsonAndStream(
      { ...totals(100, 50), candidateFields: maps },
      'gemini-2.5-flash',
      100 * 300 + 50 * 2_500 + 25_000_000,
      { tools: [{ googleMaps: {} }] },
    );
    expect(usage?.fees).toEqual({ googleMaps: 1 });
  });

  it('reserves one grounded prompt on Gemini 2.x and the estimated 10 queries on Gemini 3, sending the body unchanged', async () => {
    mock.setScenario({ ...totals(100, 50), delayMs: 20 });
    const flash = guard(geminiClient(mock), { budget: 1 });
    const tools = [{ googleSearch: {} }];
    const pending = costOfJson(flash, 'gemini-2.5-flash', { tools });
    const textOnly = guard(geminiClient(mock), { budget: 1 });
    const plain = costOfJson(textOnly, 'gemini-2.5-flash');
    expect(flash.tokenfence.reserved * 1e9 - textOnly.tokenfence.reserved * 1e9).toBeGreaterThanOrEqual(35_000_000);
    const three = guard(geminiClient(mock), { budget: 1 });
    const pendingThree = costOfJson(three, 'gemini-3-flash-preview', { tools });
    const threePlain = guard(geminiClient(mock), { budget: 1 });
    const plainThree = costOfJson(threePlain, 'gemini-3-flash-preview');
    expect(three.tokenfence.reserved * 1e9 - threePlain.tokenfence.reserved * 1e9).toBeGreaterThanOrEqual(
      10 * 14_000_000,
    );
    await Promise.all([pending, plain, pendingThree, plainThree]);
    const grounded = mock.requests.filter((request) => request.body.tools !== undefined);
    expect(grounded.map((request) => request.body.tools)).toEqual([[{ googleSearch: {} }], [{ googleSearch: {} }]]);
  });
});

describe('served tiers', () => {
  it('prices the tier the response reports (usageMetadata.serviceTier: flex at half the rate)', async () => {
    const usage = await expectJsonAndStream(
      { ...totals(1_000, 100), usageFields: { serviceTier: 'flex' } },
      'gemini-2.5-flash',
      (1_000 * 300 + 100 * 2_500) / 2,
      { serviceTier: 'flex' },
    );
    expect(usage?.tiers).toEqual(['flex']);
    // Flex is reserved at the standard rate (a flex request may be served at standard) and sent as asked.
    expect(mock.requests.at(-1)?.body.serviceTier).toBe('flex');
  });

  it('reserves priority at its scale when the request asks for it', async () => {
    mock.setScenario({ ...totals(10, 10), delayMs: 20 });
    const priority = guard(geminiClient(mock), { budget: 1 });
    const pending = costOfJson(priority, 'gemini-2.5-flash', { serviceTier: 'priority' });
    const standard = guard(geminiClient(mock), { budget: 1 });
    const plain = costOfJson(standard, 'gemini-2.5-flash');
    expect(priority.tokenfence.reserved * 1e9).toBeGreaterThanOrEqual(2 * standard.tokenfence.reserved * 1e9 - 2);
    await Promise.all([pending, plain]);
  });
});

describe('usage the guard cannot trust', () => {
  it.each([
    ['a negative count', { promptTokenCount: -5 }],
    ['a string', { candidatesTokenCount: '40' }],
    ['a fraction (JSON cannot carry NaN; the unit tests try it)', { thoughtsTokenCount: 1.5 }],
    ['a malformed modality list', { promptTokensDetails: { modality: 'AUDIO', tokenCount: 3 } }],
  ])('%s → the hold, estimated (JSON and stream)', async (_name, fields) => {
    const { onEvent, of } = collectEvents();
    mock.setScenario({ ...totals(100, 50), usageFields: fields });
    const json = guard(geminiClient(mock), { budget: 1, onEvent });
    await costOfJson(json, 'gemini-2.5-flash');
    await costOfStream(json, 'gemini-2.5-flash');
    const settled = of('call-settled');
    expect(settled).toHaveLength(2);
    for (const call of settled) {
      expect(call).toMatchObject({ source: 'estimated' });
      expect(call.costNanos).toBe(Math.round(call.reservedUsd * 1e9));
      expect(call.costNanos).toBeGreaterThan(100 * 300 + 50 * 2_500);
    }
  });
});

describe('models.embedContent and batch jobs', () => {
  it('guards embedContent: reserved on input, settled on the hold (the Gemini API returns no token count)', async () => {
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    const response = await client.models.embedContent({
      model: 'gemini-embedding-001',
      contents: ['What is the meaning of life?', 'How do I bake a cake?'],
    });
    expect(response.embeddings).toHaveLength(2);
    expect(mock.requests[0]?.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({ provider: 'google', model: 'gemini-embedding-001', source: 'estimated' });
    // A dozen-odd tokens at 150 n$: never $0.
    expect(settled?.costNanos).toBeGreaterThanOrEqual(10 * 150);
    expect(client.tokenfence.spentNanos).toBe(settled?.costNanos);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('refuses batches.create and batches.createEmbeddings under a budget before anything is sent', async () => {
    const client = guard(geminiClient(mock), { budget: 1 });
    const error = await client.batches
      .create({ model: 'gemini-2.5-flash', src: [{ contents: [{ role: 'user', parts: [{ text: question }] }] }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnbudgetedEndpointError);
    expect(error).toMatchObject({ code: 'UNBUDGETED_ENDPOINT' });
    const embeddings = await client.batches
      .createEmbeddings({
        model: 'gemini-embedding-001',
        src: { inlinedRequests: { contents: [{ parts: [{ text: 'x' }] }] } },
      })
      .catch((caught: unknown) => caught);
    expect(embeddings).toMatchObject({ code: 'UNBUDGETED_ENDPOINT' });
    expect(mock.requests).toHaveLength(0);
  });
});
