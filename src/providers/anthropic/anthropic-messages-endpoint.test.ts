import { describe, expect, it } from 'vitest';
import { createAnthropicMessagesEndpoint } from './anthropic-messages-endpoint.js';
import { WEB_FETCH_DEFAULT_TOKENS_PER_USE, WEB_SEARCH_TOKENS_PER_USE } from './anthropic-server-tools.js';
import { normalizeAnthropicUsage } from './normalize-anthropic-usage.js';

const endpoint = createAnthropicMessagesEndpoint(false);
const base = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
const sse = (type: string, body: object) => [type, JSON.stringify({ type, ...body })] as const;

describe('describe', () => {
  it('asks for no tier and no server tools on a plain request (the fast path stays small)', () => {
    const request = endpoint.describe({ ...base, service_tier: 'auto', inference_geo: 'global', speed: 'standard' });
    expect(request).not.toHaveProperty('tiers');
    expect(request).not.toHaveProperty('serverTools');
  });

  it('reads fast mode and a residency region as tiers', () => {
    expect(endpoint.describe({ ...base, speed: 'fast', inference_geo: 'us' })?.tiers).toEqual([
      'fast',
      'inference_geo:us',
    ]);
  });

  it('lists server tools of every version with their caps and per-use tokens', () => {
    const request = endpoint.describe({
      ...base,
      tools: [
        { type: 'web_search_20260209', name: 'web_search', max_uses: 4 },
        { type: 'web_fetch_20250910', name: 'web_fetch' },
        { type: 'web_fetch_20260318', name: 'web_fetch', max_content_tokens: 1_000, max_uses: 2 },
        { type: 'code_execution_20250522', name: 'code_execution' },
        { type: 'code_execution_20250825', name: 'code_execution' },
        { type: 'bash_20250124', name: 'bash' },
        { name: 'lookup', input_schema: { type: 'object' } },
      ],
    });
    const tools = request?.serverTools ?? [];
    expect(tools.map(({ fee, maxUses, fixed }) => ({ fee, maxUses, fixed }))).toEqual([
      { fee: 'webSearch', maxUses: 4, fixed: undefined },
      { fee: 'webFetch', maxUses: undefined, fixed: undefined },
      { fee: 'webFetch', maxUses: 2, fixed: undefined },
      { fee: 'codeExecution', maxUses: 1, fixed: true },
    ]);
    // Each use is a step of the server-side loop that reads the prompt and earlier results again: the
    // planner adds N × prompt + R × N(N+1)/2 for N uses; the adapter gives R and says it re-reads.
    expect(tools.map((tool) => [tool.inputTokensPerUse, tool.rereadsPrompt])).toEqual([
      [WEB_SEARCH_TOKENS_PER_USE, true],
      [WEB_FETCH_DEFAULT_TOKENS_PER_USE, true],
      [1_100, true],
      [20_000, true],
    ]);
  });

  it('reserves one container hour for a web tool that filters with code, and none for older versions', () => {
    const tools = (type: string) => endpoint.describe({ ...base, tools: [{ type, name: 'web_search' }] })?.serverTools;
    expect(tools('web_search_20260209')?.map((tool) => tool.fee)).toEqual(['webSearch', 'codeExecution']);
    expect(tools('web_search_20250305')?.map((tool) => tool.fee)).toEqual(['webSearch']);
  });
});

