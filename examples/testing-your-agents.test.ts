// How to prove an agent's budget behaviour in your own CI, without keys or network: the bundled mock
// provider answers the real SDK, and a fake clock moves time. Run with vitest (`npm test` runs it).
import OpenAI from 'openai';
import { isBudgetExceededError, TokenFence } from 'tokenfence';
import { createFakeClock, type MockProvider, startMockProvider } from 'tokenfence/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

let mock: MockProvider;
beforeAll(async () => {
  // Every answer reports 20 prompt and 800 completion tokens: $0.00805 a call on gpt-4o.
  mock = await startMockProvider({ scenario: { inputTokens: 20, outputTokens: 800 } });
});
afterAll(() => mock.close());

/** The agent under test: asks until its budget says no. */
async function researchUntilStopped(openai: OpenAI): Promise<number> {
  let answers = 0;
  for (;;) {
    try {
      await openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Next finding?' }],
        max_tokens: 800,
      });
      answers += 1;
    } catch (error) {
      if (isBudgetExceededError(error)) return answers;
      throw error;
    }
  }
}

it('stays inside its daily budget, and gets a fresh one the next day', async () => {
  const clock = createFakeClock(new Date('2026-03-01T09:00:00Z'));
  const fence = new TokenFence({ label: 'tenant-42', budget: { usd: 0.05, per: 'day' }, clock, store: 'memory' });
  const openai = fence.guard(new OpenAI({ apiKey: 'test-key', baseURL: `${mock.url}/v1`, maxRetries: 0 }), {
    onLimit: 'throw',
  });

  expect(await researchUntilStopped(openai)).toBe(6);
  expect(fence.spent).toBeLessThanOrEqual(0.05);
  expect(mock.requests).toHaveLength(6); // the refused call never reached the provider

  clock.advance(24 * 3_600_000);
  expect(fence.spent).toBe(0);
  expect(await researchUntilStopped(openai)).toBe(6);
});
