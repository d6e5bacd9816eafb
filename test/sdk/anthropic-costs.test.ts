import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { guard, isUnbudgetedEndpointError } from '../../src/index.js';
import type { MockProvider, MockScenario } from '../../src/testing/index.js';
import { anthropicClient, chatMessages } from '../support/clients.js';
import { collectEvents, drain } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** n$ for `tokens` at `usdPerMillion` (1 token at $1/1M = 1,000 n$). */
const at = (tokens: number, usdPerMillion: number) => tokens * usdPerMillion * 1_000;
/** $10 per 1,000 searches (https://platform.claude.com/docs/en/about-claude/pricing, "Web search"). */
const SEARCH_NANOS = 10_000_000;

const webSearchTool = { type: 'web_search_20250305' as const, name: 'web_search' as const };

type Call = (client: Anthropic, body: Anthropic.MessageCreateParamsNonStreaming) => Promise<unknown>;
const viaJson: Call = (client, body) => client.messages.create(body);
const viaStream: Call = async (client, body) => drain(await client.messages.create({ ...body, stream: true }));
const viaHelper: Call = (client, body) => client.messages.stream(body).finalMessage();
const CALLS = { 'messages.create JSON': viaJson, 'messages.create SSE': viaStream, 'messages.stream()': viaHelper };

/** Runs one call under a budget and returns what it settled on. */
async function settle(scenario: MockScenario, body: Anthropic.MessageCreateParamsNonStreaming, call: Call) {
  mock.setScenario(scenario);
  const { onEvent, of } = collectEvents();
  const client = guard(anthropicClient(mock), { budget: 5, onEvent });
  await call(client, body);
  const [settled] = of('call-settled');
  if (!settled) throw new Error('no call-settled event');
  return { settled, spent: client.tokenfence.spentNanos, of };
}

