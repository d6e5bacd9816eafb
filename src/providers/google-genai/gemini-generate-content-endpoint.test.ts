import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE } from '../../core/usage.js';
import { describeGeminiRequest } from './describe-gemini-request.js';
import { createGeminiGenerateContentEndpoint } from './gemini-generate-content-endpoint.js';
import { LocalGenerateContentResponse } from './gemini-local-response.js';
import { GeminiStreamTracker } from './gemini-stream-tracker.js';

const endpoint = createGeminiGenerateContentEndpoint(false);
const streamEndpoint = createGeminiGenerateContentEndpoint(true);

describe('describeGeminiRequest', () => {
  it('reads a string prompt as one user turn, with the output cap per candidate', () => {
    const request = describeGeminiRequest({
      model: 'gemini-2.5-pro',
      contents: 'Why is the sky blue?',
      config: { maxOutputTokens: 500, candidateCount: 3 },
    });
    expect(request).toMatchObject({
      provider: 'google',
      model: 'gemini-2.5-pro',
      outputCap: 500,
      choices: 3,
      producesOutput: true,
      tokenizer: 'estimated',
      hiddenContext: false,
    });
    expect(request?.prompt).toEqual({
      texts: ['Why is the sky blue?'],
      messages: 1,
      attachments: 0,
      media: [],
      hiddenTokens: 0,
    });
  });

  it('reads a history of Contents, the system instruction, attachments, tool calls and tools', () => {
    const tools = [{ functionDeclarations: [{ name: 'lookup', description: 'Looks it up' }] }];
    const request = describeGeminiRequest({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Describe this' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } }, thoughtSignature: 'c2ln' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { ok: true } } }] },
        { role: 'user', parts: [{ fileData: { fileUri: 'gs://b/f.pdf', mimeType: 'application/pdf' } }] },
      ],
      config: { systemInstruction: 'Be brief.', tools },
    });
    expect(request?.outputCap).toBeUndefined();
    expect(request?.choices).toBe(1);
    expect(request?.prompt.messages).toBe(5);
    expect(request?.prompt.attachments).toBe(2);
    expect(request?.prompt.texts).toEqual([
      'Be brief.',
      'Describe this',
      'c2ln',
      JSON.stringify({ name: 'lookup', args: { q: 'x' } }),
      JSON.stringify({ name: 'lookup', response: { ok: true } }),
      JSON.stringify(tools),
    ]);
  });

  it('reads loose parts as one user turn and treats a cached-content reference as hidden context', () => {
    const request = describeGeminiRequest({
      model: 'models/gemini-2.5-pro',
      contents: ['first', { text: 'second' }],
      config: { cachedContent: 'cachedContents/abc' },
    });
    expect(request?.prompt).toMatchObject({ texts: ['first', 'second'], messages: 1 });
    expect(request?.hiddenContext).toBe(true);
  });

  it('does not throw on tools JSON cannot hold, and passes unrecognisable requests through', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(
      describeGeminiRequest({ model: 'gemini-2.5-pro', contents: 'x', config: { tools: [cyclic] } }),
    ).not.toBeNull();
    expect(describeGeminiRequest({ contents: 'x' })).toBeNull();
    expect(describeGeminiRequest({ model: 'gemini-2.5-pro' })).toBeNull();
  });
});

