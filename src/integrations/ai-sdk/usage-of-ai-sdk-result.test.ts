import { describe, expect, it } from 'vitest';
import { describeServerTools, NO_SERVER_TOOLS } from './ai-sdk-server-tools.js';
import { type AiSdkSettleContext, providerFamily, usageOfAiSdkResult } from './usage-of-ai-sdk-result.js';

const context = (overrides: Partial<AiSdkSettleContext> = {}): AiSdkSettleContext => ({
  cacheWrite: undefined,
  inputExcludesCache: false,
  family: undefined,
  model: 'm',
  serverTools: NO_SERVER_TOOLS,
  requestedTiers: undefined,
  ...overrides,
});
const report = (usage: unknown, providerMetadata?: unknown, parts: unknown[] = [], responseBody?: unknown) => ({
  usage,
  providerMetadata,
  parts,
  responseBody,
});
const v3 = (raw: unknown) => ({
  inputTokens: { total: 1_000, noCache: 1_000, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 500, text: 500, reasoning: 0 },
  raw,
});

describe('providerFamily', () => {
  it('knows the wire format behind AI SDK provider names', () => {
    expect(providerFamily('openai.responses')).toBe('openai');
    expect(providerFamily('azure.chat')).toBe('openai');
    expect(providerFamily('anthropic.messages')).toBe('anthropic');
    expect(providerFamily('vertex.anthropic.messages')).toBe('anthropic');
    expect(providerFamily('google.generative-ai')).toBe('google');
    expect(providerFamily('deepseek.chat')).toBeUndefined();
  });
});

describe('usageOfAiSdkResult: Anthropic', () => {
  const anthropic = context({ family: 'anthropic', inputExcludesCache: true });
  const raw = {
    input_tokens: 1_000,
    output_tokens: 500,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    server_tool_use: { web_search_requests: 2, web_fetch_requests: 4 },
    service_tier: 'priority',
    speed: 'fast',
    inference_geo: 'us',
  };

  it('V3 usage.raw: searches as fees, the served tier and modes; web fetch bills tokens only', () => {
    expect(usageOfAiSdkResult(report(v3(raw)), anthropic)).toEqual({
      inputUncached: 1_000,
      inputCacheRead: 0,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 500,
      outputReasoning: 0,
      fees: { webSearch: 2 },
      tiers: ['priority', 'fast', 'inference_geo:us'],
    });
  });

  it('V2: the raw usage is providerMetadata.anthropic.usage', () => {
    const flat = { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 };
    expect(usageOfAiSdkResult(report(flat, { anthropic: { usage: raw } }), anthropic)).toMatchObject({
      inputUncached: 1_000,
      fees: { webSearch: 2 },
    });
  });

  it('a mode the usage leaves out is the one asked for; standard tiers add nothing', () => {
    const plain = { input_tokens: 10, output_tokens: 5, service_tier: 'standard' };
    const asked = context({ family: 'anthropic', requestedTiers: ['fast', 'inference_geo:us'] });
    expect(usageOfAiSdkResult(report(v3(plain)), asked)?.tiers).toEqual(['fast', 'inference_geo:us']);
    expect(usageOfAiSdkResult(report(v3({ ...plain, speed: 'standard' })), asked)?.tiers).toEqual(['inference_geo:us']);
    expect(usageOfAiSdkResult(report(v3(plain)), anthropic)?.tiers).toBeUndefined();
  });

  it('one code execution session when the tool ran (the response has no container time)', () => {
    const tools = describeServerTools(
      [{ type: 'provider', id: 'anthropic.code_execution_20250825', name: 'code_execution', args: {} }],
      undefined,
      'claude-sonnet-4-5',
    );
    const parts = [
      { type: 'tool-call', toolCallId: 'a', toolName: 'code_execution', input: '{}', providerExecuted: true },
      { type: 'tool-result', toolCallId: 'a', toolName: 'code_execution', result: {} },
      { type: 'tool-call', toolCallId: 'b', toolName: 'code_execution', input: '{}', providerExecuted: true },
    ];
    const usage = usageOfAiSdkResult(report(v3({ input_tokens: 10, output_tokens: 5 }), undefined, parts), {
      ...anthropic,
      serverTools: tools,
    });
    expect(usage?.fees).toEqual({ codeExecution: 1 });
  });

  it('malformed raw usage, or raw usage without input/output counts, is unknown', () => {
    for (const bad of [
      { ...raw, input_tokens: -1 },
      { ...raw, server_tool_use: { web_search_requests: '2' } },
    ]) {
      expect(usageOfAiSdkResult(report(v3(bad)), anthropic)).toBeNull();
    }
    expect(usageOfAiSdkResult(report(v3({ output_tokens: 5 })), anthropic)).toBeNull();
    expect(usageOfAiSdkResult(report(v3({ ...raw, cache_read_input_tokens: 0.5 })), anthropic)).toBeNull();
  });
});

