// LangGraph.js under TokenFence: a planner → researcher → writer graph. The guard is the `fetch` of each
// node's ChatOpenAI; each node's body runs as `fence.agent(<node>, …)`, so its calls are reserved against
// the run's and that node's budget before they are sent, settled on real usage and recorded under the node.
// Offline, against the bundled mock provider:
//   npx tsx examples/langgraph.ts
// (Type-checked in CI; docs/frameworks.md explains each step.)
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { formatReport, isBudgetExceededError, summarizeSpend, TokenFence } from '../src/index.js';
import { guardFetch } from '../src/integrations/guarded-fetch/index.js';
import { startMockProvider } from '../src/testing/index.js';

const mock = await startMockProvider({ scenario: { inputTokens: 350, outputTokens: 90 } });
const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });
const chat = (model: string) =>
  new ChatOpenAI({
    model,
    apiKey: 'sk-mock',
    configuration: { baseURL: `${mock.url}/v1`, fetch: guardFetch(fence, { provider: 'openai' }) },
  });
const planner = chat('gpt-4o');
const researcher = chat('gpt-4o-mini');
const writer = chat('gpt-4o-mini');

const State = Annotation.Root({
  topic: Annotation<string>(),
  plan: Annotation<string>(),
  facts: Annotation<string>(),
  draft: Annotation<string>(),
});

/** The graph, with an optional budget for the writer node (USD). */
const briefGraph = (writerBudget?: number) =>
  new StateGraph(State)
    .addNode('planner', (state) =>
      fence.agent('planner', async () => ({ plan: (await planner.invoke(`Plan a brief on ${state.topic}`)).text })),
    )
    .addNode('researcher', (state) =>
      fence.agent('researcher', { share: 0.5 }, async () => ({
        facts: (await researcher.invoke(`Find facts for: ${state.plan}`)).text,
      })),
    )
    .addNode('writer', (state) =>
      fence.agent('writer', writerBudget === undefined ? {} : { budget: writerBudget }, async () => {
        let draft = '';
        for await (const chunk of await writer.stream(`Write one paragraph from: ${state.facts}`)) draft += chunk.text;
        return { draft };
      }),
    )
    .addEdge(START, 'planner')
    .addEdge('planner', 'researcher')
    .addEdge('researcher', 'writer')
    .addEdge('writer', END)
    .compile();

const state = await fence.run({ workflow: 'brief', budget: 0.05 }, () =>
  briefGraph().invoke({ topic: 'budget guards for LLM calls' }),
);
console.log(`draft: ${state.draft.slice(0, 40)}…`);

try {
  // A writer node whose budget is below its call's worst case: refused before anything is sent.
  await fence.run({ workflow: 'brief', budget: 0.05 }, () =>
    briefGraph(0.000002).invoke({ topic: 'budget guards for LLM calls' }),
  );
} catch (error) {
  if (!isBudgetExceededError(error)) throw error;
  console.log(`writer node refused, nothing sent: the call needs up to $${error.requested.toFixed(6)}\n`);
}

fence.flush();
console.log(formatReport(summarizeSpend(fence.store, { by: 'agent' }), 'table'));
await mock.close();