describe('gemini generateContent endpoint', () => {
  it('rewrites model and cap into a copy, never the caller’s params or config', () => {
    const config = { maxOutputTokens: 100, temperature: 0 };
    const params = { model: 'gemini-2.5-pro', contents: 'x', config };
    const next = endpoint.rewrite(params, { model: 'gemini-2.5-flash', outputCap: 50 });
    expect(next).toEqual({ model: 'gemini-2.5-flash', contents: 'x', config: { maxOutputTokens: 50, temperature: 0 } });
    expect(params).toEqual({
      model: 'gemini-2.5-pro',
      contents: 'x',
      config: { maxOutputTokens: 100, temperature: 0 },
    });
    expect(endpoint.rewrite(params, {})).toBe(params);
  });

  it('adds the guard’s abort signal to a copy and finds the caller’s own', () => {
    const own = new AbortController().signal;
    const params = { model: 'gemini-2.5-pro', contents: 'x', config: { abortSignal: own } };
    expect(endpoint.abortSignalOf(params)).toBe(own);
    const guardSignal = new AbortController().signal;
    const next = endpoint.withAbortSignal(params, guardSignal);
    expect((next.config as { abortSignal: AbortSignal }).abortSignal).toBe(guardSignal);
    expect(params.config.abortSignal).toBe(own);
    expect(endpoint.abortSignalOf({ model: 'm', contents: 'x' })).toBeUndefined();
  });

  it('answers locally with an object and a stream whose text says so', async () => {
    const json = endpoint.syntheticBody('gemini-2.5-pro', 'No budget left.', false) as string;
    const response = endpoint.resultFromBody(json, false) as LocalGenerateContentResponse;
    expect(response).toBeInstanceOf(LocalGenerateContentResponse);
    expect(response.text).toBe('No budget left.');
    expect(response.modelVersion).toBe('gemini-2.5-pro');
    expect(endpoint.usageOfResult(response)).toEqual(EMPTY_USAGE);
    const sse = streamEndpoint.syntheticBody('gemini-2.5-pro', 'No budget left.', true) as string;
    const chunks: string[] = [];
    for await (const chunk of streamEndpoint.resultFromBody(sse, true) as AsyncIterable<LocalGenerateContentResponse>) {
      chunks.push(chunk.text ?? '');
    }
    expect(chunks).toEqual(['No budget left.']);
    expect(streamEndpoint.isStream({})).toBe(true);
    expect(endpoint.isStream({})).toBe(false);
  });

  it('leaves thought parts out of the text', () => {
    const response = new LocalGenerateContentResponse({
      candidates: [{ content: { parts: [{ text: 'thinking…', thought: true }, { text: 'Answer' }] } }],
    });
    expect(response.text).toBe('Answer');
    expect(new LocalGenerateContentResponse({}).text).toBeUndefined();
  });
});

describe('GeminiStreamTracker', () => {
  it('takes the running totals (the last chunk), never the sum, and completes on a finish reason', () => {
    const tracker = new GeminiStreamTracker();
    tracker.onChunk({ candidates: [{ index: 0 }], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 5 } });
    tracker.onChunk({ candidates: [{ index: 0 }], usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 20 } });
    expect(tracker.result().complete).toBe(false);
    tracker.onChunk({
      candidates: [{ index: 0, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 40, thoughtsTokenCount: 10 },
    });
    expect(tracker.result()).toEqual({
      usage: { ...EMPTY_USAGE, inputUncached: 100, outputText: 40, outputReasoning: 10 },
      complete: true,
      failed: false,
    });
  });

  it('reads SSE events too, and an error event fails the stream', () => {
    const tracker = new GeminiStreamTracker();
    expect(tracker.onEvent(undefined, JSON.stringify({ usageMetadata: { promptTokenCount: 7 } }))).toBe(false);
    tracker.onEvent(undefined, JSON.stringify({ error: { code: 500, message: 'boom' } }));
    expect(tracker.result()).toMatchObject({ usage: { inputUncached: 7 }, complete: false, failed: true });
    expect(new GeminiStreamTracker().result()).toEqual({ usage: null, complete: false, failed: false });
  });
});

