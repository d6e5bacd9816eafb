import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAI as createOpenAIV2 } from '@ai-sdk/openai-v2';
import { generateText, streamText, type ToolSet, wrapLanguageModel } from 'ai';
import {
  generateText as generateTextV5,
  streamText as streamTextV5,
  wrapLanguageModel as wrapLanguageModelV5,
} from 'ai-v5';
import { describe, expect, it } from 'vitest';
import { createMemoryLedgerStore } from '../../src/index.js';
import { tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import type { MockProvider, MockScenario } from '../../src/testing/index.js';
import { CANARY_KEY } from '../support/clients.js';
import { collectEvents } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/*
 * Every expected price below is independent arithmetic on list prices, nano-USD per token (per use for fees):
 * claude-haiku-4-5 $1 input / $5 output per 1M, web search $10 / 1k searches (platform.claude.com/docs/en/about-claude/pricing);
 * gpt-5 $1.25 / $10 per 1M, Flex ×0.5, Priority ×2, web search $10 / 1k calls (developers.openai.com/api/docs/pricing);
 * gpt-4o $2.50 / $10, Priority ×1.7; gemini-2.5-flash $0.30 text / $1.00 audio input / $2.50 output per 1M,
 * grounding $35 / 1k grounded prompts; gemini-3-flash-preview $0.50 / $3, $14 / 1k search queries
 * (ai.google.dev/gemini-api/docs/pricing).
 */
const HAIKU = { input: 1_000, output: 5_000 };
const GPT_5 = { input: 1_250, output: 10_000 };
const GPT_4O = { input: 2_500, output: 10_000 };
const GEMINI_25_FLASH = { input: 300, audio: 1_000, output: 2_500 };
const GEMINI_3_FLASH = { input: 500, output: 3_000 };
const SEARCH = 10 * 1_000_000; // $10 per 1,000 → 10,000,000 n$ per search
const GROUNDED_PROMPT_25 = 35 * 1_000_000;
const SEARCH_QUERY_3 = 14 * 1_000_000;

const TOKENS: MockScenario = { inputTokens: 1_000, outputTokens: 500 };

const anthropic = () => createAnthropic({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });
const openai = () => createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });
const google = () => createGoogleGenerativeAI({ baseURL: `${mock.url}/v1beta`, apiKey: CANARY_KEY });

type ModelV3 = Parameters<typeof wrapLanguageModel>[0]['model'];
type GenerateOptions = Omit<Parameters<typeof generateText>[0], 'model'>;

function fenced(model: ModelV3) {
  const store = createMemoryLedgerStore();
  const events = collectEvents();
  const middleware = tokenfenceMiddleware({ budget: 5, store, onEvent: events.onEvent });
  return { model: wrapLanguageModel({ model, middleware }), fence: middleware.tokenfence, ...events };
}

/** The cost of the same call made with generateText, then with streamText: they must agree. */
async function generateAndStream(model: ModelV3, options: GenerateOptions): Promise<[number, number]> {
  const generated = fenced(model);
  await generateText({ ...options, model: generated.model } as Parameters<typeof generateText>[0]);
  const streamed = fenced(model);
  const result = streamText({ ...options, model: streamed.model } as Parameters<typeof streamText>[0]);
  await result.consumeStream();
  expect(generated.fence.reserved).toBe(0);
  expect(streamed.fence.reserved).toBe(0);
  expect(streamed.of('call-settled')[0]).toMatchObject({ source: 'provider' });
  return [generated.fence.spentNanos, streamed.fence.spentNanos];
}

/** Provider tool factories are typed for `exactOptionalPropertyTypes: false`; the runtime objects are tools. */
const providerTools = (tools: Record<string, unknown>) => tools as ToolSet;
type ToolSetV5 = NonNullable<Parameters<typeof generateTextV5>[0]['tools']>;

const toolsOf = (index: number) => mock.requests[index]?.body.tools as Array<Record<string, unknown>> | undefined;

