import { describe, expect, it } from 'vitest';
import { describeServerTools } from './ai-sdk-server-tools.js';
import { capAiSdkServerTools } from './cap-ai-sdk-server-tools.js';
import { describeAiSdkCall } from './describe-ai-sdk-call.js';

const provider = (id: string, name: string, args: Record<string, unknown> = {}, type = 'provider') => ({
  type,
  id,
  name,
  args,
});

describe('describeServerTools', () => {
  it('reads V3 `provider` and V2 `provider-defined` tools with their own caps; function tools are not billed', () => {
    const tools = describeServerTools(
      [
        provider('anthropic.web_search_20250305', 'web_search', { maxUses: 3 }),
        provider('anthropic.web_fetch_20250910', 'fetch', { maxContentTokens: 20_000 }, 'provider-defined'),
        provider('anthropic.code_execution_20250825', 'code_execution'),
        { type: 'function', name: 'weather', inputSchema: {} },
      ],
      undefined,
      'claude-sonnet-4-5',
    );
    expect(tools.requests).toEqual([
      { fee: 'webSearch', maxUses: 3, inputTokensPerUse: 10_000, rereadsPrompt: true },
      { fee: 'webFetch', maxUses: undefined, inputTokensPerUse: 22_000, rereadsPrompt: true },
      { fee: 'codeExecution', maxUses: 1, fixed: true, inputTokensPerUse: 20_000, rereadsPrompt: true },
    ]);
    expect([...tools.byName.keys()]).toEqual(['web_search', 'fetch', 'web_fetch', 'code_execution']);
  });

  it('OpenAI built-in tools are capped by maxToolCalls; code interpreter reserves one container session', () => {
    const tools = [
      provider('openai.web_search_preview', 'search'),
      provider('openai.file_search', 'docs', { maxNumResults: 5 }),
      provider('openai.code_interpreter', 'python'),
    ];
    expect(describeServerTools(tools, undefined, 'gpt-5').requests).toEqual([
      { fee: 'webSearch', maxUses: undefined, inputTokensPerUse: 8_000 },
      { fee: 'fileSearch', maxUses: undefined, inputTokensPerUse: 4_000 },
      { fee: 'codeExecution', maxUses: 1, fixed: true, inputTokensPerUse: 4_000 },
    ]);
    const capped = describeServerTools(tools, { openai: { maxToolCalls: 2 } }, 'gpt-5').requests;
    expect(capped.map((tool) => tool.maxUses)).toEqual([2, 2, 1]);
  });

  it('Gemini grounding cannot be capped: one grounded prompt on 2.x, a bound of queries on Gemini 3', () => {
    const tools = [provider('google.google_search', 'google_search'), provider('google.google_maps', 'maps')];
    expect(describeServerTools(tools, undefined, 'gemini-2.5-flash').requests).toEqual([
      { fee: 'googleSearch', maxUses: 1, fixed: true, inputTokensPerUse: 2_000 },
      { fee: 'googleMaps', maxUses: 1, fixed: true, inputTokensPerUse: 2_000 },
    ]);
    expect(describeServerTools(tools, undefined, 'gemini-3-pro-preview').requests.map((tool) => tool.maxUses)).toEqual([
      10, 10,
    ]);
  });
});

describe('describeAiSdkCall: tiers and server tools', () => {
  it('asks for the tier or mode of providerOptions; standard tiers are left out', () => {
    const call = (provider: string, providerOptions: unknown) =>
      describeAiSdkCall({ prompt: [], providerOptions }, { provider, model: 'm' }).tiers;
    expect(call('openai', { openai: { serviceTier: 'flex' } })).toEqual(['flex']);
    expect(call('openai', { openai: { serviceTier: 'auto' } })).toBeUndefined();
    expect(call('anthropic', { anthropic: { speed: 'fast', inferenceGeo: 'us' } })).toEqual([
      'fast',
      'inference_geo:us',
    ]);
    expect(call('anthropic', { anthropic: { inferenceGeo: 'global' } })).toBeUndefined();
    expect(call('google', { google: { serviceTier: 'priority' } })).toEqual(['priority']);
    expect(call('google', undefined)).toBeUndefined();
  });

  it('puts billed provider tools in serverTools; none for a text-only call', () => {
    const tools = [provider('anthropic.web_search_20250305', 'web_search')];
    const priced = { provider: 'anthropic', model: 'claude-haiku-4-5' };
    expect(describeAiSdkCall({ prompt: [], tools }, priced).serverTools).toEqual([
      { fee: 'webSearch', maxUses: undefined, inputTokensPerUse: 10_000, rereadsPrompt: true },
    ]);
    expect('serverTools' in describeAiSdkCall({ prompt: [] }, priced)).toBe(false);
  });
});

describe('capAiSdkServerTools', () => {
  it('sets maxUses on uncapped Anthropic web search / fetch tools, never on the given objects', () => {
    const search = provider('anthropic.web_search_20250305', 'web_search');
    const fetch = provider('anthropic.web_fetch_20250910', 'web_fetch', { maxUses: 2 });
    const tools = [search, fetch, { type: 'function', name: 'f' }];
    const changed = capAiSdkServerTools(tools, undefined, { webSearch: 4, webFetch: 9 });
    expect(changed.tools).toEqual([{ ...search, args: { maxUses: 4 } }, fetch, tools[2]]);
    expect(changed.providerOptions).toBeUndefined();
    expect(search.args).toEqual({});
  });

  it('sets OpenAI maxToolCalls to the smallest cap, keeping the other provider options', () => {
    const tools = [provider('openai.web_search', 'web'), provider('openai.file_search', 'docs')];
    const options = { openai: { store: false }, other: { a: 1 } };
    const changed = capAiSdkServerTools(tools, options, { webSearch: 10, fileSearch: 3 });
    expect(changed).toEqual({ providerOptions: { openai: { store: false, maxToolCalls: 3 }, other: { a: 1 } } });
    expect(options.openai).toEqual({ store: false });
    expect(capAiSdkServerTools(tools, { openai: { maxToolCalls: 1 } }, { webSearch: 10 })).toEqual({});
    expect(capAiSdkServerTools(tools, undefined, undefined)).toEqual({});
  });
});
