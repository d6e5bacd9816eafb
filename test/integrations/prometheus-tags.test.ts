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

const ask = { model: 'gpt-4o', messages: chatMessages, max_tokens: 5 } as const;

describe('Prometheus metrics and tags', () => {
  it('labels calls with the allowlisted tag keys only, values capped like every label', async () => {
    mock.setScenario({ inputTokens: 1, outputTokens: 1 });
    const registry = new client.Registry();
    const fence = new TokenFence({ store: 'memory' });
    prometheusMetrics(fence, { client: client as never, registry, tagLabels: ['tenant'], maxLabelValues: 2 });
    const openai = fence.guard(openAIClient(mock));
    for (const tenant of ['acme', 'globex', 'initech', 'umbrella']) {
      await fence.run({ workflow: 'w', tags: { tenant, user: `user-${tenant}` } }, () =>
        openai.chat.completions.create(ask),
      );
    }
    await openai.chat.completions.create(ask);
    const text = await registry.metrics();
    expect(text).toMatch(/tokenfence_calls_total\{[^}]*tag_tenant="acme"[^}]*outcome="ok"\} 1/);
    expect(text).toMatch(/tokenfence_calls_total\{[^}]*workflow="w"[^}]*tag_tenant="other"[^}]*\} 2/);
    expect(text).not.toContain('umbrella');
    expect(text).not.toContain('user-');
    expect(text).not.toContain('tag_user');
  });

  it('has no tag label unless asked, and refuses a key that is not a tag key', () => {
    const registry = new client.Registry();
    const fence = new TokenFence({ store: 'memory' });
    expect(() => prometheusMetrics(fence, { client: client as never, registry, tagLabels: ['bad-key'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', option: 'tagLabels' }),
    );
  });
});
