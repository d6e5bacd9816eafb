import type { CallSettledEvent, TokenFenceEvent } from '../../events/events.js';

type Attributes = Record<string, string | number | boolean>;

/** The parts of the OpenTelemetry API used, typed structurally (`@opentelemetry/api` is an optional peer). */
export interface SpanLike {
  setAttributes(attributes: Attributes): unknown;
  addEvent(name: string, attributes?: Attributes, time?: number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(time?: number): void;
}
export interface TracerLike {
  startSpan(name: string, options?: { attributes?: Attributes; startTime?: number }, context?: unknown): SpanLike;
}
export interface MeterLike {
  createCounter(
    name: string,
    options?: { unit?: string; description?: string },
  ): { add(value: number, attributes?: Attributes): void };
  createHistogram(
    name: string,
    options?: { unit?: string; description?: string },
  ): { record(value: number, attributes?: Attributes): void };
}
/** `import * as api from '@opentelemetry/api'`. */
export interface OpenTelemetryApiLike {
  trace: { setSpan(context: unknown, span: SpanLike): unknown };
  context: { active(): unknown };
}

export interface OpenTelemetryOptions {
  api: OpenTelemetryApiLike;
  tracer: TracerLike;
  /** Token and cost counters. */
  meter?: MeterLike;
}

type Listenable = { on(type: '*', listener: (event: TokenFenceEvent) => void): () => void };

const STATUS_ERROR = 2;
const BUDGET_EVENTS = new Set<TokenFenceEvent['type']>([
  'budget-exceeded',
  'model-downgraded',
  'max-tokens-clamped',
  'server-tools-capped',
  'threshold-crossed',
  'budget-alert',
  'anomaly-detected',
  'loop-detected',
  'retry-escalated',
  'fence-killed',
  'store-unavailable',
]);

function inferenceAttributes(event: CallSettledEvent): Attributes {
  const usage = event.usage;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': event.provider,
    'gen_ai.request.model': event.model,
    'gen_ai.response.model': event.modelUsed,
    // Semconv input/output counts include cache and reasoning tokens; the breakdowns follow.
    'gen_ai.usage.input_tokens':
      usage.inputUncached + usage.inputCacheRead + usage.inputCacheWrite5m + usage.inputCacheWrite1h,
    'gen_ai.usage.output_tokens': usage.outputText + usage.outputReasoning,
    'gen_ai.usage.cache_read.input_tokens': usage.inputCacheRead,
    'gen_ai.usage.cache_creation.input_tokens': usage.inputCacheWrite5m + usage.inputCacheWrite1h,
    'gen_ai.usage.reasoning.output_tokens': usage.outputReasoning,
    // Cost on inference spans only, so backends that roll spans up do not count it twice.
    'gen_ai.usage.cost.amount': event.costUsd,
    'gen_ai.usage.cost.currency': 'USD',
    'gen_ai.usage.cost.source': event.source,
    'tokenfence.outcome': event.outcome,
    'tokenfence.attempt': event.attempt,
    'tokenfence.scope': event.path.join('/'),
  };
  if (event.agent) attributes['gen_ai.agent.name'] = event.agent;
  if (event.workflow) attributes['tokenfence.workflow'] = event.workflow;
  if (event.runId) attributes['tokenfence.run_id'] = event.runId;
  return attributes;
}

/** An event's own fields as span-event attributes (numbers, strings and booleans only). */
function eventAttributes(event: TokenFenceEvent): Attributes {
  const attributes: Attributes = { 'tokenfence.scope': event.path.join('/') };
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type' || key === 'path' || key === 'timestamp') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      attributes[`tokenfence.${key}`] = value;
  }
  return attributes;
}

/**
 * OpenTelemetry spans and metrics for a fence, following the GenAI semantic conventions:
 * `invoke_workflow {workflow}` per run, `invoke_agent {agent}` per agent scope within it, one
 * `chat {model}` inference span per call attempt (usage, cache and reasoning breakdowns, cost), and
 * budget events (refusals, downgrades, alerts, anomalies, kills) as span events. Returns `stop()`.
 */