describe('rewrite', () => {
  it('sets max_uses on uncapped server tools of a capped kind only, never mutating the request', () => {
    const tools = [
      { type: 'web_search_20250305', name: 'web_search' },
      { type: 'web_search_20250305', name: 'web_search_capped', max_uses: 2 },
      { type: 'web_fetch_20250910', name: 'web_fetch' },
      { type: 'code_execution_20250825', name: 'code_execution' },
    ];
    const params = { ...base, tools };
    const next = endpoint.rewrite(params, { toolCaps: { webSearch: 3, codeExecution: 1 }, outputCap: 50 });
    expect(next.tools).toEqual([
      { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      tools[1],
      tools[2],
      tools[3],
    ]);
    expect(next.max_tokens).toBe(50);
    expect(tools[0]).toEqual({ type: 'web_search_20250305', name: 'web_search' });
  });
});

describe('usage', () => {
  it('reads the SDK-shaped web search usage of WIRE-FIELDS.md (standard tier, global region: no tier)', () => {
    const usage = normalizeAnthropicUsage(
      {
        input_tokens: 6039,
        output_tokens: 931,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        server_tool_use: { web_search_requests: 1, web_fetch_requests: 0 },
        service_tier: 'standard',
        speed: 'standard',
        inference_geo: 'global',
      },
      undefined,
    );
    expect(usage).toEqual({
      inputUncached: 6039,
      inputCacheRead: 0,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 0,
      outputText: 931,
      outputReasoning: 0,
      fees: { webSearch: 1 },
    });
  });

  it.each([
    ['batch tier', { service_tier: 'batch' }, ['batch']],
    ['an unpriced region (named, priced ×1)', { inference_geo: 'eu' }, ['inference_geo:eu']],
  ])('records the %s', (_name, extra, tiers) => {
    expect(normalizeAnthropicUsage({ input_tokens: 1, output_tokens: 1, ...extra }, undefined)?.tiers).toEqual(tiers);
  });

  it.each([
    ['a label that is not a string', { service_tier: 3 }],
    ['a label with odd characters', { inference_geo: 'us; drop' }],
    ['a non-object cache_creation', { cache_creation: 'big' }],
    ['missing input_tokens', { input_tokens: undefined }],
  ])('is unknown for %s', (_name, extra) => {
    expect(normalizeAnthropicUsage({ input_tokens: 1, output_tokens: 1, ...extra }, undefined)).toBeNull();
  });

  it('counts code execution from the container or its blocks in JSON', () => {
    const usage = { input_tokens: 10, output_tokens: 5 };
    const withContainer = { usage, container: { id: 'container_1', expires_at: '2026-12-08T00:00:00Z' }, content: [] };
    const withResult = { usage, content: [{ type: 'code_execution_tool_result', tool_use_id: 'x', content: {} }] };
    const plain = { usage, container: null, content: [{ type: 'text', text: 'code_execution' }] };
    expect(endpoint.usageFromJson(withContainer, undefined)?.fees).toEqual({ codeExecution: 1 });
    expect(endpoint.usageFromJson(withResult, undefined)?.fees).toEqual({ codeExecution: 1 });
    expect(endpoint.usageFromJson(plain, undefined)?.fees).toBeUndefined();
  });
});

describe('stream tracker', () => {
  const track = (events: ReadonlyArray<readonly [string, string]>) => {
    const tracker = endpoint.createStreamTracker({ stripUsageChunk: false, cacheWrite: undefined });
    for (const [name, data] of events) tracker.onEvent(name, data);
    return tracker.result();
  };
  const start = (usage: object, extra: object = {}) =>
    sse('message_start', { message: { usage, content: [], ...extra } });
  const delta = (usage: object, extra: object = {}) => sse('message_delta', { delta: { ...extra }, usage });

  it('keeps each cumulative field at its latest value, never a sum, and zeros never erase counts', () => {
    const { usage } = track([
      start({ input_tokens: 500, output_tokens: 1, server_tool_use: { web_search_requests: 0 }, speed: 'fast' }),
      delta({ output_tokens: 40, server_tool_use: { web_search_requests: 2 } }),
      delta({ input_tokens: 0, output_tokens: 90, server_tool_use: { web_search_requests: 3 } }),
      sse('message_stop', {}),
    ]);
    expect(usage).toMatchObject({ inputUncached: 500, outputText: 90, fees: { webSearch: 3 }, tiers: ['fast'] });
  });

  it('is unknown when a later event carries a malformed count', () => {
    const { usage } = track([
      start({ input_tokens: 500, output_tokens: 1 }),
      delta({ output_tokens: 40, server_tool_use: { web_search_requests: 2.5 } }),
    ]);
    expect(usage).toBeNull();
  });

  it('knows no usage until message_delta gives the output count (message_start only has a placeholder)', () => {
    const usage = { input_tokens: 5, output_tokens: 1 };
    expect(track([start(usage)]).usage).toBeNull();
    expect(track([start(usage), delta({ output_tokens: null })]).usage).toBeNull();
    expect(track([start(usage), delta({ output_tokens: 40 })]).usage?.outputText).toBe(40);
  });

  it('counts code execution from a block start or the container of message_delta', () => {
    const block = sse('content_block_start', {
      index: 0,
      content_block: { type: 'server_tool_use', id: 's', name: 'code_execution', input: {} },
    });
    const text = sse('content_block_start', { index: 1, content_block: { type: 'text', text: 'code_execution' } });
    const usage = { input_tokens: 5, output_tokens: 5 };
    expect(track([start(usage), block, delta(usage)]).usage?.fees).toEqual({ codeExecution: 1 });
    expect(track([start(usage), text, delta(usage)]).usage?.fees).toBeUndefined();
    expect(track([start(usage), delta(usage, { container: { id: 'c' } })]).usage?.fees).toEqual({ codeExecution: 1 });
  });
});