describe('usageOfAiSdkResult: OpenAI', () => {
  const openai = context({ family: 'openai' });
  const chat = {
    prompt_tokens: 1_000,
    completion_tokens: 500,
    prompt_tokens_details: { cached_tokens: 200, audio_tokens: 300 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 100 },
  };

  it('carves audio tokens out of the text buckets; the served tier from the response body', () => {
    expect(usageOfAiSdkResult(report(v3(chat), { openai: {} }, [], { service_tier: 'flex' }), openai)).toEqual({
      inputUncached: 500,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 400,
      outputReasoning: 0,
      inputAudio: 300,
      outputAudio: 100,
      tiers: ['flex'],
    });
  });

  it('the served tier wins over the asked one; without one the asked tier is charged', () => {
    const asked = context({ family: 'openai', requestedTiers: ['priority'] });
    const usage = v3({ input_tokens: 10, output_tokens: 5 });
    expect(usageOfAiSdkResult(report(usage, { openai: { serviceTier: 'default' } }), asked)?.tiers).toBeUndefined();
    expect(usageOfAiSdkResult(report(usage, { openai: { serviceTier: 'flex' } }), asked)?.tiers).toEqual(['flex']);
    expect(usageOfAiSdkResult(report(usage, { openai: {} }), asked)?.tiers).toEqual(['priority']);
  });

  it('counts file searches per call and code interpreter per distinct container', () => {
    const tools = describeServerTools(
      [
        { type: 'provider', id: 'openai.file_search', name: 'docs', args: {} },
        { type: 'provider', id: 'openai.code_interpreter', name: 'python', args: {} },
      ],
      undefined,
      'gpt-5',
    );
    const call = (id: string, toolName: string, input = '{}') => ({
      type: 'tool-call',
      toolCallId: id,
      toolName,
      input,
      providerExecuted: true,
    });
    const parts = [
      call('fs_1', 'docs'),
      { type: 'tool-result', toolCallId: 'fs_1', toolName: 'docs', result: {} },
      call('fs_2', 'file_search'),
      call('ci_1', 'python', '{"code":"1","containerId":"cntr_a"}'),
      call('ci_2', 'python', '{"code":"2","containerId":"cntr_a"}'),
      call('ci_3', 'python', '{"code":"3","containerId":"cntr_b"}'),
      { type: 'tool-call', toolCallId: 'f_1', toolName: 'docs', input: '{}' },
    ];
    const usage = usageOfAiSdkResult(report(v3({ input_tokens: 10, output_tokens: 5 }), {}, parts), {
      ...openai,
      serverTools: tools,
    });
    expect(usage?.fees).toEqual({ fileSearch: 2, codeExecution: 2 });
  });

  it('raw usage without a completion count is unknown', () => {
    expect(usageOfAiSdkResult(report(v3({ prompt_tokens: 10 })), openai)).toBeNull();
  });
});