describe.each(Object.entries(CALLS))('%s', (_name, call) => {
  // Usage of the web search doc's example answer (one search), https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool
  // ("Response" example: input_tokens 6039, output_tokens 931, server_tool_use.web_search_requests 1).
  it('prices the web search doc example: tokens + 1 search', async () => {
    const { settled, spent } = await settle(
      { inputTokens: 6_039, outputTokens: 931, usageFields: { server_tool_use: { web_search_requests: 1 } } },
      { model: 'claude-sonnet-4-20250514', max_tokens: 1_024, messages: chatMessages, tools: [webSearchTool] },
      call,
    );
    expect(spent).toBe(at(6_039, 3) + at(931, 15) + 1 * SEARCH_NANOS);
    expect(settled.usage.fees).toEqual({ webSearch: 1 });
    expect(settled.source).toBe('provider');
  });

  // Same page, "Usage and pricing": input 105, output 6039, cache read 7123, cache creation 7345 (no 5m/1h
  // split: priced at the 5-minute write rate the request implies), 1 search.
  it('prices the web search doc "Usage and pricing" example with cache tokens', async () => {
    const { spent, settled } = await settle(
      {
        inputTokens: 105,
        outputTokens: 6_039,
        cachedTokens: 7_123,
        cacheWrite5mTokens: 7_345,
        usageFields: { cache_creation: undefined, server_tool_use: { web_search_requests: 1 } },
      },
      { model: 'claude-sonnet-4-20250514', max_tokens: 8_000, messages: chatMessages, tools: [webSearchTool] },
      call,
    );
    expect(spent).toBe(at(105, 3) + at(7_123, 0.3) + at(7_345, 3.75) + at(6_039, 15) + SEARCH_NANOS);
    expect(settled.usage).toMatchObject({ inputCacheWrite5m: 7_345, inputCacheWrite1h: 0 });
  });

  it('prices 10 searches on claude-sonnet-4 at exactly 10 × $0.01 over the tokens', async () => {
    const { spent, settled } = await settle(
      {
        inputTokens: 41_000,
        outputTokens: 1_200,
        usageFields: {
          server_tool_use: { web_search_requests: 10, web_fetch_requests: 0 },
          service_tier: 'standard',
        },
      },
      { model: 'claude-sonnet-4-20250514', max_tokens: 2_000, messages: chatMessages, tools: [webSearchTool] },
      call,
    );
    expect(spent).toBe(at(41_000, 3) + at(1_200, 15) + 10 * 10_000_000);
    expect(settled.usage.tiers).toBeUndefined();
  });

  // Web fetch bills tokens only (https://platform.claude.com/docs/en/about-claude/pricing, "Web fetch"):
  // the fetched pages are already in input_tokens, so the call is priced exactly from its tokens.
  it('prices web fetches as tokens only, exactly', async () => {
    const { spent, settled } = await settle(
      { inputTokens: 9_000, outputTokens: 300, usageFields: { server_tool_use: { web_fetch_requests: 2 } } },
      {
        model: 'claude-sonnet-4-6',
        max_tokens: 500,
        messages: chatMessages,
        tools: [{ type: 'web_fetch_20250910', name: 'web_fetch', max_uses: 2 }],
      },
      call,
    );
    expect(spent).toBe(at(9_000, 3) + at(300, 15));
    expect(settled.source).toBe('provider');
    expect(settled.usage.fees).toBeUndefined();
  });

  // Fast mode doc, https://platform.claude.com/docs/en/build-with-claude/fast-mode: the request sends
  // `speed: "fast"`, the usage answers `speed: "fast"`; Opus 4.6 fast is $30 / $150 vs $5 / $25 (×6).
  it('prices fast mode on Opus 4.6 at 6× and reserves at 6×', async () => {
    const { spent, settled } = await settle(
      { inputTokens: 2_000, outputTokens: 700, usageFields: { speed: 'fast' } },
      { model: 'claude-opus-4-6', max_tokens: 4_096, speed: 'fast', messages: chatMessages },
      call,
    );
    expect(spent).toBe(at(2_000, 30) + at(700, 150));
    expect(settled.usage.tiers).toEqual(['fast']);
    // The hold covers the full output cap at the fast rate.
    expect(settled.reservedUsd * 1e9).toBeGreaterThanOrEqual(at(4_096, 150));
  });

  // Data residency doc example usage, https://platform.claude.com/docs/en/build-with-claude/data-residency:
  // { input_tokens: 25, output_tokens: 150, inference_geo: "us" } — US-only inference is 1.1× every token price.
  it('prices inference_geo "us" at 1.1×, cache writes 5m/1h still exact', async () => {
    const { spent, settled } = await settle(
      {
        inputTokens: 25,
        outputTokens: 150,
        cacheWrite5mTokens: 2_000,
        cacheWrite1hTokens: 1_000,
        cachedTokens: 4_000,
        usageFields: { inference_geo: 'us' },
      },
      { model: 'claude-sonnet-4-6', max_tokens: 500, inference_geo: 'us', messages: chatMessages },
      call,
    );
    // $3 input, $3.75 5m write, $6 1h write, $0.30 read, $15 output; ×1.1, rounded up once.
    const standard = at(25, 3) + at(2_000, 3.75) + at(1_000, 6) + at(4_000, 0.3) + at(150, 15);
    expect(spent).toBe(Math.ceil((standard * 11) / 10));
    expect(settled.usage).toMatchObject({
      inputCacheWrite5m: 2_000,
      inputCacheWrite1h: 1_000,
      tiers: ['inference_geo:us'],
    });
  });

  it('records the priority tier the usage reports (standard list prices)', async () => {
    const { spent, settled } = await settle(
      { inputTokens: 1_000, outputTokens: 500, usageFields: { service_tier: 'priority', inference_geo: 'global' } },
      { model: 'claude-sonnet-4-6', max_tokens: 500, service_tier: 'auto', messages: chatMessages },
      call,
    );
    expect(spent).toBe(at(1_000, 3) + at(500, 15));
    expect(settled.usage.tiers).toEqual(['priority']);
  });

  it('records code execution as one container hour ($0.05) when the answer ran code', async () => {
    const { spent, settled } = await settle(
      {
        inputTokens: 3_000,
        outputTokens: 400,
        anthropicContent: [
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'bash_code_execution', input: { command: 'ls' } },
        ],
      },
      {
        model: 'claude-sonnet-4-6',
        max_tokens: 1_000,
        messages: chatMessages,
        tools: [{ type: 'code_execution_20250825', name: 'code_execution' }],
      },
      call,
    );
    expect(spent).toBe(at(3_000, 3) + at(400, 15) + 50_000_000);
    expect(settled.usage.fees).toEqual({ codeExecution: 1 });
  });
});

