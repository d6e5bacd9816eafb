import { describe, expect, it } from 'vitest';
import { LoopDetectedError, RetryLimitError, TokenFence, type TokenFenceEvent } from '../src/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

describe('retry storms and loops', () => {
  it('refuses the same prompt to the same model past maxRepeats in the window, before sending it', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 10 });
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({ store: 'memory', onEvent: (event) => events.push(event) });
    const openai = fence.guard(openAIClient(mock));
    await fence.run({ workflow: 'w', maxRepeats: 3 }, async () => {
      for (let index = 0; index < 3; index += 1)
        await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 });
      const error = await openai.chat.completions
        .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LoopDetectedError);
      expect(error).toMatchObject({ code: 'LOOP_DETECTED', label: 'w', repeats: 4, model: 'gpt-4o' });
      // Another prompt, or the same prompt to another model, is not a loop.
      await openai.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'something else' }],
        max_tokens: 20,
      });
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 20 });
    });
    expect(mock.requests).toHaveLength(5);
    expect(events.find((event) => event.type === 'loop-detected')).toMatchObject({
      reason: 'repeat',
      limitedBy: 'w',
      repeats: 4,
    });
    fence.flush();
    expect(fence.store.queryCalls({}).map((record) => record.outcome)).toEqual([
      'ok',
      'ok',
      'ok',
      'blocked',
      'ok',
      'ok',
    ]);
  });

  it('counts SDK-internal retries against a run’s maxRetries', async () => {
    mock.setScenario({ failStatus: 500 });
    const fence = new TokenFence({ store: 'memory' });
    const openai = fence.guard(openAIClient(mock, { maxRetries: 5 }));
    const error = await fence
      .run({ workflow: 'w', maxRetries: 2 }, () =>
        openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryLimitError);
    expect(mock.requests).toHaveLength(3);
  });

  it('stops an orchestrator retry cascade of a failing request at the agent’s maxRetries', async () => {
    mock.setScenario({ failStatus: 500 });
    const fence = new TokenFence({ store: 'memory' });
    const openai = fence.guard(openAIClient(mock));
    const outcomes: string[] = [];
    await fence.agent('researcher', { maxRetries: 1 }, async () => {
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const error = await openai.chat.completions
          .create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 })
          .catch((caught: unknown) => caught);
        outcomes.push(
          (error as { code?: string; status?: number }).code ?? String((error as { status?: number }).status),
        );
      }
    });
    expect(outcomes).toEqual(['500', '500', 'RETRY_LIMIT', 'RETRY_LIMIT']);
    expect(mock.requests).toHaveLength(2);
  });

  it('reports a retry that escalates to a dearer model', async () => {
    mock.setScenario((request) =>
      request.body.model === 'gpt-4o-mini' ? { failStatus: 500 } : { inputTokens: 10, outputTokens: 10 },
    );
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({ store: 'memory', onEvent: (event) => events.push(event) });
    const openai = fence.guard(openAIClient(mock));
    await fence.run({ workflow: 'w', maxRetries: 5 }, async () => {
      await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: chatMessages, max_tokens: 20 })
        .catch(() => undefined);
      await openai.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 20 });
    });
    expect(events.find((event) => event.type === 'retry-escalated')).toMatchObject({
      from: 'gpt-4o-mini',
      to: 'gpt-4o',
    });
  });
});