describe('AI SDK costs: Anthropic server tools and modes', () => {
  // Usage as in https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool (server_tool_use).
  const searched: MockScenario = {
    ...TOKENS,
    usageFields: { server_tool_use: { web_search_requests: 3, web_fetch_requests: 0 }, service_tier: 'standard' },
  };

  it('charges each web search at $10 / 1k beside the tokens, generate == stream, the own max_uses kept', async () => {
    mock.setScenario(searched);
    const tools = { web_search: anthropic().tools.webSearch_20250305({ maxUses: 3 }) };
    const costs = await generateAndStream(anthropic()('claude-haiku-4-5'), {
      prompt: 'What happened in the news today?',
      tools,
      maxOutputTokens: 600,
    });
    const expected = 3 * SEARCH + 1_000 * HAIKU.input + 500 * HAIKU.output;
    expect(costs).toEqual([expected, expected]);
    expect(toolsOf(0)?.[0]).toMatchObject({ type: 'web_search_20250305', max_uses: 3 });
  });

  it('injects max_uses on an uncapped web search, visible in the request the provider received', async () => {
    mock.setScenario(searched);
    const { model, fence, of } = fenced(anthropic()('claude-haiku-4-5'));
    await generateText({
      model,
      prompt: 'What happened in the news today?',
      tools: { web_search: anthropic().tools.webSearch_20250305({}) },
      maxOutputTokens: 600,
    });
    expect(toolsOf(0)?.[0]).toMatchObject({ type: 'web_search_20250305', max_uses: 10 });
    expect(of('server-tools-capped')).toMatchObject([{ fee: 'webSearch', cappedTo: 10 }]);
    expect(fence.spentNanos).toBe(3 * SEARCH + 1_000 * HAIKU.input + 500 * HAIKU.output);
  });

  it('reserves every search at its cap; cuts an injected cap to 1 when 10 do not fit the budget', async () => {
    mock.setScenario(searched);
    const events = collectEvents();
    // One use can cost $0.01 of fee plus ~10,000 result tokens ($0.01 on Haiku): 10 uses do not fit $0.05, 1 does.
    const middleware = tokenfenceMiddleware({ budget: 0.05, onEvent: events.onEvent });
    const model = wrapLanguageModel({ model: anthropic()('claude-haiku-4-5'), middleware });
    const tools = {
      web_search: anthropic().tools.webSearch_20250305({}),
      web_fetch: anthropic().tools.webFetch_20250910({ maxContentTokens: 5_000 }),
    };
    await generateText({ model, prompt: 'Find it.', tools, maxOutputTokens: 600 });
    expect(toolsOf(0)).toMatchObject([
      { type: 'web_search_20250305', max_uses: 1 },
      { type: 'web_fetch_20250910', max_uses: 1 },
    ]);
    const [settled] = events.of('call-settled');
    expect(settled?.reservedUsd).toBeGreaterThan((SEARCH + 10_000 * HAIKU.input + 600 * HAIKU.output) * 1e-9);
  });

  it('scales the tokens by the mode the usage reports (inference_geo "us": ×1.1)', async () => {
    // Body shape from https://platform.claude.com/docs/en/build-with-claude/data-residency.
    mock.setScenario({ ...TOKENS, usageFields: { inference_geo: 'us' } });
    const costs = await generateAndStream(anthropic()('claude-haiku-4-5'), { prompt: 'Hi', maxOutputTokens: 600 });
    const expected = ((1_000 * HAIKU.input + 500 * HAIKU.output) * 1_100) / 1_000;
    expect(costs).toEqual([expected, expected]);
  });
});

