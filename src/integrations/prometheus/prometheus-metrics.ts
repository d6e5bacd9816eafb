import { nanosToUsd } from '../../core/money.js';
import { TAG_KEY_PATTERN } from '../../core/tag-rules.js';
import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import type { TokenFenceEvent } from '../../events/events.js';
import type { TokenFenceLike } from '../../types.js';

type Labels = Record<string, string>;

/** The parts of `prom-client` used, typed structurally (prom-client is an optional peer). */
export interface PromClientLike {
  Counter: new (config: {
    name: string;
    help: string;
    labelNames: readonly string[];
    registers: readonly unknown[];
  }) => {
    inc(labels: Labels, value?: number): void;
  };
  Gauge: new (config: {
    name: string;
    help: string;
    labelNames: readonly string[];
    registers: readonly unknown[];
    collect?: (this: { set(labels: Labels, value: number): void }) => void;
  }) => unknown;
  register: unknown;
}

export interface PrometheusMetricsOptions {
  /** The `prom-client` module: `import client from 'prom-client'`. */
  client: PromClientLike;
  /** Where to register. @default client.register */
  registry?: unknown;
  /** Metric name prefix. @default 'tokenfence_' */
  prefix?: string;
  /**
   * Distinct values kept per label (workflow, agent, model, …); later ones are reported as `other`, so
   * a label can never explode a time series database. Run ids are never labels. @default 50
   */
  maxLabelValues?: number;
  /**
   * Tag keys exported as labels of the spend, calls and tokens counters, as `tag_<key>` (`['tenant']` →
   * `tag_tenant="acme"`; `none` for calls without the tag). Only the keys listed here ever become labels,
   * and each is capped at `maxLabelValues` values like every label: tags stay bounded. @default []
   */
  tagLabels?: readonly string[];
  /** Scopes whose budget and remaining headroom are exported as gauges. @default [the fence] */
  scopes?: readonly (TokenFenceLike & { on?: unknown })[];
}

type Listenable = TokenFenceLike & {
  on(type: '*', listener: (event: TokenFenceEvent) => void): () => void;
};

/**
 * Prometheus counters and gauges for a fence and everything below it: spend, calls, tokens, blocked
 * calls, downgrades, kills, budget and remaining budget — labelled by workflow, agent, model and
 * provider with bounded cardinality. Returns `stop()` to unsubscribe.
 */
export function prometheusMetrics(fence: Listenable, options: PrometheusMetricsOptions): { stop(): void } {
  const { client } = options;
  const prefix = options.prefix ?? 'tokenfence_';
  const registers = [options.registry ?? client.register];
  const limit = options.maxLabelValues ?? 50;
  const seen = new Map<string, Set<string>>();
  const bounded = (label: string, value: string | undefined): string => {
    const text = value ?? 'none';
    let values = seen.get(label);
    if (!values) {
      values = new Set();
      seen.set(label, values);
    }
    if (values.has(text)) return text;
    if (values.size >= limit) return 'other';
    values.add(text);
    return text;
  };
  const tagKeys = [...new Set(options.tagLabels ?? [])];
  for (const key of tagKeys) {
    if (typeof key !== 'string' || !TAG_KEY_PATTERN.test(key)) {
      throw new InvalidOptionsError('tagLabels', 'expected tag keys: a letter, then letters, digits or _');
    }
  }
  const callLabels = ['workflow', 'agent', 'model', 'provider', ...tagKeys.map((key) => `tag_${key}`)];
  const counter = (name: string, help: string, labelNames: readonly string[]) =>
    new client.Counter({ name: `${prefix}${name}`, help, labelNames, registers });
  const spend = counter('spend_usd_total', 'Settled spend, USD.', callLabels);
  const calls = counter('calls_total', 'Settled HTTP attempts, by outcome.', [...callLabels, 'outcome']);
  const tokens = counter('tokens_total', 'Billed tokens, by kind.', [...callLabels, 'kind']);
  const blocked = counter('blocked_calls_total', 'Calls refused for budget before any request.', [
    'workflow',
    'agent',
    'scope',
  ]);
  const downgrades = counter('downgrades_total', 'Calls sent with a fallback model.', [
    'workflow',
    'agent',
    'from',
    'to',
  ]);
  const kills = counter('kills_total', 'Kill switches engaged.', ['scope']);
  const scopes = options.scopes ?? [fence];
  const gauge = (name: string, help: string, read: (scope: TokenFenceLike) => number) =>
    new client.Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ['scope'],
      registers,
      collect() {
        for (const scope of scopes) {
          const value = read(scope);
          if (Number.isFinite(value)) this.set({ scope: bounded('scope', scope.label) }, value);
        }
      },
    });
  gauge('budget_usd', 'The scope budget, USD.', (scope) => scope.budget);
  gauge('budget_remaining_usd', 'What the scope can still admit, USD.', (scope) => scope.remaining);
  gauge('spent_usd', 'Settled spend of the scope, USD.', (scope) => scope.spent);

  const stop = fence.on('*', (event) => {
    const workflow = bounded('workflow', event.workflow);
    const agent = bounded('agent', event.agent);
    if (event.type === 'call-settled') {
      const labels: Labels = {
        workflow,
        agent,
        model: bounded('model', event.modelUsed),
        provider: bounded('provider', event.provider),
      };
      for (const key of tagKeys) labels[`tag_${key}`] = bounded(`tag_${key}`, event.tags?.[key]);
      spend.inc(labels, nanosToUsd(event.costNanos));
      calls.inc({ ...labels, outcome: event.outcome });
      const usage = event.usage;
      const kinds: Array<[string, number]> = [
        ['input', usage.inputUncached],
        ['cache_read', usage.inputCacheRead],
        ['cache_write', usage.inputCacheWrite5m + usage.inputCacheWrite1h],
        ['output', usage.outputText],
        ['reasoning', usage.outputReasoning],
      ];
      for (const [kind, count] of kinds) if (count > 0) tokens.inc({ ...labels, kind }, count);
    } else if (event.type === 'budget-exceeded' && event.action !== 'warn') {
      blocked.inc({ workflow, agent, scope: bounded('scope', event.deniedBy) });
    } else if (event.type === 'model-downgraded') {
      downgrades.inc({ workflow, agent, from: bounded('model', event.from), to: bounded('model', event.to) });
    } else if (event.type === 'fence-killed') {
      kills.inc({ scope: bounded('scope', event.label) });
    }
  });
  return { stop };
}
