// One worker process of the multi-process tag budget tests: a fence on Redis with a tenant budget, running
// concurrent runs for several tenants through the real openai SDK against the test's mock provider.
//   <redis url> <provider url> <label> <budget usd> <tenants,comma-separated> <runs per tenant> <calls per run>
// Prints { [tenant]: { ok, refused, killed } } as JSON.
import OpenAI from 'openai';
import { isBudgetExceededError, isKillSwitchError, TokenFence } from '../../src/index.js';
import { redisStore } from '../../src/stores/redis/redis-store.js';

const [redisUrl, providerUrl, label, budgetText, tenantList, runsText, callsText] = process.argv.slice(2) as string[];
const fence = new TokenFence({
  label: label as string,
  store: redisStore(redisUrl as string, { timeoutMs: 5_000 }),
  tagBudgets: { tenant: { usd: Number(budgetText), per: 'month' } },
  onLimit: 'throw',
});
const client = fence.guard(new OpenAI({ apiKey: 'sk-test', baseURL: `${providerUrl}/v1`, maxRetries: 0 }));
const counts: Record<string, { ok: number; refused: number; killed: number }> = {};
const tenants = (tenantList as string).split(',');
await Promise.all(
  tenants.flatMap((tenant) => {
    const count = { ok: 0, refused: 0, killed: 0 };
    counts[tenant] = count;
    return Array.from({ length: Number(runsText) }, () =>
      fence.run({ workflow: 'support', tags: { tenant } }, async () => {
        for (let call = 0; call < Number(callsText); call += 1) {
          try {
            await client.chat.completions.create({
              model: 'gpt-4o',
              messages: [{ role: 'user', content: 'Summarise the ticket.' }],
              max_tokens: 1_000,
            });
            count.ok += 1;
          } catch (error) {
            if (isBudgetExceededError(error) && error.label === `tenant=${tenant}`) count.refused += 1;
            else if (isKillSwitchError(error)) count.killed += 1;
            else throw error;
          }
        }
      }),
    );
  }),
);
await fence.close();
process.stdout.write(`${JSON.stringify(counts)}\n`);
