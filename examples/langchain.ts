// LangChain.js under TokenFence: the guard is the `fetch` of ChatOpenAI and ChatAnthropic, so every
// request is reserved against the run's and its agent's budget before it is sent, settled on real usage
// (streams included) and recorded — and a call that does not fit is never sent. Offline, against the
// bundled mock provider:
//   npx tsx examples/langchain.ts
// (Type-checked in CI; docs/frameworks.md explains each step.)
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOpenAI } from '@langchain/openai';
import { formatReport, isBudgetExceededError, summarizeSpend, TokenFence } from '../src/index.js';
import { guardFetch } from '../src/integrations/guarded-fetch/index.js';
import { startMockProvider } from '../src/testing/index.js';

const mock = await startMockProvider({ scenario: { inputTokens: 350, outputTokens: 90 } });
const fence = new TokenFence({ store: 'memory', onLimit: 'throw' });

const researcher = new ChatOpenAI({
  model: 'gpt-4o-mini',
  apiKey: 'sk-mock',
  configuration: { baseURL: `${mock.url}/v1`, fetch: guardFetch(fence, { provider: 'openai' }) },
});
// Asks for up to 4,000 output tokens of gpt-4o: a worst case of $0.04 before the prompt.
const reviewer = new ChatOpenAI({
  model: 'gpt-4o',
  maxTokens: 4_000,
  apiKey: 'sk-mock',
  configuration: { baseURL: `${mock.url}/v1`, fetch: guardFetch(fence, { provider: 'openai' }) },
});
const writer = new ChatAnthropic({
  model: 'claude-haiku-4-5',
  apiKey: 'sk-mock',
  maxTokens: 512,
  clientOptions: { baseURL: mock.url, fetch: guardFetch(fence, { provider: 'anthropic' }) },
});

await fence.run({ workflow: 'brief', budget: 0.05 }, async () => {
  const facts = await fence.agent('researcher', { share: 0.5 }, () =>
    researcher.invoke('List three facts about budget guards for LLM calls.'),
  );
  let draft = '';
  await fence.agent('writer', async () => {
    for await (const chunk of await writer.stream(`Write one paragraph from these facts: ${facts.text}`)) {
      draft += chunk.text;
    }
  });
  console.log(`draft: ${draft.slice(0, 40)}…`);
  try {
    // A reviewer whose budget is below its call's worst case: refused before anything is sent.
    await fence.agent('reviewer', { budget: 0.01 }, () => reviewer.invoke(`Review: ${draft}`));
  } catch (error) {
    if (!isBudgetExceededError(error)) throw error;
    console.log(`reviewer refused, nothing sent: the call needs up to $${error.requested.toFixed(6)}\n`);
  }
});

fence.flush();
console.log(formatReport(summarizeSpend(fence.store, { by: 'agent' }), 'table'));
await mock.close();
