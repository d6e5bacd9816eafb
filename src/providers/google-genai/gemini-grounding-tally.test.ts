import { describe, expect, it } from 'vitest';
import { billsGroundingPerQuery, GeminiGroundingTally } from './gemini-grounding-tally.js';

function feesOf(model: string | undefined, ...chunks: unknown[][]) {
  const tally = new GeminiGroundingTally();
  for (const candidates of chunks) tally.add(candidates);
  return tally.fees(model);
}

const web = { web: { uri: 'https://example.com', title: 'example.com' } };

describe('GeminiGroundingTally', () => {
  it('counts distinct non-empty queries on Gemini 3+, one grounded prompt on 2.x', () => {
    const candidates = [{ groundingMetadata: { webSearchQueries: ['a', '', 'b', 'a', '  '], groundingChunks: [web] } }];
    expect(feesOf('gemini-3-flash-preview', candidates)).toEqual({ googleSearch: 2 });
    expect(feesOf('gemini-2.5-flash', candidates)).toEqual({ googleSearch: 1 });
    expect(feesOf('gemini-2.0-flash-001', candidates)).toEqual({ googleSearch: 1 });
  });

  it('counts metadata repeated or split over chunks and candidates once per query', () => {
    const first = [{ groundingMetadata: { webSearchQueries: ['a'] } }];
    const again = [
      { groundingMetadata: { webSearchQueries: ['a', 'b'] } },
      { groundingMetadata: { webSearchQueries: ['c'] } },
    ];
    expect(feesOf('gemini-3-pro-preview', first, again, first)).toEqual({ googleSearch: 3 });
  });

  it('tells Maps from Search by the chunks, and counts grounding without listed queries as one unit', () => {
    const maps = [{ groundingMetadata: { groundingChunks: [{ maps: { uri: 'u', title: 't', placeId: 'p' } }] } }];
    expect(feesOf('gemini-2.5-pro', maps)).toEqual({ googleMaps: 1 });
    expect(feesOf('gemini-3-pro-preview', maps)).toEqual({ googleMaps: 1 });
    const both = [{ groundingMetadata: { webSearchQueries: ['q1', 'q2'], groundingChunks: [web, ...[{ maps: {} }]] } }];
    expect(feesOf('gemini-3-pro-preview', both)).toEqual({ googleSearch: 2, googleMaps: 2 });
    const entryPointOnly = [{ groundingMetadata: { searchEntryPoint: { renderedContent: '<div/>' } } }];
    expect(feesOf('gemini-3-pro-preview', entryPointOnly)).toEqual({ googleSearch: 1 });
  });

  it('bills nothing for empty or absent metadata, and per query (the larger count) for an unknown model', () => {
    expect(feesOf('gemini-2.5-flash', [{ groundingMetadata: {} }], [{}], [null])).toBeUndefined();
    expect(feesOf('gemini-2.5-flash', [{ groundingMetadata: { webSearchQueries: 'a' } }])).toBeUndefined();
    const queries = [{ groundingMetadata: { webSearchQueries: ['a', 'b'] } }];
    expect(feesOf(undefined, queries)).toEqual({ googleSearch: 2 });
    expect(billsGroundingPerQuery('models/gemini-3.1-flash-lite')).toBe(true);
    expect(billsGroundingPerQuery('gemini-10-ultra')).toBe(true);
    expect(billsGroundingPerQuery('gemini-2.5-flash')).toBe(false);
    expect(billsGroundingPerQuery('gemini-1.5-pro')).toBe(false);
  });
});
