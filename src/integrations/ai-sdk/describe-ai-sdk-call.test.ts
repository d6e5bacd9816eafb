import { describe, expect, it } from 'vitest';
import { sampleAttachments } from '../../testing/sample-attachments.js';
import { describeAiSdkCall } from './describe-ai-sdk-call.js';

const openai = { provider: 'openai', model: 'gpt-4o' };

describe('describeAiSdkCall', () => {
  it('reads the V2/V3 prompt: messages, text, reasoning, tool calls and results, attachments', () => {
    const request = describeAiSdkCall(
      {
        prompt: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'file', mediaType: 'image/png', data: new Uint8Array(8) },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'Look it up.' },
              { type: 'tool-call', toolCallId: 'c1', toolName: 'lookup', input: { q: 'cat' } },
            ],
          },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: 'c1', toolName: 'lookup', output: { type: 'json', value: { a: 1 } } },
              {
                type: 'tool-result',
                toolCallId: 'c2',
                toolName: 'fetch',
                output: {
                  type: 'content',
                  value: [
                    { type: 'text', text: 'page' },
                    { type: 'media', data: 'AA' },
                  ],
                },
              },
            ],
          },
        ],
        maxOutputTokens: 300,
      },
      openai,
    );
    expect(request).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      outputCap: 300,
      choices: 1,
      producesOutput: true,
      cacheWrite: undefined,
      tokenizer: 'exact',
      hiddenContext: false,
    });
    expect(request.prompt).toEqual({
      texts: [
        'Be brief.',
        'What is in this picture?',
        'Look it up.',
        'lookup',
        '{"q":"cat"}',
        'lookup',
        '{"a":1}',
        'fetch',
        'page',
      ],
      messages: 4,
      attachments: 2,
      media: [],
      hiddenTokens: 0,
    });
  });

  it('counts tool definitions and a JSON response schema as prompt; Claude gets its tool system prompt', () => {
    const tools = [{ type: 'function', name: 'weather', inputSchema: { type: 'object' } }];
    const params = {
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools,
      responseFormat: { type: 'json', schema: { type: 'object', properties: { city: { type: 'string' } } } },
    };
    const gpt = describeAiSdkCall(params, openai);
    expect(gpt.prompt.texts).toContain(JSON.stringify(tools));
    expect(gpt.prompt.texts).toContain(JSON.stringify(params.responseFormat.schema));
    expect(gpt.prompt.hiddenTokens).toBe(0);
    expect(gpt.outputCap).toBeUndefined();
    const claude = describeAiSdkCall(params, { provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(claude.prompt.hiddenTokens).toBe(600);
    expect(claude.tokenizer).toBe('estimated');
  });

  it('takes the longest cache TTL of any Anthropic cache breakpoint', () => {
    const part = (ttl?: string) => ({
      type: 'text',
      text: 'x',
      providerOptions: { anthropic: { cacheControl: { type: 'ephemeral', ...(ttl && { ttl }) } } },
    });
    const priced = { provider: 'anthropic', model: 'claude-haiku-4-5' };
    const fiveMinutes = describeAiSdkCall({ prompt: [{ role: 'user', content: [part()] }] }, priced);
    expect(fiveMinutes.cacheWrite).toBe('5m');
    const oneHour = describeAiSdkCall({ prompt: [{ role: 'user', content: [part('1h'), part()] }] }, priced);
    expect(oneHour.cacheWrite).toBe('1h');
    const onMessage = describeAiSdkCall(
      {
        prompt: [
          { role: 'system', content: 'Rules', providerOptions: { custom: { cacheControl: { type: 'ephemeral' } } } },
        ],
      },
      priced,
    );
    expect(onMessage.cacheWrite).toBe('5m');
  });

  it('flags server-side history of the responses API (previousResponseId)', () => {
    const request = describeAiSdkCall(
      { prompt: [], providerOptions: { openai: { previousResponseId: 'resp_1' } } },
      openai,
    );
    expect(request.hiddenContext).toBe(true);
  });

  it('reads the V4 (ai 7) file data wrappers as V3 reads the bare data: bytes sized, text as text, URLs unknown', () => {
    const png = sampleAttachments.png(64, 64);
    const ofPart = (data: unknown) =>
      describeAiSdkCall(
        { prompt: [{ role: 'user', content: [{ type: 'file', mediaType: 'image/png', data }] }] },
        openai,
      ).prompt;
    expect(ofPart({ type: 'data', data: png })).toEqual(ofPart(png));
    expect(ofPart({ type: 'data', data: png }).media).toHaveLength(1);
    expect(ofPart({ type: 'url', url: new URL('https://example.com/a.png') })).toEqual(
      ofPart(new URL('https://example.com/a.png')),
    );
    expect(ofPart({ type: 'url', url: new URL('https://example.com/a.png') }).attachments).toBe(1);
    expect(ofPart({ type: 'text', text: 'A plain text document.' }).texts).toEqual(['A plain text document.']);
  });

  it('reads garbage defensively', () => {
    const request = describeAiSdkCall({ prompt: [null, 7, { role: 'user', content: 'plain' }] }, openai);
    expect(request.prompt.texts).toEqual(['plain']);
    expect(request.prompt.messages).toBe(1);
  });
});
