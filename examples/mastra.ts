// Mastra agents under TokenFence: a supervisor delegates to a researcher and a writer. Each agent's AI SDK
// model is wrapped with its role's middleware, so every call is reserved against the run's and that
// agent's budget before it is sent, settled on real usage and recorded under the agent that made it.
// Offline, against the bundled mock provider (Mastra needs Node >= 22.13):
//   npx tsx examples/mastra.ts
// (Type-checked in CI; docs/frameworks.md explains each step.)
import { createOpenAI } from '@ai-sdk/openai';
import { Agent } from '@mastra/core/agent';
import { wrapLanguageModel } from 'ai';
import { formatReport, summarizeSpend, TokenFence } from '../src/index.js';
import { fenceAgentMiddleware } from '../src/integrations/ai-sdk/index.js';
import { startMockProvider } from '../src/testing/index.js';

const mock = await startMockProvider({ scenario: { inputTokens: 350, outputTokens: 90 } });
const fence = new TokenFence({ store: 'memory' });
const openai = createOpenAI({ apiKey: 'sk-mock', baseURL: `${mock.url}/v1`, fetch: playDelegation });

// One line per agent: its model, fenced as its role (with a budget of its own where given).
const researcher = new Agent({
  id: 'researcher',
  name: 'researcher',
  description: 'Finds facts.',
  instructions: 'List three facts.',
  model: wrapLanguageModel({
    model: openai.chat('gpt-4o-mini'),
    middleware: fenceAgentMiddleware(fence, 'researcher'),
  }),
});
// Far below one gpt-4o-mini call: the writer's call is refused before it is sent (answered locally).
const writer = new Agent({
  id: 'writer',
  name: 'writer',
  description: 'Writes the brief.',
  instructions: 'Write one paragraph.',
  model: wrapLanguageModel({
    model: openai.chat('gpt-4o-mini'),
    middleware: fenceAgentMiddleware(fence, 'writer', { budget: 0.000002 }),
  }),
});
const supervisor = new Agent({
  id: 'supervisor',
  name: 'supervisor',
  instructions: 'Ask the researcher for facts, then the writer for the brief.',
  model: wrapLanguageModel({ model: openai.chat('gpt-4o'), middleware: fenceAgentMiddleware(fence, 'supervisor') }),
  agents: { researcher, writer },
});

const byAgent = await fence.run({ workflow: 'brief', budget: 0.05 }, async (run) => {
  const result = await supervisor.generate('Write a brief on budget guards for LLM calls.', { maxSteps: 5 });
  console.log(`supervisor: ${result.text.slice(0, 40)}…`);
  return run.byAgent();
});
for (const [agent, spend] of Object.entries(byAgent))
  console.log(`${agent}: $${spend.spent} in ${spend.calls} call(s)`);
console.log(`${mock.requests.length} requests sent: the writer's call was refused before sending\n`);

fence.flush();
console.log(formatReport(summarizeSpend(fence.store, { by: 'agent' }), 'table'));
await mock.close();

/**
 * Stands in for the supervisor's model deciding to delegate, which the mock provider cannot do (it only
 * answers text): while a request offers Mastra's `agent-<name>` tools, its answer becomes a call of the next
 * sub-agent (researcher, then writer). It sits where the provider is — under the guard — and keeps the usage
 * the mock billed.
 */
async function playDelegation(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const body = JSON.parse(String(init?.body ?? '{}')) as {
    tools?: Array<{ function?: { name?: string } }>;
    messages?: Array<{ role: string }>;
  };
  const next = ['agent-researcher', 'agent-writer'][(body.messages ?? []).filter((m) => m.role === 'tool').length];
  if (next === undefined || !body.tools?.some((tool) => tool.function?.name === next)) return response;
  const answer = (await response.json()) as { choices: object[] };
  const call = { id: `call_${next}`, type: 'function', function: { name: next, arguments: '{"prompt":"go"}' } };
  answer.choices = [
    {
      ...answer.choices[0],
      message: { role: 'assistant', content: null, tool_calls: [call] },
      finish_reason: 'tool_calls',
    },
  ];
  return new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
}
