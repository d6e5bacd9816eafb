/**
 * Every dollar OpenAI bills, through the real `openai` SDK against the mock: audio and image tokens, cache
 * writes, service tiers, tool fees (web search, file search, code interpreter), legacy completions and GPT
 * image generations, JSON and SSE alike. Bodies marked (doc) are OpenAI documentation examples; (SDK-shaped)
 * are built from the SDK's types with the layout of the cited page. Every price is checked against
 * arithmetic written here from the rates listed beside it ($X / 1M tokens = X × 1,000 n$ per token).
 */
import { describe, expect, it } from 'vitest';
import { guard, isUnbudgetedEndpointError } from '../../src/index.js';
import { openAIAdapter } from '../../src/providers/openai/openai-adapter.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { collectEvents, drain } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** SSE text from `[event name or undefined, data]` pairs (chat streams have no event names). */
function sse(events: ReadonlyArray<readonly [string | undefined, unknown]>): string {
  return events
    .map(
      ([name, data]) =>
        `${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
    .join('');
}

/** A chat completion with the layout of https://platform.openai.com/docs/api-reference/chat/object (SDK-shaped). */
function chatCompletion(model: string, usage: object, serviceTier = 'default') {
  return {
    id: 'chatcmpl-golden',
    object: 'chat.completion',
    created: 1_741_569_952,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello.', refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage,
    service_tier: serviceTier,
  };
}

/** The same completion as a stream: content chunks, then the `include_usage` chunk (empty choices). */
function chatStream(model: string, usage: object, serviceTier = 'default'): string {
  const header = { id: 'chatcmpl-golden', object: 'chat.completion.chunk', created: 1_741_569_952, model };
  const chunk = (delta: object, finish: string | null) => ({
    ...header,
    service_tier: serviceTier,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
  });
  return sse([
    [undefined, chunk({ role: 'assistant', content: '' }, null)],
    [undefined, chunk({ content: 'Hello.' }, null)],
    [undefined, chunk({}, 'stop')],
    [undefined, { ...header, service_tier: serviceTier, choices: [], usage }],
    [undefined, '[DONE]'],
  ]);
}

/** A Responses object with the layout of https://platform.openai.com/docs/api-reference/responses/object. */
function responseObject(model: string, output: unknown[], usage: object, extra: object = {}) {
  return {
    id: 'resp_golden',
    object: 'response',
    created_at: 1_741_476_542,
    status: 'completed',
    error: null,
    incomplete_details: null,
    model,
    output: [
      ...output,
      {
        type: 'message',
        id: 'msg_golden',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Done.', annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    service_tier: 'default',
    usage,
    ...extra,
  };
}

/** The Responses stream of that object: created (no usage yet), each item done, then `response.completed`. */
function responseStream(response: ReturnType<typeof responseObject>, finalOutput = response.output): string {
  let sequence = 0;
  const event = (type: string, body: object) => [type, { type, sequence_number: sequence++, ...body }] as const;
  return sse([
    event('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } }),
    ...response.output.map((item, index) => event('response.output_item.done', { output_index: index, item })),
    event('response.completed', { response: { ...response, output: finalOutput } }),
  ]);
}

async function settledOf(run: (client: ReturnType<typeof guardedClient>['client']) => Promise<unknown>) {
  const guarded = guardedClient();
  await run(guarded.client);
  const [settled] = guarded.of('call-settled');
  return { settled, client: guarded.client, of: guarded.of };
}

/**
 * `max_tool_calls` is a documented create parameter (https://platform.openai.com/docs/api-reference/responses/create)
 * that the `openai` 6.30 types leave out; the SDK sends the body as given.
 */
function capped<T extends object>(params: T & { max_tool_calls: number }): T {
  return params;
}

function guardedClient(budget = 5) {
  const { onEvent, of } = collectEvents();
  return { client: guard(openAIClient(mock), { budget, onEvent, onLimit: 'throw' }), of };
}

describe('Chat Completions: audio tokens', () => {
  // gpt-audio: text $2.50 in / $10 out; audio $32 in / $64 out.
  const usage = {
    prompt_tokens: 1_200,
    completion_tokens: 900,
    total_tokens: 2_100,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 1_000 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 800 },
  };
  const expected = 200 * 2_500 + 1_000 * 32_000 + 100 * 10_000 + 800 * 64_000;
  const buckets = {
    inputUncached: 200,
    inputCacheRead: 0,
    inputCacheWrite5m: 0,
    inputCacheWrite1h: 0,
    outputText: 100,
    outputReasoning: 0,
    inputAudio: 1_000,
    outputAudio: 800,
  };
  const request = {
    model: 'gpt-audio',
    modalities: ['text', 'audio'] as Array<'text' | 'audio'>,
    audio: { voice: 'alloy' as const, format: 'wav' as const },
    messages: [
      {
        role: 'user' as const,
        content: [
          { type: 'text' as const, text: 'What is in this recording?' },
          { type: 'input_audio' as const, input_audio: { data: 'UklGRg==', format: 'wav' as const } },
        ],
      },
    ],
    max_completion_tokens: 2_000,
  };

  it('carves audio in and out of the text buckets and prices them at the audio rates (JSON)', async () => {
    mock.setScenario({ body: chatCompletion('gpt-audio', usage) });
    const { settled, client } = await settledOf((c) => c.chat.completions.create(request));
    expect(settled?.usage).toEqual(buckets);
    expect(settled?.costNanos).toBe(expected);
    expect(client.tokenfence.spentNanos).toBe(expected);
  });

  it('gives a stream the same buckets as the JSON body', async () => {
    mock.setScenario({ sse: chatStream('gpt-audio', usage) });
    const { settled } = await settledOf(async (c) =>
      drain(await c.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } })),
    );
    expect(settled?.usage).toEqual(buckets);
    expect(settled?.costNanos).toBe(expected);
  });
});

describe('cache writes (prompt_tokens_details / input_tokens_details.cache_write_tokens)', () => {
  // gpt-5.6-sol: $4 in, $5 cache write, $20 out. Counts from the genai-prices dataset entry 860464e0ae.
  const expected = 8 * 4_000 + 4_012 * 5_000 + 4 * 20_000;

  it('bills chat cache writes at the write rate, carved out of the prompt', async () => {
    mock.setScenario({
      body: chatCompletion('gpt-5.6-sol', {
        prompt_tokens: 4_020,
        completion_tokens: 4,
        total_tokens: 4_024,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 4_012 },
      }),
    });
    const { settled } = await settledOf((c) =>
      c.chat.completions.create({ model: 'gpt-5.6-sol', messages: chatMessages, max_completion_tokens: 100 }),
    );
    expect(settled?.usage).toMatchObject({ inputUncached: 8, inputCacheWrite5m: 4_012, outputText: 4 });
    expect(settled?.costNanos).toBe(expected);
  });

  it('bills Responses cache writes the same way', async () => {
    mock.setScenario({
      body: responseObject('gpt-5.6-sol', [], {
        input_tokens: 4_020,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 4_012 },
        output_tokens: 4,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 4_024,
      }),
    });
    const { settled } = await settledOf((c) =>
      c.responses.create({ model: 'gpt-5.6-sol', input: 'Hi', max_output_tokens: 100 }),
    );
    expect(settled?.usage).toMatchObject({ inputUncached: 8, inputCacheWrite5m: 4_012, outputText: 4 });
    expect(settled?.costNanos).toBe(expected);
  });
});

describe('service tiers (the tier the response says served the call)', () => {
  // gpt-5: $1.25 in, $10 out; flex ×0.5, priority ×2 (src/pricing/data/extra-rates.ts).
  const usage = { prompt_tokens: 1_000, completion_tokens: 100, total_tokens: 1_100 };
  const standard = 1_000 * 1_250 + 100 * 10_000;

  it.each([
    ['flex', standard / 2],
    ['priority', standard * 2],
    ['default', standard],
  ])('prices a chat completion served at %s', async (tier, expected) => {
    mock.setScenario({ body: chatCompletion('gpt-5', usage, tier) });
    const { settled } = await settledOf((c) =>
      c.chat.completions.create({ model: 'gpt-5', messages: chatMessages, max_completion_tokens: 200 }),
    );
    expect(settled?.costNanos).toBe(expected);
    expect(settled?.usage.tiers).toEqual(tier === 'default' ? undefined : [tier]);
  });

  it('prices a stream at the tier its chunks report', async () => {
    mock.setScenario({ sse: chatStream('gpt-5', usage, 'priority') });
    const { settled } = await settledOf(async (c) =>
      drain(await c.chat.completions.create({ model: 'gpt-5', messages: chatMessages, stream: true })),
    );
    expect(settled?.costNanos).toBe(standard * 2);
  });

  it('prices a Responses call at response.service_tier (flex: half)', async () => {
    mock.setScenario({
      body: responseObject(
        'gpt-5',
        [],
        { input_tokens: 1_000, output_tokens: 100, total_tokens: 1_100 },
        { service_tier: 'flex' },
      ),
    });
    const { settled } = await settledOf((c) =>
      c.responses.create({ model: 'gpt-5', input: 'Hi', max_output_tokens: 200 }),
    );
    expect(settled?.costNanos).toBe(standard / 2);
  });

  it('reserves at the asked tier: priority doubles the hold, flex halves it, auto is standard', () => {
    const endpoint = openAIAdapter.endpoints.get('chat.completions.create');
    const ask = (service_tier: string) =>
      endpoint?.describe({ model: 'gpt-5', messages: chatMessages, service_tier })?.tiers;
    expect(ask('priority')).toEqual(['priority']);
    expect(ask('flex')).toEqual(['flex']);
    expect(ask('auto')).toBeUndefined();
    expect(ask('default')).toBeUndefined();
  });

  it('refuses a priority call whose doubled worst case does not fit, where the standard one would', async () => {
    mock.setScenario({ outputTokens: 10 });
    // Worst case of 1,000 output tokens on gpt-5: standard ≈ $0.01 (+ prompt), priority ≈ $0.02.
    const budget = 0.015;
    const standardClient = guard(openAIClient(mock), { budget, onLimit: 'throw' });
    await standardClient.chat.completions.create({
      model: 'gpt-5',
      messages: chatMessages,
      max_completion_tokens: 1_000,
    });
    const priorityClient = guard(openAIClient(mock), { budget, onLimit: 'throw' });
    const sent = mock.requests.length;
    await expect(
      priorityClient.chat.completions.create({
        model: 'gpt-5',
        messages: chatMessages,
        max_completion_tokens: 1_000,
        service_tier: 'priority',
      }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(mock.requests.length).toBe(sent);
  });
});

describe('Responses tool fees, from the output items', () => {
  // gpt-5: $1.25 in, $10 out; web search $10 / 1k calls, file search $2.50 / 1k, container session $0.03.
  const usage = { input_tokens: 2_000, output_tokens: 300, total_tokens: 2_300 };
  const tokens = 2_000 * 1_250 + 300 * 10_000;
  // Layout of https://platform.openai.com/docs/guides/tools-web-search#output-and-citations (SDK-shaped).
  const webSearchItems = [
    {
      type: 'web_search_call',
      id: 'ws_1',
      status: 'completed',
      action: { type: 'search', query: 'positive news story today' },
    },
    {
      type: 'web_search_call',
      id: 'ws_2',
      status: 'completed',
      action: { type: 'open_page', url: 'https://a.example' },
    },
    {
      type: 'web_search_call',
      id: 'ws_3',
      status: 'completed',
      action: { type: 'find_in_page', url: 'https://a.example', pattern: 'x' },
    },
    { type: 'web_search_call', id: 'ws_4', status: 'completed', action: { type: 'search', query: 'second query' } },
    // No action: counted (conservative).
    { type: 'web_search_call', id: 'ws_5', status: 'completed' },
  ];

  it('bills one call per search action (not open_page / find_in_page), JSON and stream alike', async () => {
    const response = responseObject('gpt-5', webSearchItems, usage);
    const expected = tokens + 3 * 10_000_000;
    mock.setScenario({ body: response });
    const json = await settledOf((c) =>
      c.responses.create(capped({ model: 'gpt-5', input: 'news', tools: [{ type: 'web_search' }], max_tool_calls: 5 })),
    );
    expect(json.settled?.usage.fees).toEqual({ webSearch: 3 });
    expect(json.settled?.costNanos).toBe(expected);

    mock.setScenario({ sse: responseStream(response) });
    const stream = await settledOf(async (c) =>
      drain(
        await c.responses.create(
          capped({
            model: 'gpt-5',
            input: 'news',
            tools: [{ type: 'web_search' }],
            max_tool_calls: 5,
            stream: true,
          }),
        ),
      ),
    );
    expect(stream.settled?.usage).toEqual(json.settled?.usage);
    expect(stream.settled?.costNanos).toBe(expected);
  });

  it('counts the finished tool items of a stream whose final event leaves output empty', async () => {
    const response = responseObject('gpt-5', webSearchItems, usage);
    mock.setScenario({ sse: responseStream(response, []) });
    const { settled } = await settledOf(async (c) =>
      drain(await c.responses.create({ model: 'gpt-5', input: 'news', tools: [{ type: 'web_search' }], stream: true })),
    );
    expect(settled?.usage.fees).toEqual({ webSearch: 3 });
  });

  it('bills each file_search_call', async () => {
    const items = [1, 2].map((index) => ({
      type: 'file_search_call',
      id: `fs_${index}`,
      status: 'completed',
      queries: ['deep research'],
      results: null,
    }));
    mock.setScenario({ body: responseObject('gpt-5', items, usage) });
    const { settled } = await settledOf((c) =>
      c.responses.create(
        capped({
          model: 'gpt-5',
          input: 'search my files',
          tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }],
          max_tool_calls: 3,
        }),
      ),
    );
    expect(settled?.usage.fees).toEqual({ fileSearch: 2 });
    expect(settled?.costNanos).toBe(tokens + 2 * 2_500_000);
  });

  it('bills code interpreter per distinct container, at the container memory multiple echoed in tools', async () => {
    // Layout: the code_interpreter_call item in /work/wt-rates/WIRE-FIELDS.md (SDK-shaped).
    const call = (id: string, container: string) => ({
      type: 'code_interpreter_call',
      id,
      status: 'completed',
      container_id: container,
      code: 'print(3*4)',
      outputs: [{ type: 'logs', logs: '12\n' }],
    });
    const items = [call('ci_1', 'cntr_a'), call('ci_2', 'cntr_a'), call('ci_3', 'cntr_b')];
    mock.setScenario({ body: responseObject('gpt-5', items, usage) });
    const oneGb = await settledOf((c) =>
      c.responses.create(
        capped({
          model: 'gpt-5',
          input: 'compute',
          tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
          max_tool_calls: 3,
        }),
      ),
    );
    expect(oneGb.settled?.usage.fees).toEqual({ codeExecution: 2 });
    expect(oneGb.settled?.costNanos).toBe(tokens + 2 * 30_000_000);

    const tools = [{ type: 'code_interpreter', container: { type: 'auto', memory_limit: '4g' } }];
    mock.setScenario({ body: responseObject('gpt-5', items, usage, { tools }) });
    const fourGb = await settledOf((c) =>
      c.responses.create(
        capped({
          model: 'gpt-5',
          input: 'compute',
          tools: [{ type: 'code_interpreter', container: { type: 'auto', memory_limit: '4g' } }],
          max_tool_calls: 3,
        }),
      ),
    );
    // 4 GB: $0.12 per session = 4 × the 1 GB rate.
    expect(fourGb.settled?.costNanos).toBe(tokens + 2 * 120_000_000);
  });

  it('injects max_tool_calls into an uncapped request (the mock sees it) and reports server-tools-capped', async () => {
    mock.setScenario({ body: responseObject('gpt-5', [webSearchItems[0]], usage) });
    const { settled, of } = await settledOf((c) =>
      c.responses.create({ model: 'gpt-5', input: 'news', tools: [{ type: 'web_search' }], max_output_tokens: 500 }),
    );
    expect(mock.requests.at(-1)?.body.max_tool_calls).toBe(10);
    expect(of('server-tools-capped')).toEqual([expect.objectContaining({ fee: 'webSearch', cappedTo: 10 })]);
    expect(settled?.costNanos).toBe(tokens + 10_000_000);
  });

  it('cuts the injected cap to 1 when ten searches do not fit, and keeps the caller’s own cap', async () => {
    mock.setScenario({ body: responseObject('gpt-5', [webSearchItems[0]], usage) });
    // 500 output tokens ($0.005) + prompt + 1 search ($0.01 + 8,000 result tokens ≈ $0.01) fits $0.04; 10 do not.
    const { client, of } = guardedClient(0.04);
    await client.responses.create({
      model: 'gpt-5',
      input: 'news',
      tools: [{ type: 'web_search' }],
      max_output_tokens: 500,
    });
    expect(mock.requests.at(-1)?.body.max_tool_calls).toBe(1);
    expect(of('server-tools-capped')).toEqual([expect.objectContaining({ fee: 'webSearch', cappedTo: 1 })]);

    const own = guardedClient(5);
    await own.client.responses.create(
      capped({
        model: 'gpt-5',
        input: 'news',
        tools: [{ type: 'web_search' }],
        max_tool_calls: 2,
      }),
    );
    expect(mock.requests.at(-1)?.body.max_tool_calls).toBe(2);
    expect(own.of('server-tools-capped')).toEqual([]);
  });

  it('refuses a call that fits without its tool fees but not with them', async () => {
    // 100 output tokens ≈ $0.001 fits $0.005; one code interpreter session ($0.03) does not.
    const { client } = guardedClient(0.005);
    await expect(
      client.responses.create({
        model: 'gpt-5',
        input: 'compute',
        tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
        max_output_tokens: 100,
      }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    await client.responses.create({ model: 'gpt-5', input: 'compute', max_output_tokens: 100 });
    expect(mock.requests.length).toBe(1);
    expect(mock.requests[0]?.body.tools).toBeUndefined();
  });
});

describe('Chat Completions search models: one search per request', () => {
  // gpt-4o-search-preview: $2.50 in, $10 out, $25 / 1k searches (extra-rates: search models).
  it('bills the search fee beside the tokens', async () => {
    mock.setScenario({
      body: chatCompletion('gpt-4o-search-preview-2025-03-11', {
        prompt_tokens: 11,
        completion_tokens: 17,
        total_tokens: 28,
      }),
    });
    const { settled } = await settledOf((c) =>
      c.chat.completions.create({ model: 'gpt-4o-search-preview', messages: chatMessages, max_tokens: 100 }),
    );
    expect(settled?.usage.fees).toEqual({ webSearch: 1 });
    expect(settled?.costNanos).toBe(11 * 2_500 + 17 * 10_000 + 25_000_000);
  });

  it('refuses a search-model call whose fixed search fee does not fit, before sending', async () => {
    const { client, of } = guardedClient(0.01);
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-search-preview', messages: chatMessages, max_tokens: 100 }),
    ).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(mock.requests).toEqual([]);
    expect(of('server-tools-capped')).toEqual([]);
  });
});

describe('malformed usage is charged the hold, flagged estimated, never $0', () => {
  const garbage: Array<[string, object]> = [
    ['a negative count', { prompt_tokens: -5, completion_tokens: 10 }],
    ['a string count', { prompt_tokens: '100', completion_tokens: 10 }],
    ['a fractional count', { prompt_tokens: 100, completion_tokens: 10.5 }],
    ['an absurd count', { prompt_tokens: 100, completion_tokens: 200_000_000 }],
    ['a missing completion count', { prompt_tokens: 100 }],
    ['a missing prompt count', { completion_tokens: 10 }],
    [
      'garbage in the details',
      { prompt_tokens: 100, completion_tokens: 10, prompt_tokens_details: { audio_tokens: -1 } },
    ],
  ];

  it.each(garbage)('chat JSON with %s', async (_what, usage) => {
    mock.setScenario({ body: chatCompletion('gpt-4o', usage) });
    const { settled } = await settledOf((c) =>
      c.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 100 }),
    );
    expect(settled?.source).toBe('estimated');
    expect(settled?.costNanos).toBeGreaterThan(0);
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
  });

  it('a chat stream whose usage chunk is malformed', async () => {
    mock.setScenario({ sse: chatStream('gpt-4o', { prompt_tokens: Number.NaN, completion_tokens: 10 }) });
    const { settled } = await settledOf(async (c) =>
      drain(
        await c.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 100, stream: true }),
      ),
    );
    expect(settled?.source).toBe('estimated');
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
  });

  it('a Responses body without output_tokens', async () => {
    mock.setScenario({ body: responseObject('gpt-5', [], { input_tokens: 100, total_tokens: 100 }) });
    const { settled } = await settledOf((c) =>
      c.responses.create({ model: 'gpt-5', input: 'Hi', max_output_tokens: 50 }),
    );
    expect(settled?.source).toBe('estimated');
    expect(settled?.costUsd).toBe(settled?.reservedUsd);
  });

  it('embeddings need only the prompt count', async () => {
    mock.setScenario({ inputTokens: 8 });
    const { settled } = await settledOf((c) =>
      c.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }),
    );
    // text-embedding-3-small: $0.02 / 1M.
    expect(settled?.source).toBe('provider');
    expect(settled?.costNanos).toBe(8 * 20);
  });
});

describe('legacy completions.create (POST /completions)', () => {
  // gpt-3.5-turbo-instruct: $1.50 in, $2 out.
  it('prices a JSON completion', async () => {
    mock.setScenario({ inputTokens: 12, outputTokens: 7 });
    const { settled, client } = await settledOf((c) =>
      c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 }),
    );
    expect(settled?.costNanos).toBe(12 * 1_500 + 7 * 2_000);
    expect(client.tokenfence.calls).toBe(1);
  });

  it('asks a stream for usage, hides the usage chunk, and prices it the same', async () => {
    mock.setScenario({ inputTokens: 12, outputTokens: 7 });
    const { settled } = await settledOf(async (c) => {
      const stream = await c.completions.create({
        model: 'gpt-3.5-turbo-instruct',
        prompt: 'Say this is a test',
        max_tokens: 7,
        stream: true,
      });
      const chunks: Array<{ choices: unknown[] }> = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    });
    expect(mock.requests.at(-1)?.body.stream_options).toEqual({ include_usage: true });
    expect(settled?.costNanos).toBe(12 * 1_500 + 7 * 2_000);
  });

  it('reserves every generated completion: prompts × max(n, best_of) × max_tokens', () => {
    const request = openAIAdapter.endpoints
      .get('completions.create')
      ?.describe({ model: 'gpt-3.5-turbo-instruct', prompt: ['a', 'b'], n: 2, best_of: 3, max_tokens: 50 });
    expect(request).toMatchObject({ choices: 6, outputCap: 50 });
  });

  it('answers a refused call with a valid text_completion when onLimit is stop', async () => {
    const client = guard(openAIClient(mock), { budget: 0.000_001, onLimit: 'stop' });
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 500,
    });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]?.text).toContain('Budget exceeded');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(mock.requests).toEqual([]);

    const stream = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 500,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toContain('Budget exceeded');
  });
});

describe('images.generate (GPT image models bill tokens)', () => {
  // gpt-image-1: text in $5, image in $10, image out $40.
  // Body (doc): https://platform.openai.com/docs/api-reference/images/object
  const body = {
    created: 1_713_833_628,
    data: [{ b64_json: 'aW1hZ2U=' }],
    usage: {
      total_tokens: 100,
      input_tokens: 50,
      output_tokens: 50,
      input_tokens_details: { text_tokens: 10, image_tokens: 40 },
    },
  };
  const expected = 10 * 5_000 + 40 * 10_000 + 50 * 40_000;

  it('prices input text, input image and output image tokens (JSON)', async () => {
    mock.setScenario({ body });
    const { settled } = await settledOf((c) =>
      c.images.generate({ model: 'gpt-image-1', prompt: 'A cute baby sea otter', size: '1024x1024', quality: 'high' }),
    );
    expect(settled?.usage).toMatchObject({ inputUncached: 10, inputImage: 40, outputImage: 50, outputText: 0 });
    expect(settled?.costNanos).toBe(expected);
  });

  it('reads the usage of image_generation.completed in a stream', async () => {
    mock.setScenario({
      sse: sse([
        [
          'image_generation.partial_image',
          { type: 'image_generation.partial_image', b64_json: 'cA==', partial_image_index: 0 },
        ],
        ['image_generation.completed', { type: 'image_generation.completed', b64_json: 'aW1hZ2U=', usage: body.usage }],
      ]),
    });
    const { settled } = await settledOf(async (c) =>
      drain(await c.images.generate({ model: 'gpt-image-1', prompt: 'otter', stream: true, partial_images: 1 })),
    );
    expect(settled?.costNanos).toBe(expected);
  });

  it('reserves the documented output tokens of the size and quality, per image', () => {
    const describeImage = openAIAdapter.endpoints.get('images.generate')?.describe;
    expect(
      describeImage?.({ model: 'gpt-image-1', prompt: 'x', size: '1024x1536', quality: 'high', n: 2 }),
    ).toMatchObject({ outputCap: 6_240, choices: 2 });
    expect(describeImage?.({ model: 'gpt-image-1', prompt: 'x', quality: 'low', size: '1024x1024' })?.outputCap).toBe(
      272,
    );
    // DALL·E bills per image, which the price data does not have: it cannot be reserved.
    expect(describeImage?.({ model: 'dall-e-3', prompt: 'x' })).toBeNull();
  });

  it('refuses DALL·E under a budget with UNBUDGETED_ENDPOINT, sending nothing; without a budget it passes', async () => {
    const budgeted = guard(openAIClient(mock), { budget: 5 });
    await expect(budgeted.images.generate({ model: 'dall-e-3', prompt: 'otter' })).rejects.toMatchObject({
      code: 'UNBUDGETED_ENDPOINT',
    });
    expect(mock.requests).toHaveLength(0);
    const unbudgeted = guard(openAIClient(mock));
    await unbudgeted.images.generate({ model: 'dall-e-3', prompt: 'otter' });
    expect(mock.requests).toHaveLength(1);
  });
});

describe('jobs billed outside the call', () => {
  it('refuses batches.create under a budget with UNBUDGETED_ENDPOINT, sending nothing', async () => {
    const client = guard(openAIClient(mock), { budget: 5 });
    const error = await client.batches
      .create({ input_file_id: 'file-abc123', endpoint: '/v1/chat/completions', completion_window: '24h' })
      .catch((caught: unknown) => caught);
    expect(isUnbudgetedEndpointError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'UNBUDGETED_ENDPOINT' });
    await expect(
      client.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: 'file-abc123' }),
    ).rejects.toMatchObject({ code: 'UNBUDGETED_ENDPOINT' });
    expect(mock.requests).toEqual([]);
  });
});