describe('usageOfAiSdkResult: Google', () => {
  const search = describeServerTools(
    [{ type: 'provider', id: 'google.google_search', name: 'google_search', args: {} }],
    undefined,
    'gemini-3-flash-preview',
  );
  const usageMetadata = {
    promptTokenCount: 1_000,
    candidatesTokenCount: 500,
    cachedContentTokenCount: 300,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: 500 },
      { modality: 'AUDIO', tokenCount: 400 },
      { modality: 'IMAGE', tokenCount: 100 },
    ],
    cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 100 }],
    candidatesTokensDetails: [
      { modality: 'TEXT', tokenCount: 200 },
      { modality: 'IMAGE', tokenCount: 300 },
    ],
    serviceTier: 'flex',
  };

  it('modality buckets carved out of the text buckets, never counted twice', () => {
    const usage = usageOfAiSdkResult(report(v3(usageMetadata)), context({ family: 'google' }));
    // 1,000 prompt = 700 uncached (300 audio, 100 image, 300 text) + 300 cached (100 audio, 200 text).
    expect(usage).toEqual({
      inputUncached: 300,
      inputCacheRead: 200,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 200,
      outputReasoning: 0,
      inputAudio: 300,
      inputAudioCacheRead: 100,
      inputImage: 100,
      outputImage: 300,
      tiers: ['flex'],
    });
  });

  it('V2: grounding per query on Gemini 3, per continued request, only for the tools the request enabled', () => {
    const flat = { inputTokens: 1_000, outputTokens: 500 };
    const metadata = {
      google: {
        usageMetadata: { promptTokenCount: 1_000, candidatesTokenCount: 500 },
        groundingMetadataPerRequest: [{ webSearchQueries: ['a', 'b'] }, { webSearchQueries: ['c'] }, null],
      },
    };
    const gemini3 = context({ family: 'google', model: 'gemini-3-flash-preview', serverTools: search });
    expect(usageOfAiSdkResult(report(flat, metadata), gemini3)?.fees).toEqual({ googleSearch: 3 });
    const gemini25 = { ...gemini3, model: 'gemini-2.5-flash' };
    expect(usageOfAiSdkResult(report(flat, metadata), gemini25)?.fees).toEqual({ googleSearch: 2 });
    expect(
      usageOfAiSdkResult(report(flat, metadata), { ...gemini3, serverTools: NO_SERVER_TOOLS })?.fees,
    ).toBeUndefined();
  });

  it('maps grounding: one per request whose chunks carry maps', () => {
    const maps = describeServerTools(
      [{ type: 'provider', id: 'google.google_maps', name: 'maps', args: {} }],
      undefined,
      'gemini-2.5-flash',
    );
    const metadata = { google: { groundingMetadata: { groundingChunks: [{ maps: { uri: 'u' } }, { maps: {} }] } } };
    const usage = usageOfAiSdkResult(
      report(v3({ promptTokenCount: 10, candidatesTokenCount: 5 }), metadata),
      context({ family: 'google', model: 'gemini-2.5-flash', serverTools: maps }),
    );
    expect(usage?.fees).toEqual({ googleMaps: 1 });
  });

  it('usage without promptTokenCount, or with a malformed detail, is unknown', () => {
    const google = context({ family: 'google' });
    expect(usageOfAiSdkResult(report(v3({ candidatesTokenCount: 5 })), google)).toBeNull();
    const bad = { ...usageMetadata, promptTokensDetails: [{ modality: 'AUDIO', tokenCount: -4 }] };
    expect(usageOfAiSdkResult(report(v3(bad)), google)).toBeNull();
  });
});

describe('usageOfAiSdkResult: other providers', () => {
  it('reads the AI SDK counts, charging an asked surcharge but not an asked discount the answer does not confirm', () => {
    const priority = usageOfAiSdkResult(report(v3(undefined)), context({ requestedTiers: ['priority'] }));
    expect(priority).toMatchObject({ inputUncached: 1_000, outputText: 500, tiers: ['priority'] });
    const flex = usageOfAiSdkResult(report(v3(undefined)), context({ requestedTiers: ['flex'] }));
    expect(flex).toMatchObject({ inputUncached: 1_000, outputText: 500 });
    expect(flex?.tiers).toBeUndefined();
  });
});
