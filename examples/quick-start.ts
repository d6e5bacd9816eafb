// The README's 30-second example. CI type-checks it (`npm run typecheck`); it needs real API keys to run.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { BudgetExceededError, guard, TokenFence } from 'tokenfence';

const messages = [{ role: 'user' as const, content: 'Summarise the quarterly report.' }];

// one budget per agent role
const planner = guard(new OpenAI(), { budget: 1.0, label: 'planner' });
const writer = guard(new Anthropic(), { budget: '$1.50', label: 'writer', fallback: 'claude-3-5-haiku-latest' });

// one workflow budget shared by its agents, each with its own share
const run = new TokenFence({ budget: 5.0, label: 'doc-summary-v2' });
const researcher = run.guard(new OpenAI(), { label: 'researcher', share: 0.5, onLimit: 'throw' });

try {
  await researcher.chat.completions.create({ model: 'gpt-4o', messages }); // exactly the SDK call
} catch (error) {
  if (BudgetExceededError.isInstance(error))
    console.log(`refused: needs $${error.requested}, ${error.label} is at $${error.spent}`);
}
console.log(researcher.tokenfence.spent, researcher.tokenfence.remaining, researcher.tokenfence.calls); // USD, live
console.log(run.spent);
run.kill('runaway'); // the whole workflow stops, in-flight calls are aborted

await planner.chat.completions.create({ model: 'gpt-4o-mini', messages });
await writer.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages });
