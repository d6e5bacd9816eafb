import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { type AgentOptions, type CallRecord, isBudgetExceededError, TokenFence } from '../../src/index.js';
import { guardFetch } from '../../src/integrations/guarded-fetch/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// Per token, in nano-USD: gpt-4o-mini $0.15 / $0.60 per 1M, gpt-4o $2.50 / $10.
const MINI = { input: 150, output: 600 };
const GPT_4O = { input: 2_500, output: 10_000 };
const cost = (rates: { input: number; output: number }, input: number, output: number) =>
  input * rates.input + output * rates.output;

const State = Annotation.Root({
  topic: Annotation<string>(),
  plan: Annotation<string>(),
  facts: Annotation<string>(),
  draft: Annotation<string>(),
});

/** planner → researcher → writer; each node's body runs as `fence.agent(<node name>, …)`. */
function briefGraph(fence: TokenFence, nodeBudgets: Record<string, AgentOptions> = {}) {
  const chat = (model: string) =>
    new ChatOpenAI({
      model,
      apiKey: 'sk-mock',
      maxRetries: 0,
      configuration: { baseURL: `${mock.url}/v1`, fetch: guardFetch(fence, { provider: 'openai' }) },
    });
  const planner = chat('gpt-4o');
  const researcher = chat('gpt-4o-mini');
  const writer = chat('gpt-4o-mini');
  const budget = (name: string) => nodeBudgets[name] ?? {};
  return new StateGraph(State)
    .addNode('planner', (state) =>
      fence.agent('planner', budget('planner'), async () => ({
        plan: (await planner.invoke(`Plan: ${state.topic}`)).text,
      })),
    )
    .addNode('researcher', (state) =>
      fence.agent('researcher', budget('researcher'), async () => ({
        facts: (await researcher.invoke(`Facts for ${state.plan}`)).text,
      })),
    )
    .addNode('writer', (state) =>
      fence.agent('writer', budget('writer'), async () => {
        let draft = '';
        for await (const chunk of await writer.stream(`Write from ${state.facts}`)) draft += chunk.text;
        return { draft };
      }),
    )
    .addEdge(START, 'planner')
    .addEdge('planner', 'researcher')
    .addEdge('researcher', 'writer')
    .addEdge('writer', END)
    .compile();
}

function ledgerOf(fence: TokenFence): CallRecord[] {
  fence.flush();
  return fence.store.queryCalls({});
}

describe('LangGraph.js (@langchain/langgraph 1.7, @langchain/openai 1.6): per-node attribution', () => {
  it('records each node under its name, priced exactly, JSON and streamed', async () => {
    mock.setScenario({ inputTokens: 350, outputTokens: 90 });
    const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });
    const graph = briefGraph(fence);
    const { state, byAgent } = await fence.run({ workflow: 'brief', budget: 1 }, async (run) => ({
      state: await graph.invoke({ topic: 'budget guards' }),
      byAgent: run.byAgent(),
    }));

    expect(state.draft).not.toBe('');
    expect(mock.requests).toHaveLength(3);
    const plannerCost = cost(GPT_4O, 350, 90);
    const miniCost = cost(MINI, 350, 90);
    expect([plannerCost, miniCost]).toEqual([1_775_000, 106_500]);
    expect(byAgent).toEqual({
      planner: { spent: plannerCost / 1e9, calls: 1, budget: expect.any(Number) },
      researcher: { spent: miniCost / 1e9, calls: 1, budget: expect.any(Number) },
      writer: { spent: miniCost / 1e9, calls: 1, budget: expect.any(Number) },
    });
    expect(ledgerOf(fence).map((record) => [record.agent, record.model, record.costNanos, record.stream])).toEqual([
      ['planner', 'gpt-4o', plannerCost, false],
      ['researcher', 'gpt-4o-mini', miniCost, false],
      ['writer', 'gpt-4o-mini', miniCost, true],
    ]);
    expect(fence.spentNanos).toBe(plannerCost + 2 * miniCost);
  });

  it("a node whose budget is below its call's worst case is refused before anything is sent", async () => {
    mock.setScenario({ inputTokens: 350, outputTokens: 90 });
    const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });
    // $0.000002 (2,000 n$) is below the writer's prompt alone at gpt-4o-mini's rate: no answer length fits.
    const graph = briefGraph(fence, { writer: { budget: 0.000002 } });
    const failure = await fence
      .run({ workflow: 'brief', budget: 1 }, () => graph.invoke({ topic: 'budget guards' }))
      .catch((error: unknown) => error);

    expect(isBudgetExceededError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'BUDGET_EXCEEDED', label: 'writer' });
    // planner and researcher were sent; the writer's request never reached the provider.
    expect(mock.requests).toHaveLength(2);
    expect(ledgerOf(fence).map((record) => [record.agent, record.outcome])).toEqual([
      ['planner', 'ok'],
      ['researcher', 'ok'],
      ['writer', 'blocked'],
    ]);
    expect(fence.spentNanos).toBe(cost(GPT_4O, 350, 90) + cost(MINI, 350, 90));
  });
});
