import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BudgetExceededError, TokenFence, type TokenFenceEvent } from '../src/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// 1,000 output tokens of gpt-4o: $0.01, plus 10 input tokens.
const CALL = { model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 } as const;
const CALL_USD = (10 * 2_500 + 1_000 * 10_000) / 1e9;

describe('time-window budgets', () => {
  it('keeps the day’s spend across a restart (SQLite) and starts afresh in the next UTC day', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'tokenfence-window-')), 'ledger.db')}` as const;
    let now = Date.UTC(2026, 10, 30, 23, 0);
    const options = {
      label: 'tenant-a',
      store,
      budget: { usd: 0.025, per: 'day' as const },
      _internal: { now: () => now },
    };

    const first = new TokenFence(options);
    await first.guard(openAIClient(mock), { onLimit: 'throw' }).chat.completions.create(CALL);
    expect(first.spent).toBeCloseTo(CALL_USD, 12);
    await first.close();

    const restarted = new TokenFence(options);
    expect(restarted.spent).toBeCloseTo(CALL_USD, 12);
    const client = restarted.guard(openAIClient(mock), { onLimit: 'throw' });
    await client.chat.completions.create(CALL);
    await expect(client.chat.completions.create(CALL)).rejects.toBeInstanceOf(BudgetExceededError);

    now = Date.UTC(2026, 11, 1, 0, 0, 1);
    expect(restarted.spent).toBe(0);
    await client.chat.completions.create(CALL);
    expect(restarted.spent).toBeCloseTo(CALL_USD, 12);
    await restarted.close();
  });

  it('settles a call admitted before midnight into the window it was admitted in', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000, delayMs: 30 });
    let now = Date.UTC(2026, 10, 30, 23, 59, 59, 990);
    const fence = new TokenFence({ store: 'memory', budget: { usd: 1, per: 'hour' }, _internal: { now: () => now } });
    const pending = fence.guard(openAIClient(mock)).chat.completions.create(CALL);
    now += 1_000;
    await pending;
    expect(fence.spent).toBe(0);
    expect(fence.reserved).toBe(0);
  });

  it.each([
    { usd: 1, per: 'week' },
    { usd: -1, per: 'day' },
    { usd: 1, per: 'day', tz: 'CET' },
  ])('refuses %j', (budget) => {
    expect(() => new TokenFence({ budget: budget as never })).toThrow(/Invalid TokenFence option `budget/);
  });
});

describe('alerts', () => {
  it('fires each threshold once per scope and window, and POSTs it to a webhook, retrying, without blocking calls', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const received: unknown[] = [];
    let failures = 1;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          response.writeHead(503).end();
          return;
        }
        received.push({ body: JSON.parse(body), auth: request.headers.authorization });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-token`;
    const alerts: TokenFenceEvent[] = [];
    const fence = new TokenFence({
      store: 'memory',
      budget: CALL_USD * 4.5,
      alerts: { thresholds: [0.8, 0.5], webhook: { url, headers: { authorization: 'Bearer hook-secret' } } },
      onEvent: (event) => event.type === 'budget-alert' && alerts.push(event),
    });
    const client = fence.guard(openAIClient(mock));
    for (let index = 0; index < 4; index += 1) await client.chat.completions.create(CALL);
    expect(alerts.map((event) => event.type === 'budget-alert' && event.threshold)).toEqual([0.5, 0.8]);
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5_000 });
    // The 0.5 delivery failed once and was retried, so it may arrive after the 0.8 one.
    const thresholds = received.map(
      (delivery) => (delivery as { body: { event: { threshold: number } } }).body.event.threshold,
    );
    expect(thresholds.sort()).toEqual([0.5, 0.8]);
    expect(received[0]).toMatchObject({
      auth: 'Bearer hook-secret',
      body: { source: 'tokenfence', event: { type: 'budget-alert' } },
    });
    server.close();
  });

  it('reports a webhook that keeps failing as a warning naming only the origin', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const { postWebhook } = await import('../src/alerts/post-webhook.js');
    const delivered = await postWebhook(
      { url: 'http://127.0.0.1:9/hooks/T000/B000/XXXX' },
      { type: 'fence-killed' } as TokenFenceEvent,
      async () => new Response(null, { status: 400 }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(delivered).toBe(false);
    expect(warnings.join('\n')).toContain('http://127.0.0.1:9');
    expect(warnings.join('\n')).not.toContain('XXXX');
  });
});
