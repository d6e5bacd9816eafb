import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TokenFence } from '../../src/index.js';
import { prometheusMetrics } from '../../src/integrations/prometheus/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

describe('Prometheus metrics', () => {
  it('exports spend, calls, tokens, blocks, downgrades, kills and budgets, scraped as text', async () => {
    mock.setScenario({ inputTokens: 100, cachedTokens: 50, outputTokens: 200, reasoningTokens: 20 });
    const registry = new client.Registry();
    const fence = new TokenFence({ label: 'service', budget: 0.005, store: 'memory' });
    const metrics = prometheusMetrics(fence, { client: client as never, registry });
    const openai = fence.guard(openAIClient(mock), { fallback: 'gpt-4o-mini', onLimit: 'throw' });
    await fence.run({ workflow: 'research', runId: 'run-should-not-be-a-label' }, () =>
      fence.agent('researcher', async () => {
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 200 });
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 200 });
        // Past the threshold: a large call does not fit even on the fallback; a small one goes to it.
        await openai.chat.completions
          .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 10_000 })
          .catch(() => undefined);
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 50 });
      }),
    );
    fence.kill('done');
    const text = await registry.metrics();
    const labels = 'workflow="research",agent="researcher",model="gpt-4o",provider="openai"';
    expect(text).toContain(
      `tokenfence_spend_usd_total{${labels}} ${(2 * (100 * 2_500 + 50 * 1_250 + 200 * 10_000)) / 1e9}`,
    );
    expect(text).toContain(`tokenfence_calls_total{${labels},outcome="ok"} 2`);
    expect(text).toContain(`tokenfence_tokens_total{${labels},kind="cache_read"} 100`);
    expect(text).toContain(`tokenfence_tokens_total{${labels},kind="reasoning"} 40`);
    expect(text).toMatch(
      /tokenfence_calls_total\{workflow="research",agent="researcher",model="gpt-4o-mini",provider="openai",outcome="ok"\} 1/,
    );
    expect(text).toMatch(/tokenfence_downgrades_total\{.*from="gpt-4o".*to="gpt-4o-mini".*\} 1/);
    expect(text).toMatch(/tokenfence_blocked_calls_total\{.*scope="service".*\} 1/);
    expect(text).toContain('tokenfence_kills_total{scope="service"} 1');
    expect(text).toContain('tokenfence_budget_usd{scope="service"} 0.005');
    expect(text).toMatch(/tokenfence_budget_remaining_usd\{scope="service"\} 0/);
    expect(text).not.toContain('run-should-not-be-a-label');
    metrics.stop();
  });

  it('caps the distinct values of a label', async () => {
    mock.setScenario({ inputTokens: 1, outputTokens: 1 });
    const registry = new client.Registry();
    const fence = new TokenFence({ store: 'memory' });
    prometheusMetrics(fence, { client: client as never, registry, maxLabelValues: 3 });
    const openai = fence.guard(openAIClient(mock));
    for (let index = 0; index < 6; index += 1) {
      await fence.agent(`agent-${index}`, () =>
        openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 5 }),
      );
    }
    const text = await registry.metrics();
    expect(text).toMatch(/agent="other".* 3$/m);
    expect(text).not.toContain('agent-4');
  });
});
