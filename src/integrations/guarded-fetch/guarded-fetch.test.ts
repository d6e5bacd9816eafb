import { describe, expect, it } from 'vitest';
import { isBudgetExceededError } from '../../errors/budget-exceeded-error.js';
import { isInvalidOptionsError } from '../../errors/invalid-options-error.js';
import { createFakeClock } from '../../testing/fake-clock.js';
import { TokenFence } from '../../token-fence.js';
import { type Fetch, guardFetch } from './guarded-fetch.js';

interface Sent {
  url: string;
  method: string;
  body: string | undefined;
}

/** A provider on this machine: records what reaches it, answers chat completions with fixed usage. */
function fakeProvider(usage = { prompt_tokens: 1_000, completion_tokens: 100 }): { fetch: Fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: Fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    sent.push({ url, method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? init.body : undefined });
    const answer = { id: 'chatcmpl-1', object: 'chat.completion', choices: [], usage };
    return new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
  };
  return { fetch, sent };
}

const chat = (model: string, extra: object = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 100, ...extra }),
});

describe('guardFetch', () => {
  it('prices at the provider of the request host: api.deepseek.com is DeepSeek, whatever the SDK', async () => {
    const provider = fakeProvider();
    // DeepSeek prices by time of day: 10:00 UTC is the standard (peak) rate.
    const fence = new TokenFence({ store: 'memory', clock: createFakeClock(Date.UTC(2026, 0, 1, 10)) });
    const guarded = guardFetch(fence, { provider: 'openai', fetch: provider.fetch });
    const response = await guarded('https://api.deepseek.com/chat/completions', chat('deepseek-chat'));
    expect(response.status).toBe(200);
    await response.json();
    // deepseek-chat: $0.27 / $1.10 per 1M tokens.
    expect(fence.spentNanos).toBe(1_000 * 270 + 100 * 1_100);
    fence.flush();
    expect(fence.store.queryCalls({})).toMatchObject([{ provider: 'deepseek', model: 'deepseek-chat' }]);
  });

  it("prices at the fence's own `provider` when it has one", async () => {
    const provider = fakeProvider();
    const fence = new TokenFence({ store: 'memory', provider: 'deepseek' });
    const guarded = guardFetch(fence, { provider: 'openai', fetch: provider.fetch });
    await (await guarded('http://127.0.0.1:8000/v1/chat/completions', chat('deepseek-chat'))).json();
    fence.flush();
    expect(fence.store.queryCalls({})).toMatchObject([{ provider: 'deepseek' }]);
  });

  it('passes every other request through untouched, budget or not', async () => {
    const provider = fakeProvider();
    const guarded = guardFetch(new TokenFence({ budget: 0 }), { provider: 'openai', fetch: provider.fetch });
    await guarded('https://api.openai.com/v1/models');
    await guarded('https://api.openai.com/v1/files', { method: 'POST', body: '{}' });
    await guarded('https://api.openai.com/v1/chat/completions', { method: 'GET' });
    expect(provider.sent.map((request) => [request.method, new URL(request.url).pathname])).toEqual([
      ['GET', '/v1/models'],
      ['POST', '/v1/files'],
      ['GET', '/v1/chat/completions'],
    ]);
  });

  it('guards a request given as a Request object too', async () => {
    const provider = fakeProvider();
    const fence = new TokenFence({ budget: 0, onLimit: 'throw' });
    const guarded = guardFetch(fence, { provider: 'openai', fetch: provider.fetch });
    const response = await guarded(new Request('https://api.openai.com/v1/chat/completions', chat('gpt-4o')));
    await expect(response.json()).rejects.toSatisfy(isBudgetExceededError);
    expect(provider.sent).toHaveLength(0);
  });

  it('delivers a refusal as a body that fails with the TokenFence error, marked final for LangChain', async () => {
    const provider = fakeProvider();
    const fence = new TokenFence({ budget: 0, onLimit: 'throw' });
    const guarded = guardFetch(fence, { provider: 'anthropic', fetch: provider.fetch });
    const init = {
      method: 'POST',
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [], stream: true }),
    };
    const response = await guarded('https://api.anthropic.com/v1/messages', init);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-tokenfence-error')).toBe('BUDGET_EXCEEDED');
    const error = await response.text().catch((caught: unknown) => caught);
    expect(isBudgetExceededError(error)).toBe(true);
    expect((error as Record<symbol, unknown>)[Symbol.for('langchain.errors.retryable')]).toBe(false);
    expect(provider.sent).toHaveLength(0);
  });

  it("answers a refusal locally under onLimit: 'stop', shaped like the provider's answer", async () => {
    const provider = fakeProvider();
    const guarded = guardFetch(new TokenFence({ budget: 0 }), { provider: 'openai', fetch: provider.fetch });
    const response = await guarded('https://api.openai.com/v1/chat/completions', chat('gpt-4o'));
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toMatch(/^\[TokenFence\] Budget exceeded/);
    expect(provider.sent).toHaveLength(0);
  });

  it('rethrows what is not a refusal: the framework retries network errors as it would', async () => {
    const failing: Fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const guarded = guardFetch(new TokenFence(), { provider: 'openai', fetch: failing });
    await expect(guarded('https://api.openai.com/v1/chat/completions', chat('gpt-4o'))).rejects.toThrow('fetch failed');
  });

  it('validates its options', () => {
    const fence = new TokenFence();
    const invalid = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return isInvalidOptionsError(error) ? error.option : String(error);
      }
      return 'accepted';
    };
    expect(invalid(() => guardFetch({} as TokenFence, { provider: 'openai' }))).toBe('fence');
    expect(invalid(() => guardFetch(fence, { provider: 'google' as 'openai' }))).toBe('provider');
    expect(invalid(() => guardFetch(fence, { provider: 'constructor' as 'openai' }))).toBe('provider');
    expect(invalid(() => guardFetch(fence, { provider: 'openai', fetch: 'no' as unknown as Fetch }))).toBe('fetch');
    expect(invalid(() => guardFetch(fence, { provider: 'anthropic' }))).toBe('accepted');
  });
});
