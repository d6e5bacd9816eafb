/**
 * One cross-provider acceptance table: the same multi-agent workflow driven through each supported path
 * gives per-agent costs equal to hand-computed prices of the usage the mock returned, never overspends
 * under fan-out, downgrades to the fallback, and dies on kill().
 */

import { createOpenAI } from '@ai-sdk/openai';
import { Agent, type OpenAIClient, OpenAIProvider, run, setTracingDisabled } from '@openai/agents';
import { generateText, wrapLanguageModel } from 'ai';
import { describe, expect, it } from 'vitest';
import { isBudgetExceededError, isKillSwitchError, TokenFence } from '../src/index.js';
import { tokenfenceMiddleware } from '../src/integrations/ai-sdk/index.js';
import { guardAgentModels } from '../src/integrations/openai-agents/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { anthropicClient, geminiClient, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** A prompt long enough that its token bound exceeds the 100 prompt tokens the mock reports. */
const PROMPT = 'Compare the three vendors on price, support and roadmap; cite sources. '.repeat(8);
const USAGE = { inputTokens: 100, outputTokens: 200 };

/** One way of reaching a model; `ask` makes one call as the current agent (inside fence.agent()). */
interface Path {
  name: string;
  model: string;
  fallback: string;
  /** USD per 1M tokens, input and output, of `model` and `fallback` (list prices, by hand). */
  prices: Record<string, [number, number]>;
  connect(fence: TokenFence): { ask(model: string, maxTokens: number): Promise<unknown> };
}

const PATHS: Path[] = [
  {
    name: 'openai chat.completions',
    model: 'gpt-4o',
    fallback: 'gpt-4o-mini',
    prices: { 'gpt-4o': [2.5, 10], 'gpt-4o-mini': [0.15, 0.6] },
    connect(fence) {
      const client = fence.guard(openAIClient(mock), { fallback: 'gpt-4o-mini', onLimit: 'throw' });
      return {
        ask: (model, maxTokens) =>
          client.chat.completions.create({
            model,
            messages: [{ role: 'user', content: PROMPT }],
            max_tokens: maxTokens,
          }),
      };
    },
  },
  {
    name: 'openai responses (stream)',
    model: 'gpt-4o',
    fallback: 'gpt-4o-mini',
    prices: { 'gpt-4o': [2.5, 10], 'gpt-4o-mini': [0.15, 0.6] },
    connect(fence) {
      const client = fence.guard(openAIClient(mock), { fallback: 'gpt-4o-mini', onLimit: 'throw' });
      return {
        async ask(model, maxTokens) {
          const stream = await client.responses.create({
            model,
            input: PROMPT,
            max_output_tokens: maxTokens,
            stream: true,
          });
          for await (const _event of stream) {
            // read to the end
          }
        },
      };
    },
  },
  {
    name: 'anthropic messages',
    model: 'claude-sonnet-4-6',
    fallback: 'claude-haiku-4-5',
    prices: { 'claude-sonnet-4-6': [3, 15], 'claude-haiku-4-5': [1, 5] },
    connect(fence) {
      const client = fence.guard(anthropicClient(mock), { fallback: 'claude-haiku-4-5', onLimit: 'throw' });
      return {
        ask: (model, maxTokens) =>
          client.messages.create({ model, max_tokens: maxTokens, messages: [{ role: 'user', content: PROMPT }] }),
      };
    },
  },
  {
    name: 'google gemini generateContent',
    model: 'gemini-2.5-flash',
    fallback: 'gemini-2.0-flash',
    prices: { 'gemini-2.5-flash': [0.3, 2.5], 'gemini-2.0-flash': [0.1, 0.4] },
    connect(fence) {
      const client = fence.guard(geminiClient(mock), { fallback: 'gemini-2.0-flash', onLimit: 'throw' });
      return {
        ask: (model, maxTokens) =>
          client.models.generateContent({ model, contents: PROMPT, config: { maxOutputTokens: maxTokens } }),
      };
    },
  },
  {
    name: 'vercel ai sdk generateText (@ai-sdk/openai)',
    model: 'gpt-4o',
    fallback: 'gpt-4o-mini',
    prices: { 'gpt-4o': [2.5, 10], 'gpt-4o-mini': [0.15, 0.6] },
    connect(fence) {
      const provider = createOpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'sk-test' });
      const middleware = tokenfenceMiddleware({
        parent: fence,
        fallback: provider.chat('gpt-4o-mini'),
        onLimit: 'throw',
      });
      const model = wrapLanguageModel({ model: provider.chat('gpt-4o'), middleware });
      return {
        ask: (_model, maxTokens) => generateText({ model, prompt: PROMPT, maxOutputTokens: maxTokens, maxRetries: 0 }),
      };
    },
  },
  {
    name: 'openai agents sdk run()',
    model: 'gpt-4o',
    fallback: 'gpt-4o-mini',
    prices: { 'gpt-4o': [2.5, 10], 'gpt-4o-mini': [0.15, 0.6] },
    connect(fence) {
      setTracingDisabled(true);
      const client = fence.guard(openAIClient(mock), { fallback: 'gpt-4o-mini', onLimit: 'throw' });
      // openai 6 here, openai 7 in the Agents SDK's types: the guarded client works with either at run time.
      const modelProvider = new OpenAIProvider({ openAIClient: client as unknown as OpenAIClient });
      return {
        async ask(model, maxTokens) {
          const worker = new Agent({
            name: 'worker',
            instructions: 'Answer briefly.',
            model,
            modelSettings: { maxTokens },
          });
          await guardAgentModels(fence, worker, { modelProvider });
          return run(worker, PROMPT);
        },
      };
    },
  },
];