describe('stream and JSON agree', () => {
  it('gives the same buckets when message_start has server_tool_use zeros and message_delta the counts', async () => {
    const scenario: MockScenario = {
      inputTokens: 12_345,
      outputTokens: 678,
      cachedTokens: 900,
      cacheWrite1hTokens: 300,
      usageFields: {
        server_tool_use: { web_search_requests: 3, web_fetch_requests: 2 },
        service_tier: 'priority',
        speed: 'fast',
        inference_geo: 'us',
      },
    };
    const body = {
      model: 'claude-opus-4-6',
      max_tokens: 1_000,
      messages: chatMessages,
      tools: [webSearchTool],
    } satisfies Anthropic.MessageCreateParamsNonStreaming;
    const json = await settle(scenario, body, viaJson);
    const stream = await settle(scenario, body, viaStream);
    const helper = await settle(scenario, body, viaHelper);
    expect(json.settled.usage).toEqual({
      inputUncached: 12_345,
      inputCacheRead: 900,
      inputCacheWrite5m: 0,
      inputCacheWrite1h: 300,
      outputText: 678,
      outputReasoning: 0,
      fees: { webSearch: 3 },
      tiers: ['priority', 'fast', 'inference_geo:us'],
    });
    expect(stream.settled.usage).toEqual(json.settled.usage);
    expect(helper.settled.usage).toEqual(json.settled.usage);
    expect(stream.spent).toBe(json.spent);
    // Opus 4.6: $5 / $0.50 read / $10 1h write / $25; fast ×6 and US ×1.1 multiply (×6.6), rounded up once.
    const standard = at(12_345, 5) + at(900, 0.5) + at(300, 10) + at(678, 25);
    expect(json.spent).toBe(Math.ceil((standard * 66) / 10) + 3 * SEARCH_NANOS);
  });
});

describe('malformed usage is an unknown cost, charged as the hold', () => {
  const garbage: Array<[string, Record<string, unknown>]> = [
    ['a negative count', { input_tokens: -5 }],
    ['a string count', { output_tokens: '120' }],
    ['a fractional count', { cache_read_input_tokens: 1.5 }],
    ['an absurd count', { input_tokens: 200_000_000 }],
    ['NaN (null on the wire) for input_tokens', { input_tokens: Number.NaN }],
    ['a negative search count', { server_tool_use: { web_search_requests: -1 } }],
    ['a string search count', { server_tool_use: { web_search_requests: 'ten' } }],
    ['a non-object server_tool_use', { server_tool_use: 7 }],
    ['a missing output_tokens', { output_tokens: undefined }],
  ];
  describe.each(Object.entries(CALLS))('%s', (_name, call) => {
    it.each(garbage)('%s', async (_label, usageFields) => {
      const { settled, spent } = await settle(
        { inputTokens: 100, outputTokens: 50, usageFields },
        { model: 'claude-sonnet-4-20250514', max_tokens: 200, messages: chatMessages, tools: [webSearchTool] },
        call,
      );
      expect(settled.source).toBe('estimated');
      expect(spent).toBe(Math.round(settled.reservedUsd * 1e9));
      expect(spent).toBeGreaterThan(0);
    });
  });
});