describe('AI SDK costs: OpenAI service tiers and built-in tools', () => {
  it('prices a Flex call at the tier the response reports (×0.5), generate == stream', async () => {
    // Request as in https://platform.openai.com/docs/guides/flex-processing; the response echoes service_tier.
    mock.setScenario({ ...TOKENS, responseFields: { service_tier: 'flex' } });
    const costs = await generateAndStream(openai()('gpt-5'), {
      prompt: 'List the metaphors in this book.',
      maxOutputTokens: 600,
      providerOptions: { openai: { serviceTier: 'flex' } },
    });
    const expected = ((1_000 * GPT_5.input + 500 * GPT_5.output) * 500) / 1_000;
    expect(costs).toEqual([expected, expected]);
    expect(mock.requests[0]?.body.service_tier).toBe('flex');
  });

  it('an `auto` request served at priority is charged at priority (×2), from the response', async () => {
    mock.setScenario({ ...TOKENS, responseFields: { service_tier: 'priority' } });
    const costs = await generateAndStream(openai()('gpt-5'), {
      prompt: 'Hi',
      maxOutputTokens: 600,
      providerOptions: { openai: { serviceTier: 'auto' } },
    });
    const expected = 2 * (1_000 * GPT_5.input + 500 * GPT_5.output);
    expect(costs).toEqual([expected, expected]);
  });

  it('chat completions: the tier of the response body when generating, the asked one when streaming', async () => {
    mock.setScenario({ ...TOKENS, responseFields: { service_tier: 'priority' } });
    const costs = await generateAndStream(openai().chat('gpt-4o'), {
      prompt: 'Hi',
      maxOutputTokens: 600,
      providerOptions: { openai: { serviceTier: 'priority' } },
    });
    const expected = ((1_000 * GPT_4O.input + 500 * GPT_4O.output) * 1_700) / 1_000;
    expect(costs).toEqual([expected, expected]);
  });

  it('counts web searches from the provider-executed parts (search actions only) and injects max_tool_calls', async () => {
    // Items as in https://platform.openai.com/docs/guides/tools-web-search#output-and-citations.
    mock.setScenario({
      ...TOKENS,
      outputItems: [
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'news' } },
        { type: 'web_search_call', id: 'ws_2', status: 'completed', action: { type: 'search', query: 'more news' } },
        { type: 'web_search_call', id: 'ws_3', status: 'completed', action: { type: 'open_page', url: 'https://a.b' } },
      ],
    });
    const costs = await generateAndStream(openai()('gpt-5'), {
      prompt: 'What happened today?',
      tools: providerTools({ web_search: openai().tools.webSearch({}) }),
      maxOutputTokens: 600,
    });
    const expected = 2 * SEARCH + 1_000 * GPT_5.input + 500 * GPT_5.output;
    expect(costs).toEqual([expected, expected]);
    expect(mock.requests.map((request) => request.body.max_tool_calls)).toEqual([10, 10]);
  });

  it('keeps the request’s own maxToolCalls', async () => {
    mock.setScenario(TOKENS);
    const { model } = fenced(openai()('gpt-5'));
    await generateText({
      model,
      prompt: 'What happened today?',
      tools: providerTools({ web_search: openai().tools.webSearch({}) }),
      maxOutputTokens: 600,
      providerOptions: { openai: { maxToolCalls: 2 } },
    });
    expect(mock.requests[0]?.body.max_tool_calls).toBe(2);
  });
});

describe('AI SDK costs: Gemini grounding and modalities', () => {
  // groundingMetadata as in https://ai.google.dev/gemini-api/docs/google-search (two queries).
  const grounded: MockScenario = {
    ...TOKENS,
    candidateFields: {
      groundingMetadata: {
        webSearchQueries: ['UEFA Euro 2024 winner', 'who won euro 2024'],
        searchEntryPoint: { renderedContent: '<!-- widget -->' },
        groundingChunks: [{ web: { uri: 'https://vertexaisearch.cloud.google.com/a', title: 'uefa.com' } }],
      },
    },
  };

  it('Gemini 2.5: one grounded prompt ($35 / 1k) however many queries, generate == stream', async () => {
    mock.setScenario(grounded);
    const costs = await generateAndStream(google()('gemini-2.5-flash'), {
      prompt: 'Who won Euro 2024?',
      tools: providerTools({ google_search: google().tools.googleSearch({}) }),
      maxOutputTokens: 600,
    });
    const expected = GROUNDED_PROMPT_25 + 1_000 * GEMINI_25_FLASH.input + 500 * GEMINI_25_FLASH.output;
    expect(costs).toEqual([expected, expected]);
  });

  it('Gemini 3: each search query ($14 / 1k)', async () => {
    mock.setScenario(grounded);
    const costs = await generateAndStream(google()('gemini-3-flash-preview'), {
      prompt: 'Who won Euro 2024?',
      tools: providerTools({ google_search: google().tools.googleSearch({}) }),
      maxOutputTokens: 600,
    });
    const expected = 2 * SEARCH_QUERY_3 + 1_000 * GEMINI_3_FLASH.input + 500 * GEMINI_3_FLASH.output;
    expect(costs).toEqual([expected, expected]);
  });

  it('prices audio input tokens at the audio rate, carved out of the prompt (promptTokensDetails)', async () => {
    mock.setScenario({
      ...TOKENS,
      usageFields: {
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: 600 },
          { modality: 'AUDIO', tokenCount: 400 },
        ],
      },
    });
    const costs = await generateAndStream(google()('gemini-2.5-flash'), { prompt: 'Transcribe', maxOutputTokens: 600 });
    const expected = 600 * GEMINI_25_FLASH.input + 400 * GEMINI_25_FLASH.audio + 500 * GEMINI_25_FLASH.output;
    expect(costs).toEqual([expected, expected]);
  });
});