const nanosOf = (path: Path, model: string) => {
  const [input, output] = path.prices[model] as [number, number];
  return USAGE.inputTokens * input * 1_000 + USAGE.outputTokens * output * 1_000;
};

describe.each(PATHS)('acceptance: $name', (path) => {
  it('attributes exact hand-computed costs to each agent of a fanned-out workflow', async () => {
    mock.setScenario(USAGE);
    const fence = new TokenFence({ store: 'memory' });
    const model = path.connect(fence);
    const run = await fence.run({ workflow: 'acceptance', budget: 1 }, async (handle) => {
      await fence.agent('planner', { share: 0.15 }, () => model.ask(path.model, 300));
      await Promise.all(
        [1, 2, 3, 4].map(() => fence.agent('researcher', { share: 0.5 }, () => model.ask(path.model, 300))),
      );
      await fence.agent('writer', { share: 0.25 }, () => model.ask(path.model, 300));
      return handle;
    });
    const perCall = nanosOf(path, path.model);
    const agents = run.byAgent();
    expect(Math.round((agents.planner?.spent ?? 0) * 1e9)).toBe(perCall);
    expect(Math.round((agents.researcher?.spent ?? 0) * 1e9)).toBe(4 * perCall);
    expect(agents.researcher?.calls).toBe(4);
    expect(run.spentNanos).toBe(6 * perCall);
  });

  it('never overspends a tight budget under a fan-out of 20 parallel calls', async () => {
    mock.setScenario({ ...USAGE, delayMs: 10 });
    const fence = new TokenFence({ store: 'memory' });
    const model = path.connect(fence);
    const budget = (nanosOf(path, path.model) * 5.5) / 1e9;
    const results = await fence.run({ workflow: 'fan-out', budget }, (run) =>
      Promise.allSettled(
        Array.from({ length: 20 }, () => fence.agent('researcher', () => model.ask(path.model, 200))),
      ).then((settled) => ({ settled, run })),
    );
    expect(results.run.spent).toBeLessThanOrEqual(budget);
    expect(results.run.reserved).toBe(0);
    const refused = results.settled.filter((result) => result.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((result) => result.status === 'rejected' && isBudgetExceededError(result.reason))).toBe(true);
  });

  it('downgrades to the fallback once past the threshold', async () => {
    mock.setScenario(USAGE);
    const fence = new TokenFence({ store: 'memory' });
    const model = path.connect(fence);
    // After one call the run is at 2/3 of its budget: past a threshold of 0.5, with room for the fallback.
    const budget = (nanosOf(path, path.model) * 1.5) / 1e9;
    await fence.run({ workflow: 'downgrade', budget, threshold: 0.5 }, async () => {
      await model.ask(path.model, 200);
      await model.ask(path.model, 200);
    });
    expect(mock.requests.map((request) => request.body.model)).toEqual([path.model, path.fallback]);
  });

  it('dies on kill(): the in-flight call is aborted and nothing more is sent', async () => {
    mock.setScenario({ ...USAGE, delayMs: 2_000 });
    const fence = new TokenFence({ store: 'memory' });
    const model = path.connect(fence);
    const outcome = await fence
      .run({ workflow: 'killed' }, async (run) => {
        const pending = model.ask(path.model, 200);
        // Killed once the call is on the wire (a fixed delay raced the send on a busy machine).
        const started = Date.now();
        while (mock.requests.length === 0 && Date.now() - started < 1_500) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        void run.kill('stop');
        await pending;
      })
      .catch((error: unknown) => error);
    expect(isKillSwitchError(outcome) || isKillSwitchError((outcome as { cause?: unknown })?.cause)).toBe(true);
    expect(mock.requests).toHaveLength(1);
  });
});
