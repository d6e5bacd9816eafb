import { describe, expect, it } from 'vitest';
import { createOpenAIChatEndpoint } from './openai-chat-endpoint.js';
import { createOpenAIResponsesEndpoint } from './openai-responses-endpoint.js';

const responses = createOpenAIResponsesEndpoint(false);

describe('Responses describe: per-use tools and tiers', () => {
  it('lists each billed built-in tool, bounded by max_tool_calls, with its prompt estimate', () => {
    const request = responses.describe({
      model: 'gpt-5',
      input: 'hi',
      service_tier: 'flex',
      max_tool_calls: 4,
      tools: [
        { type: 'web_search_preview' },
        { type: 'file_search', vector_store_ids: ['vs_1'], max_num_results: 5 },
        { type: 'function', name: 'lookup', parameters: {} },
      ],
    });
    expect(request?.tiers).toEqual(['flex']);
    expect(request?.serverTools).toEqual([
      { fee: 'webSearch', maxUses: 4, inputTokensPerUse: 8_000 },
      { fee: 'fileSearch', maxUses: 4, inputTokensPerUse: 5 * 800 },
    ]);
  });

  it('reserves at least one container session, and a larger container as that many session units', () => {
    const request = responses.describe({
      model: 'gpt-5',
      input: 'hi',
      max_tool_calls: 0,
      tools: [{ type: 'code_interpreter', container: { type: 'auto', memory_limit: '4g' } }],
    });
    expect(request?.serverTools).toHaveLength(4);
    expect(request?.serverTools?.every((tool) => tool.fee === 'codeExecution' && tool.maxUses === 1)).toBe(true);
  });

  it('leaves the cap to the planner when the request sets none, and applies the smallest cap asked', () => {
    const params = { model: 'gpt-5', input: 'hi', tools: [{ type: 'web_search' }, { type: 'file_search' }] };
    expect(responses.describe(params)?.serverTools?.map((tool) => tool.maxUses)).toEqual([undefined, undefined]);
    const sent = responses.rewrite(params, { toolCaps: { webSearch: 10, fileSearch: 3 } });
    expect(sent.max_tool_calls).toBe(3);
    expect(params).not.toHaveProperty('max_tool_calls');
  });

  it('has no server tools or tiers for a plain request (nothing extra on the hot path)', () => {
    const request = responses.describe({ model: 'gpt-5', input: 'hi', service_tier: 'auto' });
    expect(request?.serverTools).toBeUndefined();
    expect(request?.tiers).toBeUndefined();
  });
});

describe('Chat describe: search models', () => {
  it('reserves one fixed search per request on a search model, nothing on others', () => {
    const chat = createOpenAIChatEndpoint(false);
    const messages = [{ role: 'user', content: 'news?' }];
    expect(chat.describe({ model: 'gpt-4o-mini-search-preview', messages })?.serverTools).toEqual([
      { fee: 'webSearch', maxUses: 1, fixed: true, inputTokensPerUse: 8_000 },
    ]);
    expect(chat.describe({ model: 'gpt-4o', messages })?.serverTools).toBeUndefined();
  });
});
