import { readFileSync } from 'node:fs';
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

interface Panel {
  title: string;
  targets?: Array<{ expr: string }>;
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/grafana/tokenfence-dashboard.json', import.meta.url), 'utf8'),
) as { panels: Panel[]; templating: { list: Array<{ definition?: string }> } };

/** Every PromQL query of the dashboard: panel targets and template variable queries. */
const queries = [
  ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
  ...dashboard.templating.list.flatMap((variable) => (variable.definition ? [variable.definition] : [])),
];

/** What the exporter really emits: metric names and each metric's label names, read from a scrape. */
async function emitted(): Promise<Map<string, Set<string>>> {
  mock.setScenario({ inputTokens: 100, outputTokens: 200 });
  const registry = new client.Registry();
  const fence = new TokenFence({ label: 'service', budget: 0.004, store: 'memory' });
  const metrics = prometheusMetrics(fence, { client: client as never, registry });
  const openai = fence.guard(openAIClient(mock), { fallback: 'gpt-4o-mini', onLimit: 'throw' });
  await fence.run({ workflow: 'research' }, () =>
    fence.agent('researcher', async () => {
      for (const max_tokens of [200, 200, 10_000, 50]) {
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens }).catch(() => {});
      }
    }),
  );
  fence.kill('done');
  const text = await registry.metrics();
  metrics.stop();
  const names = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const sample = /^(\w+)(?:\{([^}]*)\})? /.exec(line);
    if (!sample) continue;
    const labels = names.get(sample[1] as string) ?? new Set<string>();
    for (const pair of (sample[2] ?? '').split(',')) if (pair) labels.add(pair.split('=')[0] as string);
    names.set(sample[1] as string, labels);
  }
  return names;
}

describe('Grafana dashboard (docs/grafana/tokenfence-dashboard.json)', () => {
  it('queries only metrics the exporter emits, grouped and filtered by labels those metrics have', async () => {
    const metrics = await emitted();
    expect(queries.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const query of queries) {
      const named = [...query.matchAll(/\b(tokenfence_\w+)\b(\{[^}]*\})?/g)];
      expect(named.length, query).toBeGreaterThan(0);
      for (const [, name, selector] of named) {
        used.add(name as string);
        expect([...metrics.keys()], query).toContain(name);
        const labels = metrics.get(name as string) as Set<string>;
        for (const [, label] of (selector ?? '').matchAll(/(\w+)\s*[=!~]+/g))
          expect([...labels], query).toContain(label);
      }
      // `by (…)` groups only on labels every metric of the query has.
      for (const [, list] of query.matchAll(/by \(([^)]*)\)/g)) {
        for (const label of (list as string).split(',').map((part) => part.trim())) {
          for (const [, name] of named) expect([...(metrics.get(name as string) ?? [])], query).toContain(label);
        }
      }
    }
    // Every metric the exporter emits has a panel.
    expect([...metrics.keys()].filter((name) => !used.has(name))).toEqual([]);
  });
});