describe('server tools in the reservation', () => {
  it('injects max_uses on an uncapped web_search and reports it', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 50 });
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), { budget: 5, onEvent });
    const tools = [webSearchTool, { name: 'lookup', input_schema: { type: 'object' as const } }];
    await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: chatMessages, tools });
    expect(mock.requests[0]?.body.tools).toEqual([
      { ...webSearchTool, max_uses: 10 },
      { name: 'lookup', input_schema: { type: 'object' } },
    ]);
    expect(tools[0]).toEqual(webSearchTool);
    expect(of('server-tools-capped')).toMatchObject([{ fee: 'webSearch', cappedTo: 10 }]);
  });

  it('keeps a max_uses the request set, and caps only the uncapped web_fetch', async () => {
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), { budget: 5, onEvent });
    await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: chatMessages,
      tools: [
        { ...webSearchTool, max_uses: 3 },
        { type: 'web_fetch_20250910', name: 'web_fetch', max_content_tokens: 5_000 },
      ],
    });
    expect(mock.requests[0]?.body.tools).toEqual([
      { ...webSearchTool, max_uses: 3 },
      { type: 'web_fetch_20250910', name: 'web_fetch', max_content_tokens: 5_000, max_uses: 10 },
    ]);
    expect(of('server-tools-capped')).toMatchObject([{ fee: 'webFetch', cappedTo: 10 }]);
  });

  it('reserves the searches at their cap: each of 5 searches re-reads the prompt and the results so far', async () => {
    const body = { model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: chatMessages };
    const plain = guard(anthropicClient(mock), { budget: 5 });
    const plainPending = plain.messages.create({
      ...body,
      tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
    });
    const plainHold = plain.tokenfence.reserved;
    await plainPending;
    const searching = guard(anthropicClient(mock), { budget: 5 });
    const pending = searching.messages.create({ ...body, tools: [{ ...webSearchTool, max_uses: 5 }] });
    const hold = searching.tokenfence.reserved;
    await pending;
    // 5 searches of ~10k result tokens: 10k + 20k + … + 50k = 150k result tokens read, at $3 / 1M, plus
    // the prompt read 5 more times. The tool JSON differs a little between the two requests.
    const searches = 5 * SEARCH_NANOS + at(150_000, 3);
    expect(hold * 1e9 - plainHold * 1e9).toBeGreaterThanOrEqual(searches - at(200, 3));
    expect(hold * 1e9 - plainHold * 1e9).toBeLessThan(searches + at(5 * 2_000, 3));
  });

  it('caps the searches to what the budget affords, never holding more than the budget', async () => {
    const { onEvent, of } = collectEvents();
    // Tokens (~$0.02) fit; 10 searches (~$1.75 with the prompt and result tokens re-read at every step) do
    // not; 1 search (the prompt read twice, 10k result tokens) fits.
    const client = guard(anthropicClient(mock), { budget: 0.3, onEvent });
    const pending = client.messages.create({
      model: 'claude-sonnet-4-20250514',
      max_tokens: 1_000,
      messages: chatMessages,
      tools: [webSearchTool],
    });
    await pending;
    // Read from the settlement: a call whose local bound does not fit may first be counted by the provider.
    const hold = of('call-settled')[0]?.reservedUsd ?? 0;
    expect(hold).toBeLessThanOrEqual(0.3);
    expect(hold * 1e9).toBeGreaterThanOrEqual(SEARCH_NANOS + at(10_000, 3) + at(1_000, 15));
    expect(mock.requests[0]?.body.tools).toEqual([{ ...webSearchTool, max_uses: 1 }]);
    expect(of('server-tools-capped')).toMatchObject([{ fee: 'webSearch', cappedTo: 1 }]);
  });

  it('refuses when not even one search fits, and sends nothing', async () => {
    const client = guard(anthropicClient(mock), { budget: 0.03, onLimit: 'throw' });
    await expect(
      client.messages.create({
        model: 'claude-sonnet-4-20250514',
        max_tokens: 1_000,
        messages: chatMessages,
        tools: [{ ...webSearchTool, max_uses: 10 }],
      }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(mock.requests).toHaveLength(0);
  });

  it('reserves one container hour for code execution, which max_uses cannot cap', async () => {
    const body = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: chatMessages };
    const { onEvent, of } = collectEvents();
    const client = guard(anthropicClient(mock), { budget: 5, onEvent });
    const pending = client.messages.create({
      ...body,
      tools: [{ type: 'code_execution_20250825', name: 'code_execution' }],
    });
    const hold = client.tokenfence.reserved;
    await pending;
    expect(hold * 1e9).toBeGreaterThanOrEqual(50_000_000);
    expect(mock.requests[0]?.body.tools).toEqual([{ type: 'code_execution_20250825', name: 'code_execution' }]);
    expect(of('server-tools-capped')).toEqual([]);
  });
});

describe('message batches', () => {
  it.each([
    ['messages.batches.create', (client: Anthropic) => client.messages.batches.create({ requests: [] })],
    ['beta.messages.batches.create', (client: Anthropic) => client.beta.messages.batches.create({ requests: [] })],
  ])('refuses %s under a budget before anything is sent', async (path, create) => {
    const client = guard(anthropicClient(mock), { budget: 5 });
    const error = await Promise.resolve(create(client)).catch((caught: unknown) => caught);
    expect(isUnbudgetedEndpointError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UNBUDGETED_ENDPOINT' });
    expect(String((error as Error).message)).toContain(path);
    expect(mock.requests).toHaveLength(0);
  });
});
