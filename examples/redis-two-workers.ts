// Two worker processes, one budget: run it against any Redis you can reach (no API key, no network):
//
//   npm run build && REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/redis-two-workers.ts
//
// The parent starts the bundled mock provider and forks two workers. Each worker guards its own OpenAI
// client under the same fence label and budget on the same Redis, and calls until the *shared* budget
// refuses. Neither worker knows about the other; together they never spend more than the budget.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { BudgetExceededError, TokenFence } from 'tokenfence';
import { startMockProvider } from 'tokenfence/testing';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BUDGET_USD = 0.01;

async function worker(name: string, providerUrl: string, label: string): Promise<void> {
  const fence = new TokenFence({ label, budget: BUDGET_USD, onLimit: 'throw', store: redisUrl as `redis://${string}` });
  const client = fence.guard(new OpenAI({ apiKey: 'sk-mock', baseURL: `${providerUrl}/v1`, maxRetries: 0 }));
  let calls = 0;
  for (;;) {
    try {
      await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Crawl the next page and summarise it.' }],
        max_tokens: 1_000,
      });
      calls += 1;
    } catch (error) {
      if (!BudgetExceededError.isInstance(error)) throw error;
      break;
    }
  }
  console.log(`${name}: ${calls} calls, this process spent $${fence.spent.toFixed(6)}`);
  await fence.close();
}

async function parent(): Promise<void> {
  // Each answer takes 50 ms, like a (very fast) real model, so the two workers' calls interleave.
  const provider = await startMockProvider({ scenario: { inputTokens: 1_000, outputTokens: 1_000, delayMs: 50 } });
  // A fresh label per run of the example: its budget starts at $0 on your Redis.
  const label = `nightly-crawl-${randomUUID().slice(0, 8)}`;
  const children = ['worker-a', 'worker-b'].map((name) => fork(process.argv[1] as string, [name, provider.url, label]));
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) =>
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`)))),
        ),
    ),
  );
  const observer = new TokenFence({ label, budget: BUDGET_USD, store: redisUrl as `redis://${string}` });
  const totals = await observer.sharedTotals();
  console.log(
    `together: ${totals?.calls} calls, $${totals?.spent.toFixed(6)} of the $${BUDGET_USD} budget ` +
      `(${provider.requests.length} requests reached the provider)`,
  );
  await observer.close();
  await provider.close();
}

const [name, providerUrl, label] = process.argv.slice(2);
if (name && providerUrl && label) await worker(name, providerUrl, label);
else await parent();