export function openTelemetryInstrumentation(fence: Listenable, options: OpenTelemetryOptions): { stop(): void } {
  const { api, tracer, meter } = options;
  const runs = new Map<string, SpanLike>();
  const agents = new Map<string, SpanLike>();
  const agentKey = (runId: string | undefined, agent: string) => `${runId ?? ''}\u0000${agent}`;
  const tokens = meter?.createHistogram('gen_ai.client.token.usage', {
    unit: '{token}',
    description: 'Tokens per call attempt.',
  });
  const cost = meter?.createCounter('tokenfence.cost', { unit: 'USD', description: 'Settled spend.' });
  const within = (parent: SpanLike | undefined) =>
    parent ? api.trace.setSpan(api.context.active(), parent) : undefined;
  const parentOf = (event: TokenFenceEvent) =>
    (event.agent && agents.get(agentKey(event.runId, event.agent))) ||
    (event.runId && runs.get(event.runId)) ||
    undefined;

  const stopListening = fence.on('*', (event) => {
    if (event.type === 'run-started' && event.runId) {
      runs.set(
        event.runId,
        tracer.startSpan(`invoke_workflow ${event.workflow ?? event.label}`, {
          startTime: event.timestamp,
          attributes: {
            'gen_ai.operation.name': 'invoke_workflow',
            'tokenfence.workflow': event.workflow ?? event.label,
            'tokenfence.run_id': event.runId,
            'tokenfence.budget_usd': event.budgetUsd,
          },
        }),
      );
    } else if (event.type === 'agent-started' && event.agent) {
      const span = tracer.startSpan(
        `invoke_agent ${event.agent}`,
        {
          startTime: event.timestamp,
          attributes: {
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': event.agent,
            'tokenfence.budget_usd': event.budgetUsd,
          },
        },
        within(event.runId ? runs.get(event.runId) : undefined),
      );
      agents.set(agentKey(event.runId, event.agent), span);
    } else if (event.type === 'call-settled') {
      const attributes = inferenceAttributes(event);
      const span = tracer.startSpan(
        `chat ${event.modelUsed}`,
        { startTime: event.timestamp - event.durationMs, attributes },
        within(parentOf(event)),
      );
      if (event.outcome !== 'ok') span.setStatus({ code: STATUS_ERROR, message: event.outcome });
      span.end(event.timestamp);
      const metricAttributes = {
        'gen_ai.provider.name': event.provider,
        'gen_ai.request.model': event.model,
        'gen_ai.response.model': event.modelUsed,
      };
      tokens?.record(attributes['gen_ai.usage.input_tokens'] as number, {
        ...metricAttributes,
        'gen_ai.token.type': 'input',
      });
      tokens?.record(attributes['gen_ai.usage.output_tokens'] as number, {
        ...metricAttributes,
        'gen_ai.token.type': 'output',
      });
      cost?.add(event.costUsd, {
        ...metricAttributes,
        ...(event.workflow && { 'tokenfence.workflow': event.workflow }),
        ...(event.agent && { 'gen_ai.agent.name': event.agent }),
      });
    } else if (event.type === 'run-ended' && event.runId) {
      for (const [key, span] of agents) {
        if (!key.startsWith(`${event.runId}\u0000`)) continue;
        span.end(event.timestamp);
        agents.delete(key);
      }
      const span = runs.get(event.runId);
      runs.delete(event.runId);
      span?.setAttributes({
        'tokenfence.spent_usd': event.spentUsd,
        'tokenfence.calls': event.calls,
        'tokenfence.outcome': event.outcome,
        'tokenfence.anomalies': event.anomalies,
      });
      if (event.outcome !== 'ok') span?.setStatus({ code: STATUS_ERROR, message: event.outcome });
      span?.end(event.timestamp);
    } else if (BUDGET_EVENTS.has(event.type)) {
      parentOf(event)?.addEvent(`tokenfence.${event.type}`, eventAttributes(event), event.timestamp);
    }
  });
  return {
    stop() {
      stopListening();
      for (const span of agents.values()) span.end();
      agents.clear();
    },
  };
}
