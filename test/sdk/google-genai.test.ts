import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  guard,
  KillSwitchError,
  TokenFence,
  UnknownModelError,
  UnsupportedClientError,
} from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { anthropicClient, CANARY_KEY, geminiClient, openAIClient } from '../support/clients.js';
import { collectEvents, drain, sleep } from '../support/collect-events.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// Nano-USD per token. gemini-2.5-pro (≤ 200k prompt): $1.25 input, $0.125 cached, $10 output per 1M;
// gemini-2.5-flash: $0.30 input, $2.50 output.
const PRO = { input: 1_250, cached: 125, output: 10_000 };
const FLASH = { input: 300, output: 2_500 };
const question = 'Summarise the quarterly report in three bullet points.';

describe('guard()', () => {
  it('returns the same client type with .tokenfence, and still tells OpenAI and Anthropic clients apart', () => {
    const client = guard(geminiClient(mock), { budget: 1, label: 'gemini' });
    expect(client).toBeInstanceOf(GoogleGenAI);
    expect(client.tokenfence.label).toBe('gemini');
    expect(() => guard(client)).toThrow(UnsupportedClientError);
    expect(guard(openAIClient(mock))).toBeInstanceOf(OpenAI);
    expect(guard(anthropicClient(mock))).toBeInstanceOf(Anthropic);
  });

  it('never records the API key (header or query) in the mock, events or errors', async () => {
    mock.setScenario({ failStatus: 401 });
    const events: unknown[] = [];
    const client = guard(geminiClient(mock), { budget: 1, onEvent: (event) => events.push(event) });
    const error = await client.models
      .generateContent({ model: 'gemini-2.5-flash', contents: question })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${CANARY_KEY}`, {
      method: 'POST',
      headers: { 'x-goog-api-key': CANARY_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(mock.requests).toHaveLength(2);
    expect(JSON.stringify(mock.requests)).not.toContain(CANARY_KEY);
    expect(JSON.stringify(events)).not.toContain(CANARY_KEY);
    expect(String((error as Error).message)).not.toContain(CANARY_KEY);
  });

  it('refuses a chat session that would not send through the guarded models module', () => {
    const chats = { create: () => ({ sendMessage: () => undefined }) };
    const lookalike = { models: { generateContent: () => undefined, generateContentStream: () => undefined }, chats };
    const client = guard(lookalike, { budget: 1 });
    expect(() => client.chats.create()).toThrow(UnsupportedClientError);
  });
});

describe('models.generateContent', () => {
  it('prices a JSON call from usageMetadata: cached tokens inside the prompt, thoughts beside candidates', async () => {
    mock.setScenario({ inputTokens: 800, cachedTokens: 200, outputTokens: 500, reasoningTokens: 100 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, label: 'planner', onEvent });
    const response = await client.models.generateContent({
      model: 'gemini-2.5-pro',
      contents: question,
      config: { maxOutputTokens: 600 },
    });
    expect(response.text).toMatch(/lorem ipsum/);
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 1_000,
      cachedContentTokenCount: 200,
      candidatesTokenCount: 400,
      thoughtsTokenCount: 100,
    });
    expect(client.tokenfence.spentNanos).toBe(800 * PRO.input + 200 * PRO.cached + 500 * PRO.output);
    expect(client.tokenfence.reserved).toBe(0);
    expect(client.tokenfence.calls).toBe(1);
    expect(of('call-settled')[0]).toMatchObject({
      provider: 'google',
      model: 'gemini-2.5-pro',
      outcome: 'ok',
      source: 'provider',
      stream: false,
      usage: { inputUncached: 800, inputCacheRead: 200, outputText: 400, outputReasoning: 100 },
    });
    expect(mock.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
  });

  it('reserves the worst case before sending: maxOutputTokens × candidateCount', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10, delayMs: 20 });
    const client = guard(geminiClient(mock), { budget: 1, onLimit: 'throw' });
    const pending = client.models.generateContent({
      model: 'gemini-2.5-pro',
      contents: question,
      config: { maxOutputTokens: 1_000, candidateCount: 2 },
    });
    const reserved = client.tokenfence.reserved;
    expect(reserved).toBeGreaterThanOrEqual((2 * 1_000 * PRO.output) / 1e9);
    expect(reserved).toBeLessThan((2 * 1_000 * PRO.output + 1_000 * PRO.input) / 1e9);
    await pending;
    expect(client.tokenfence.reserved).toBe(0);
    expect(mock.requests[0]?.body.generationConfig).toMatchObject({ maxOutputTokens: 1_000, candidateCount: 2 });
  });

  it("reserves the model's maximum output when the request sets no cap, and sends none", async () => {
    const client = guard(geminiClient(mock), { budget: 1, onLimit: 'throw' });
    const pending = client.models.generateContent({ model: 'gemini-2.5-pro', contents: question });
    expect(client.tokenfence.reserved).toBeGreaterThanOrEqual((65_535 * PRO.output) / 1e9);
    await pending;
    // Sent as written: no cap, and no `generationConfig: {}` either (the request had no config).
    expect(mock.requests[0]?.body).not.toHaveProperty('generationConfig');
  });

  it('clamps maxOutputTokens to what the budget can pay for when the request sets no cap', async () => {
    mock.setScenario({ outputTokens: 50_000 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 0.05, onEvent });
    await client.models.generateContent({ model: 'gemini-2.5-pro', contents: question });
    const clamped = of('max-tokens-clamped')[0];
    expect(clamped?.clampedTo).toBeGreaterThan(100);
    expect(clamped?.clampedTo).toBeLessThan(65_535);
    expect(mock.requests[0]?.body.generationConfig).toMatchObject({ maxOutputTokens: clamped?.clampedTo });
    expect(client.tokenfence.spent).toBeLessThanOrEqual(0.05);
  });

  it("never changes the caller's parameters", async () => {
    const client = guard(geminiClient(mock), { budget: 0.05, fallback: 'gemini-2.5-flash' });
    const config = { temperature: 0.2 };
    const params = { model: 'gemini-2.5-pro', contents: [{ role: 'user', parts: [{ text: question }] }], config };
    const before = structuredClone(params);
    await client.models.generateContent(params);
    expect(params).toEqual(before);
    expect(params.config).toBe(config);
    expect(config).not.toHaveProperty('abortSignal');
  });

  it('charges nothing and holds nothing for a failed call (4xx / 5xx)', async () => {
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    for (const status of [400, 500]) {
      mock.setScenario({ failStatus: status });
      const error = await client.models
        .generateContent({ model: 'gemini-2.5-flash', contents: question, config: { maxOutputTokens: 100 } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(status);
    }
    expect(client.tokenfence.spent).toBe(0);
    expect(client.tokenfence.reserved).toBe(0);
    expect(of('call-settled').map((event) => [event.outcome, event.status, event.costNanos])).toEqual([
      ['error', 400, 0],
      ['error', 500, 0],
    ]);
  });

  it('refuses an unknown model before any request', async () => {
    const client = guard(geminiClient(mock), { budget: 1 });
    await expect(
      client.models.generateContent({ model: 'gemini-9-imaginary', contents: question }),
    ).rejects.toBeInstanceOf(UnknownModelError);
    await expect(
      client.models.generateContentStream({ model: 'gemini-9-imaginary', contents: question }),
    ).rejects.toBeInstanceOf(UnknownModelError);
    expect(mock.requests).toHaveLength(0);
  });

  it('downgrades to the fallback from the threshold on: the URL the provider receives names the fallback', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 0.015, threshold: 0.5, fallback: 'gemini-2.5-flash', onEvent });
    const params = { model: 'gemini-2.5-pro', contents: question, config: { maxOutputTokens: 1_000 } };
    await client.models.generateContent(params);
    expect(client.tokenfence.shouldDowngrade).toBe(true);
    const second = await client.models.generateContent(params);
    expect(mock.requests[1]?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(mock.requests[1]?.body.model).toBe('gemini-2.5-flash');
    expect(second.modelVersion).toBe('gemini-2.5-flash');
    expect(of('model-downgraded')[0]).toMatchObject({ from: 'gemini-2.5-pro', to: 'gemini-2.5-flash' });
    expect(of('call-settled')[1]).toMatchObject({
      model: 'gemini-2.5-pro',
      modelUsed: 'gemini-2.5-flash',
      costNanos: 10 * FLASH.input + 1_000 * FLASH.output,
    });
  });

  it("answers locally with a GenerateContentResponse-like object under onLimit: 'stop', sending nothing", async () => {
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 0.000_1, label: 'writer', onEvent });
    const params = { model: 'gemini-2.5-pro', contents: question, config: { maxOutputTokens: 1_000 } };
    const response = await client.models.generateContent(params);
    expect(response.text).toMatch(/Budget exceeded for "writer"/);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.functionCalls).toBeUndefined();
    let text = '';
    for await (const chunk of await client.models.generateContentStream(params)) text += chunk.text ?? '';
    expect(text).toMatch(/Budget exceeded for "writer"/);
    expect(mock.requests).toHaveLength(0);
    expect(of('budget-exceeded').map((event) => event.action)).toEqual(['stop', 'stop']);
    expect(client.tokenfence.budgetExceeded).toBe(true);
  });

  it("rejects with BudgetExceededError under onLimit: 'throw', before any request", async () => {
    const client = guard(geminiClient(mock), { budget: 0.000_1, label: 'writer', onLimit: 'throw' });
    const params = { model: 'gemini-2.5-pro', contents: question, config: { maxOutputTokens: 1_000 } };
    await expect(client.models.generateContent(params)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(client.models.generateContentStream(params)).rejects.toBeInstanceOf(BudgetExceededError);
    expect(mock.requests).toHaveLength(0);
  });

  it('writes a ledger record for every settled attempt and every refusal', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 50 });
    const fence = new TokenFence({ store: 'memory', label: 'service' });
    const client = fence.guard(geminiClient(mock), { label: 'gemini', budget: 0.01, onLimit: 'throw' });
    await client.models.generateContent({ model: 'gemini-2.5-flash', contents: question });
    await drain(await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: question }));
    await client.models
      .generateContent({ model: 'gemini-2.5-pro', contents: question, config: { maxOutputTokens: 10_000 } })
      .catch(() => undefined);
    fence.flush();
    const records = fence.store.queryCalls({});
    expect(records.map((record) => [record.provider, record.model, record.stream, record.outcome])).toEqual([
      ['google', 'gemini-2.5-flash', false, 'ok'],
      ['google', 'gemini-2.5-flash', true, 'ok'],
      ['google', 'gemini-2.5-pro', false, 'blocked'],
    ]);
    expect(records[0]?.costNanos).toBe(100 * FLASH.input + 50 * FLASH.output);
    expect(records[0]?.scope).toBe('service/gemini');
  });

  it('stores prompt and completion only with storeContent', async () => {
    const fence = new TokenFence({ store: 'memory', storeContent: true });
    const client = fence.guard(geminiClient(mock), { budget: 1 });
    await client.models.generateContent({ model: 'gemini-2.5-flash', contents: question });
    fence.flush();
    const [record] = fence.store.queryCalls({});
    expect(record?.prompt).toContain(question);
    expect(record?.completion).toContain('lorem ipsum');
  });
});

describe('models.generateContentStream', () => {
  it("prices a stream from the last chunk's running usage, never summed", async () => {
    mock.setScenario({ inputTokens: 200, outputTokens: 300, reasoningTokens: 100, chunks: 5 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { maxOutputTokens: 400 },
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      chunks += 1;
    }
    expect(chunks).toBe(5);
    expect(text).toMatch(/^lorem ipsum/);
    expect(client.tokenfence.spentNanos).toBe(200 * FLASH.input + 300 * FLASH.output);
    expect(of('call-settled')[0]).toMatchObject({ stream: true, outcome: 'ok', source: 'provider' });
    expect(mock.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  });

  it('charges the hold (estimated) when the connection is cut before the final usage', async () => {
    mock.setScenario({ chunks: 6, cutAfterChunks: 2, chunkDelayMs: 5 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { maxOutputTokens: 100 },
    });
    await expect(drain(stream)).rejects.toThrow();
    const [settled] = of('call-settled');
    expect(settled).toMatchObject({ source: 'estimated' });
    expect(settled?.costNanos).toBe(Math.round((settled?.reservedUsd ?? 0) * 1e9));
    expect(client.tokenfence.spent).toBeGreaterThan(0);
    expect(client.tokenfence.reserved).toBe(0);
  });

  it('charges the hold for a stream that finishes without any usage', async () => {
    mock.setScenario({ omitUsage: true });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    await drain(
      await client.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: question,
        config: { maxOutputTokens: 100 },
      }),
    );
    expect(of('call-settled')[0]).toMatchObject({ source: 'estimated', outcome: 'ok' });
    expect(client.tokenfence.spent).toBeGreaterThanOrEqual((100 * FLASH.output) / 1e9);
  });

  it('charges the hold once and closes the connection when the consumer breaks out', async () => {
    mock.setScenario({ chunks: 20, chunkDelayMs: 10 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { maxOutputTokens: 100 },
    });
    for await (const _chunk of stream) break;
    expect(of('call-settled')).toHaveLength(1);
    expect(of('call-settled')[0]).toMatchObject({ source: 'estimated', outcome: 'aborted' });
    expect(client.tokenfence.reserved).toBe(0);
    await sleep(50);
    expect(mock.openRequests).toBe(0);
  });

  it("honours the caller's own config.abortSignal next to the guard's", async () => {
    mock.setScenario({ chunks: 40, chunkDelayMs: 20 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    const controller = new AbortController();
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { maxOutputTokens: 100, abortSignal: controller.signal },
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await expect(drain({ [Symbol.asyncIterator]: () => iterator })).rejects.toThrow();
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'aborted', source: 'estimated' });
    expect(client.tokenfence.reserved).toBe(0);
  });
});

describe('chats', () => {
  it('guards chat.sendMessage and chat.sendMessageStream, keeping the history', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 50 });
    const raw = geminiClient(mock);
    const client = guard(raw, { budget: 1 });
    const chat = client.chats.create({ model: 'gemini-2.5-flash', config: { maxOutputTokens: 200 } });
    const reply = await chat.sendMessage({ message: 'Hello' });
    expect(reply.text).toMatch(/lorem/);
    await drain(await chat.sendMessageStream({ message: 'And again' }));
    expect(client.tokenfence.calls).toBe(2);
    expect(client.tokenfence.spentNanos).toBe(2 * (100 * FLASH.input + 50 * FLASH.output));
    expect(chat.getHistory()[0]).toMatchObject({ role: 'user', parts: [{ text: 'Hello' }] });
    expect(chat.getHistory()[1]?.role).toBe('model');
    // The second request carried the first turn: the guard saw the whole history.
    expect(mock.requests[1]?.body.contents).toHaveLength(3);
    expect(mock.requests[1]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    // The caller's own client makes unguarded sessions, as before.
    await raw.chats.create({ model: 'gemini-2.5-flash' }).sendMessage({ message: 'Hi' });
    expect(client.tokenfence.calls).toBe(2);
  });

  it('applies downgrades and local answers to chat sessions', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const client = guard(geminiClient(mock), { budget: 0.015, threshold: 0.5, fallback: 'gemini-2.5-flash' });
    const chat = client.chats.create({ model: 'gemini-2.5-pro', config: { maxOutputTokens: 1_000 } });
    await chat.sendMessage({ message: 'First' });
    await chat.sendMessage({ message: 'Second' });
    expect(mock.requests.map((request) => request.body.model)).toEqual(['gemini-2.5-pro', 'gemini-2.5-flash']);
    const tight = guard(geminiClient(mock), { budget: 0.000_1, label: 'tight' });
    const stopped = tight.chats.create({ model: 'gemini-2.5-pro', config: { maxOutputTokens: 1_000 } });
    const answer = await stopped.sendMessage({ message: 'Write it all.' });
    expect(answer.text).toMatch(/Budget exceeded for "tight"/);
    expect(stopped.getHistory()).toHaveLength(2);
    expect(mock.requests).toHaveLength(2);
  });
});

describe('kill switch', () => {
  it('aborts an in-flight stream mid-way (the consumer gets KillSwitchError) and refuses later calls', async () => {
    mock.setScenario({ chunks: 50, chunkDelayMs: 20 });
    const run = new TokenFence({ budget: 5, label: 'doc-summary' });
    const client = run.guard(geminiClient(mock), { label: 'researcher', share: 0.5 });
    const stream = await client.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { maxOutputTokens: 500 },
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const killedAt = performance.now();
    run.kill('runaway');
    expect(run.reserved).toBe(0);
    const error = await (async () => {
      try {
        for (;;) if ((await iterator.next()).done) return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(performance.now() - killedAt).toBeLessThan(100);
    expect(error).toBeInstanceOf(KillSwitchError);
    expect(client.tokenfence.killed).toBe(true);
    const before = mock.requests.length;
    await expect(
      client.models.generateContent({ model: 'gemini-2.5-flash', contents: question }),
    ).rejects.toBeInstanceOf(KillSwitchError);
    const chat = client.chats.create({ model: 'gemini-2.5-flash' });
    await expect(chat.sendMessage({ message: 'Hi' })).rejects.toBeInstanceOf(KillSwitchError);
    expect(mock.requests).toHaveLength(before);
    await sleep(30);
    expect(mock.openRequests).toBe(0);
  });

  it('aborts a JSON call waiting for its response and rejects it with KillSwitchError', async () => {
    mock.setScenario({ delayMs: 2_000 });
    const { onEvent, of } = collectEvents();
    const client = guard(geminiClient(mock), { budget: 1, onEvent });
    const pending = client.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: question,
      config: { maxOutputTokens: 5 },
    });
    await sleep(20);
    client.tokenfence.kill();
    await expect(pending).rejects.toBeInstanceOf(KillSwitchError);
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'killed', source: 'estimated' });
    expect(client.tokenfence.reserved).toBe(0);
  });
});

describe('a request without config (sent byte for byte: the guard adds no config to carry its signal)', () => {
  it('sends the body the raw SDK sends, and a kill still ends the JSON call at once, charged its hold', async () => {
    const raw = geminiClient(mock);
    await raw.models.generateContent({ model: 'gemini-2.5-flash', contents: question });
    const client = guard(geminiClient(mock), { budget: 1 });
    await client.models.generateContent({ model: 'gemini-2.5-flash', contents: question });
    expect(mock.requests[1]?.body).toEqual(mock.requests[0]?.body);
    expect(mock.requests[1]?.body).not.toHaveProperty('generationConfig');

    mock.setScenario({ delayMs: 1_000 });
    const { onEvent, of } = collectEvents();
    const killed = guard(geminiClient(mock), { budget: 1, onEvent });
    const pending = killed.models.generateContent({ model: 'gemini-2.5-flash', contents: question });
    await sleep(20);
    const at = performance.now();
    killed.tokenfence.kill();
    await expect(pending).rejects.toBeInstanceOf(KillSwitchError);
    expect(performance.now() - at).toBeLessThan(100);
    expect(of('call-settled')[0]).toMatchObject({ outcome: 'killed', source: 'estimated' });
    expect(killed.tokenfence.reserved).toBe(0);
  });

  it('a kill ends a stream mid-way for its reader at once', async () => {
    mock.setScenario({ chunks: 30, chunkDelayMs: 20 });
    const client = guard(geminiClient(mock), { budget: 1 });
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: question });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(mock.requests[0]?.body).not.toHaveProperty('generationConfig');
    const at = performance.now();
    client.tokenfence.kill();
    await expect(iterator.next()).rejects.toBeInstanceOf(KillSwitchError);
    expect(performance.now() - at).toBeLessThan(100);
    expect(client.tokenfence.reserved).toBe(0);
  });
});
