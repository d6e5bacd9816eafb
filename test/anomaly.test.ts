import { describe, expect, it } from 'vitest';
import { detectAnomalies } from '../src/anomaly/detect-anomalies.js';
import { KillSwitchError, TokenFence, type TokenFenceEvent } from '../src/index.js';
import type { RunRecord } from '../src/ledger/ledger-records.js';
import type { MockProvider } from '../src/testing/index.js';
import { sampleCallRecord } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** Deterministic PRNG (mulberry32) so the synthetic histories are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function history(seed: number, runs: number, outliers: readonly number[]): RunRecord[] {
  const next = random(seed);
  return Array.from({ length: runs }, (_, index) => {
    const typical = 450_000_000 * Math.exp(0.25 * normal(next)); // ≈ $0.45 a run, lognormal
    return {
      runId: `run-${index}`,
      workflow: 'research-report',
      startedAt: index * 60_000,
      endedAt: index * 60_000 + 30_000,
      costNanos: Math.round(outliers.includes(index) ? typical * 10 : typical),
      calls: 20,
      outcome: 'ok' as const,
      anomalies: 0,
      budgetNanos: null,
    };
  });
}

describe('anomaly detection on synthetic histories', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: catches every planted outlier and raises no false alarm', (seed) => {
    const next = random(seed * 7_919);
    const outliers = new Set<number>();
    while (outliers.size < 6) outliers.add(25 + Math.floor(next() * 375));
    const flagged = detectAnomalies(history(seed, 400, [...outliers]), { multiple: 2.5 });
    expect(flagged.sort()).toEqual([...outliers].map((index) => `run-${index}`).sort());
  });

  it('flags nothing before the baseline has minRuns clean runs (cold start)', () => {
    expect(detectAnomalies(history(9, 15, [12]), { minRuns: 20 })).toEqual([]);
    expect(detectAnomalies(history(9, 30, [25]), { minRuns: 20, multiple: 2.5 })).toEqual(['run-25']);
  });
});

/** 25 finished runs of `report`, each 4 calls of $0.000075 spread over 4 minutes: a run costs $0.0003. */
function seedHistory(fence: TokenFence): void {
  const runs: RunRecord[] = [];
  const calls = [];
  for (let run = 0; run < 25; run += 1) {
    const start = Date.now() - 3_600_000 + run * 60_000;
    for (let call = 0; call < 4; call += 1) {
      calls.push(
        sampleCallRecord({
          id: `h${run}-${call}`,
          runId: `h${run}`,
          workflow: 'report',
          ts: start + call * 60_000,
          costNanos: 75_000,
        }),
      );
    }
    runs.push({
      runId: `h${run}`,
      workflow: 'report',
      startedAt: start,
      endedAt: start + 240_000,
      costNanos: 300_000,
      calls: 4,
      outcome: 'ok',
      anomalies: 0,
      budgetNanos: null,
    });
  }
  fence.store.appendCalls(calls);
  fence.store.appendRuns(runs);
}

describe('anomaly detection on live runs', () => {
  const call = (client: ReturnType<TokenFence['guard']>) =>
    (client as unknown as ReturnType<typeof openAIClient>).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: chatMessages,
      max_tokens: 100,
    });

  it("kills a runaway run before it spends past the limit with action: 'kill', and marks it", async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 100 });
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({
      store: 'memory',
      anomaly: { multiple: 3, rateMultiple: 1_000, action: 'kill' },
      onEvent: (event) => events.push(event),
    });
    seedHistory(fence);
    const openai = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    let sent = 0;
    const outcome = await fence
      .run({ workflow: 'report' }, async () => {
        for (;;) {
          await call(openai);
          sent += 1;
        }
      })
      .catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(KillSwitchError);
    const anomaly = events.find((event) => event.type === 'anomaly-detected');
    expect(anomaly).toMatchObject({
      kind: 'run-cost',
      workflow: 'report',
      multiple: 3,
      baselineRuns: 25,
      action: 'kill',
    });
    // The run never went past 3 × $0.0003: the call that would have was refused before it was sent.
    expect(sent).toBeGreaterThan(5);
    expect(sent * 75_000).toBeLessThanOrEqual(900_000);
    fence.flush();
    const [run] = fence.store.queryRuns({ workflow: 'report' }).filter((record) => !record.runId.startsWith('h'));
    expect(run).toMatchObject({ outcome: 'killed', anomalies: 1 });
    expect(fence.store.queryEvents({ workflow: 'report' }).map((event) => event.type)).toContain('anomaly-detected');
  });

  it("only alerts with action: 'alert', and catches a spend-rate spike", async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 100 });
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({
      store: 'memory',
      anomaly: { multiple: 100, rateMultiple: 3 },
      onEvent: (event) => events.push(event),
    });
    seedHistory(fence);
    const openai = fence.guard(openAIClient(mock));
    await fence.run({ workflow: 'report' }, async () => {
      // Baseline peak: $0.000075 within any minute; a burst of 4 calls in a second is 4×.
      for (let index = 0; index < 4; index += 1) await call(openai);
    });
    expect(events.filter((event) => event.type === 'anomaly-detected')).toMatchObject([
      { kind: 'spend-rate', action: 'alert' },
    ]);
  });

  it("derives budget: 'auto' from history, and uses coldStartBudget on a cold start", async () => {
    const fence = new TokenFence({ store: 'memory', anomaly: { autoBudgetMultiple: 2, coldStartBudget: 0.5 } });
    const cold = await fence.run({ workflow: 'report', budget: 'auto' }, (run) => run.budget);
    expect(cold).toBe(0.5);
    seedHistory(fence);
    const warm = await fence.run(
      { workflow: 'report', budget: 'auto', anomaly: { autoBudgetMultiple: 2 } },
      (run) => run.budget,
    );
    expect(warm).toBe(0.0006);
  });
});
