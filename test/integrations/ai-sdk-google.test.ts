import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { describe, expect, it } from 'vitest';
import { tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

describe('AI SDK middleware with @ai-sdk/google', () => {
  it('prices generateText and streamText on Gemini usage (thoughts as output, cached input split out)', async () => {
    mock.setScenario({ inputTokens: 1_000, cachedTokens: 400, outputTokens: 300, reasoningTokens: 100 });
    const google = createGoogleGenerativeAI({ baseURL: `${mock.url}/v1beta`, apiKey: 'test-key' });
    const middleware = tokenfenceMiddleware({ budget: 1, label: 'gemini-agent' });
    const model = wrapLanguageModel({ model: google('gemini-2.5-flash'), middleware });
    await generateText({ model, prompt: 'Summarise the findings.', maxOutputTokens: 500 });
    const stream = streamText({ model, prompt: 'Summarise the findings.', maxOutputTokens: 500 });
    await stream.consumeStream();
    // gemini-2.5-flash: $0.30 input, $0.03 cached input, $2.50 output (per 1M).
    const perCall = 1_000 * 300 + 400 * 30 + 300 * 2_500;
    expect(middleware.tokenfence.spentNanos).toBe(2 * perCall);
    expect(middleware.tokenfence.calls).toBe(2);
    expect(mock.requests.map((request) => request.path)).toEqual([
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    ]);
  });
});
