import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../src/index.js';
import { startDashboard, TokenFence } from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// gpt-4o: 100 input + 100 output tokens = 100 × 2,500 + 100 × 10,000 n$.
const CALL_USD = (100 * 2_500 + 100 * 10_000) / 1e9;

describe('dashboard tag filter and breakdown', () => {
  let dashboard: Dashboard;
  const get = async (query: string) => {
    const response = await fetch(`http://127.0.0.1:${dashboard.port}/api/summary?${query}`, {
      headers: { 'x-tokenfence-token': dashboard.token },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 100 });
    const fence = new TokenFence({ store: 'memory', tagBudgets: { tenant: { usd: 1, per: 'month' } } });
    const openai = fence.guard(openAIClient(mock));
    const ask = () =>
      openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    for (const [tenant, calls] of [
      ['acme', 3],
      ['globex', 1],
    ] as const) {
      await fence.run({ workflow: 'support', tags: { tenant, feature: 'chat' } }, async () => {
        for (let call = 0; call < calls; call += 1) await ask();
      });
    }
    dashboard = await startDashboard({ fence, pollMs: 50 });
  });
  afterAll(() => dashboard.close());

  it('breaks spend down by the tag budget key and filters every panel by tags', async () => {
    const all = await get('range=all');
    expect(all.status).toBe(200);
    expect(all.body.byTag).toEqual({
      key: 'tenant',
      rows: [
        { value: 'acme', runs: 1, calls: 3, costUsd: 3 * CALL_USD, share: 0.75, p99Usd: 3 * CALL_USD },
        { value: 'globex', runs: 1, calls: 1, costUsd: CALL_USD, share: 0.25, p99Usd: CALL_USD },
      ],
    });
    const labels = (all.body.budgets as Array<{ label: string; spentUsd: number }>).map((scope) => scope.label);
    expect(labels).toEqual(expect.arrayContaining(['tenant=acme', 'tenant=globex']));
    const acme = await get('range=all&tag=tenant%3Dacme&tag=feature%3Dchat&tagKey=feature');
    expect(acme.body.totalUsd).toBeCloseTo(3 * CALL_USD, 12);
    expect((acme.body.runs as unknown[]).length).toBe(1);
    expect(acme.body.byTag).toMatchObject({ key: 'feature', rows: [{ value: 'chat', calls: 3 }] });
    expect(acme.body.tags).toEqual({ tenant: 'acme', feature: 'chat' });
  });

  it('refuses a malformed tag filter or key with 400', async () => {
    expect((await get('tag=tenant')).status).toBe(400);
    expect((await get('tag=ten%20ant%3Dx')).status).toBe(400);
    expect((await get('tagKey=bad-key')).status).toBe(400);
  });
});