describe('AI SDK costs: malformed usage is unknown, charged as the hold', () => {
  const cases: Array<[string, () => ModelV3, MockScenario]> = [
    ['Anthropic negative input_tokens', () => anthropic()('claude-haiku-4-5'), { usageFields: { input_tokens: -5 } }],
    ['OpenAI fractional output_tokens', () => openai()('gpt-5'), { usageFields: { output_tokens: 10.5 } }],
    ['Gemini absurd promptTokenCount', () => google()('gemini-2.5-flash'), { usageFields: { promptTokenCount: 1e12 } }],
    [
      'Gemini without promptTokenCount',
      () => google()('gemini-2.5-flash'),
      { usageFields: { promptTokenCount: undefined } },
    ],
  ];
  for (const [name, model, scenario] of cases) {
    it(`${name}: hold + estimated, generate and stream`, async () => {
      mock.setScenario(scenario);
      for (const stream of [false, true]) {
        const { model: wrapped, fence, of } = fenced(model());
        if (stream) await streamText({ model: wrapped, prompt: 'Hi', maxOutputTokens: 100 }).consumeStream();
        else await generateText({ model: wrapped, prompt: 'Hi', maxOutputTokens: 100 });
        const [settled] = of('call-settled');
        expect(settled).toMatchObject({ source: 'estimated' });
        expect(settled?.costUsd).toBe(settled?.reservedUsd);
        expect(fence.reserved).toBe(0);
      }
    });
  }
});

describe('AI SDK costs: ai 5 (LanguageModelV2) with @ai-sdk/openai 2', () => {
  const openaiV2 = () => createOpenAIV2({ baseURL: `${mock.url}/v1`, apiKey: CANARY_KEY });

  it('prices the served tier and the web searches, injects max_tool_calls, generate == stream', async () => {
    mock.setScenario({
      ...TOKENS,
      responseFields: { service_tier: 'flex' },
      outputItems: [
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } },
      ],
    });
    const costs: number[] = [];
    for (const stream of [false, true]) {
      const middleware = tokenfenceMiddleware({ budget: 5 });
      const model = wrapLanguageModelV5({ model: openaiV2()('gpt-5'), middleware });
      const options = {
        model,
        prompt: 'What happened today?',
        tools: { web_search: openaiV2().tools.webSearch({}) } as unknown as ToolSetV5,
        maxOutputTokens: 600,
        providerOptions: { openai: { serviceTier: 'flex' } },
      };
      if (stream) await streamTextV5(options).consumeStream();
      else await generateTextV5(options);
      costs.push(middleware.tokenfence.spentNanos);
      expect(middleware.tokenfence.reserved).toBe(0);
    }
    const expected = SEARCH + ((1_000 * GPT_5.input + 500 * GPT_5.output) * 500) / 1_000;
    expect(costs).toEqual([expected, expected]);
    expect(mock.requests.map((request) => request.body.max_tool_calls)).toEqual([10, 10]);
  });
});
