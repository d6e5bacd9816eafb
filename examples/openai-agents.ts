// The OpenAI Agents SDK under TokenFence: a triage agent hands a customer off to billing. Every model
// call is reserved against the run's and its agent's budget before it is sent, settled on real usage,
// and recorded under the agent that made it. Offline, against the bundled mock provider:
//   npx tsx examples/openai-agents.ts
// (Type-checked in CI; docs/frameworks.md explains each step.)
import { Agent, type OpenAIClient, OpenAIProvider, run, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import { formatReport, summarizeSpend, TokenFence } from '../src/index.js';
import { guardAgentModels } from '../src/integrations/openai-agents/index.js';
import { startMockProvider } from '../src/testing/index.js';

setTracingDisabled(true); // the SDK would export traces to OpenAI; this example stays offline
const mock = await startMockProvider({ scenario: { inputTokens: 420, outputTokens: 80 } });

const fence = new TokenFence({ store: 'memory' });
// The one client every agent's calls go through: this is where they are priced and enforced.
const openai = fence.guard(new OpenAI({ apiKey: 'sk-mock', baseURL: `${mock.url}/v1`, fetch: playHandoff }));

const billing = new Agent({ name: 'billing', instructions: 'Resolve billing questions.', model: 'gpt-4o-mini' });
const triage = new Agent({
  name: 'triage',
  instructions: 'Hand billing questions to the billing agent.',
  model: 'gpt-4o-mini',
  handoffs: [billing],
});

// Each agent's calls — and those of every agent it hands off to — count as that agent's.
await guardAgentModels(fence, triage, {
  // This repository pins openai 6 for its own tests while @openai/agents 0.20 is typed against openai 7:
  // with the openai the Agents SDK depends on, pass the guarded client as is.
  modelProvider: new OpenAIProvider({ openAIClient: openai as unknown as OpenAIClient }),
  agents: { triage: { share: 0.25 } },
});

const result = await fence.run({ workflow: 'support', budget: 0.01 }, () =>
  run(triage, 'I was charged twice for my subscription this month.'),
);
console.log(`answered by ${result.lastAgent?.name}: ${String(result.finalOutput).slice(0, 40)}…\n`);

fence.flush();
console.log(formatReport(summarizeSpend(fence.store, { by: 'agent' }), 'table'));
await mock.close();

/**
 * Stands in for the model deciding to hand off, which the mock provider cannot do (it only answers
 * text): the first answer to a request offering a `transfer_to_*` tool becomes a call of that tool. It
 * sits where the provider is — under the guard — and keeps the usage the mock billed.
 */
async function playHandoff(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  const body = JSON.parse(String(init?.body ?? '{}')) as { tools?: Array<{ name?: string }>; stream?: boolean };
  const transfer = body.tools?.find((tool) => tool.name?.startsWith('transfer_to_'));
  if (!transfer || body.stream || String(init?.body).includes('function_call_output')) return response;
  const call = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: transfer.name, arguments: '{}' };
  const answer = { ...((await response.json()) as object), output: [{ ...call, status: 'completed' }] };
  return new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } });
}