describe('grounding tools, tiers and unchanged requests', () => {
  it('describes Google Search and Maps as fixed per-use fees: one grounded prompt on 2.x, 10 estimated queries on 3+', () => {
    const tools = [{ googleSearch: {} }, { googleMaps: {} }, { codeExecution: {} }, { urlContext: {} }];
    expect(describeGeminiRequest({ model: 'gemini-2.5-flash', contents: 'x', config: { tools } })?.serverTools).toEqual(
      [
        { fee: 'googleSearch', maxUses: 1, fixed: true, inputTokensPerUse: 8_000 },
        { fee: 'googleMaps', maxUses: 1, fixed: true, inputTokensPerUse: 8_000 },
      ],
    );
    expect(
      describeGeminiRequest({ model: 'models/gemini-3-pro-preview', contents: 'x', config: { tools } })?.serverTools,
    ).toEqual([
      { fee: 'googleSearch', maxUses: 10, fixed: true, inputTokensPerUse: 2_000 },
      { fee: 'googleMaps', maxUses: 10, fixed: true, inputTokensPerUse: 2_000 },
    ]);
    const legacy = [{ googleSearchRetrieval: { dynamicRetrievalConfig: { mode: 'MODE_DYNAMIC' } } }];
    expect(
      describeGeminiRequest({ model: 'gemini-1.5-pro', contents: 'x', config: { tools: legacy } })?.serverTools,
    ).toEqual([{ fee: 'googleSearch', maxUses: 1, fixed: true, inputTokensPerUse: 8_000 }]);
    // Code execution and URL context bill tokens only; function tools nothing at all.
    const tokensOnly = [{ codeExecution: {} }, { urlContext: {} }, { functionDeclarations: [] }];
    expect(
      describeGeminiRequest({ model: 'gemini-2.5-flash', contents: 'x', config: { tools: tokensOnly } }),
    ).not.toHaveProperty('serverTools');
  });

  it('reserves the priority tier when asked; flex and standard reserve at the standard rate', () => {
    const ask = (serviceTier: string) =>
      describeGeminiRequest({ model: 'gemini-2.5-flash', contents: 'x', config: { serviceTier } });
    expect(ask('priority')?.tiers).toEqual(['priority']);
    expect(ask('PRIORITY')?.tiers).toEqual(['priority']);
    for (const tier of ['flex', 'standard', 'unspecified']) expect(ask(tier)).not.toHaveProperty('tiers');
    expect(describeGeminiRequest({ model: 'gemini-2.5-flash', contents: 'x' })).not.toHaveProperty('tiers');
  });

  it('sends a request it does not change as it is: no config added, tool caps ignored (Gemini has none)', () => {
    const params = { model: 'gemini-2.5-flash', contents: 'x' };
    expect(endpoint.rewrite(params, {})).toBe(params);
    expect(endpoint.rewrite(params, { toolCaps: { googleSearch: 1 } })).toBe(params);
    expect(endpoint.rewrite(params, { model: 'gemini-2.5-flash-lite' })).toEqual({
      model: 'gemini-2.5-flash-lite',
      contents: 'x',
    });
  });
});

describe('GeminiStreamTracker with modality details', () => {
  it('equals the JSON when early chunks report partial usage without details', () => {
    const final = {
      promptTokenCount: 1_000,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 400 },
        { modality: 'AUDIO', tokenCount: 600 },
      ],
      candidatesTokenCount: 30,
    };
    const tracker = new GeminiStreamTracker();
    tracker.onChunk({ candidates: [{ index: 0 }], usageMetadata: { promptTokenCount: 1_000 } });
    tracker.onChunk({
      candidates: [{ index: 0 }],
      usageMetadata: { promptTokenCount: 1_000, candidatesTokenCount: 9 },
    });
    tracker.onChunk({ candidates: [{ index: 0, finishReason: 'STOP' }], usageMetadata: final });
    expect(tracker.result().usage).toEqual(endpoint.usageOfResult({ usageMetadata: final }));
    expect(tracker.result().usage).toMatchObject({ inputUncached: 400, inputAudio: 600 });
  });

  it('makes the usage unknown when any chunk carries a malformed count', () => {
    const tracker = new GeminiStreamTracker();
    tracker.onChunk({ usageMetadata: { promptTokenCount: 10, candidatesTokenCount: -1 } });
    tracker.onChunk({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 10 } });
    expect(tracker.result()).toMatchObject({ usage: null, complete: true });
  });
});
