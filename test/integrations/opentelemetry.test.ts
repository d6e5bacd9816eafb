import * as api from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TokenFence } from '../../src/index.js';
import { openTelemetryInstrumentation } from '../../src/integrations/opentelemetry/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

describe('OpenTelemetry', () => {
  it('emits invoke_workflow → invoke_agent → chat spans with GenAI usage and cost, budget events, and metrics', async () => {
    mock.setScenario({ inputTokens: 100, cachedTokens: 50, outputTokens: 200, reasoningTokens: 20 });
    const spans = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer(
      'tokenfence',
    );
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
    const meter = new MeterProvider({ readers: [reader] }).getMeter('tokenfence');

    const fence = new TokenFence({ store: 'memory' });
    const otel = openTelemetryInstrumentation(fence, { api, tracer, meter });
    const openai = fence.guard(openAIClient(mock), { fallback: 'gpt-4o-mini' });
    await fence.run({ workflow: 'research', budget: 0.005 }, () =>
      fence.agent('researcher', async () => {
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 200 });
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 200 });
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 50 });
      }),
    );
    otel.stop();

    const finished = spans.getFinishedSpans();
    const workflow = finished.find((span) => span.name === 'invoke_workflow research');
    const agent = finished.find((span) => span.name === 'invoke_agent researcher');
    const calls = finished.filter((span) => span.name.startsWith('chat '));
    expect(workflow?.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'tokenfence.outcome': 'ok',
      'tokenfence.calls': 3,
    });
    expect(agent?.parentSpanContext?.spanId).toBe(workflow?.spanContext().spanId);
    expect(calls.map((span) => span.name)).toEqual(['chat gpt-4o', 'chat gpt-4o', 'chat gpt-4o-mini']);
    expect(calls.every((span) => span.parentSpanContext?.spanId === agent?.spanContext().spanId)).toBe(true);
    expect(calls[0]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 150,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cache_read.input_tokens': 50,
      'gen_ai.usage.reasoning.output_tokens': 20,
      'gen_ai.usage.cost.amount': (100 * 2_500 + 50 * 1_250 + 200 * 10_000) / 1e9,
      'gen_ai.usage.cost.currency': 'USD',
      'gen_ai.usage.cost.source': 'provider',
      'gen_ai.agent.name': 'researcher',
    });
    // Cost only on inference spans, so a backend rolling spans up does not count it twice.
    expect(workflow?.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(agent?.events.map((event) => event.name)).toContain('tokenfence.model-downgraded');

    await reader.forceFlush();
    const metrics = metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    const cost = metrics.find((metric) => metric.descriptor.name === 'tokenfence.cost');
    const total = cost?.dataPoints.reduce((sum, point) => sum + (point.value as number), 0) ?? 0;
    expect(total).toBeCloseTo(
      (2 * (100 * 2_500 + 50 * 1_250 + 200 * 10_000) + (100 * 150 + 50 * 75 + 50 * 600)) / 1e9,
      12,
    );
    expect(metrics.map((metric) => metric.descriptor.name)).toContain('gen_ai.client.token.usage');
  });
});
