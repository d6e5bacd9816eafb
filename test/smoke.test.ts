import { afterAll, beforeAll, expect, it } from 'vitest';
import { guard } from '../src/index.js';
import { type MockProvider, startMockProvider } from '../src/testing/index.js';
import { anthropicClient, chatMessages, openAIClient } from './support/clients.js';

let mock: MockProvider;
beforeAll(async () => {
  mock = await startMockProvider({ scenario: { inputTokens: 1000, outputTokens: 500 } });
});
afterAll(() => mock.close());

it('smoke openai', async () => {
  const client = guard(openAIClient(mock), { budget: 1, label: 'planner' });
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: chatMessages, max_tokens: 600 });
  expect(completion.choices[0]?.message.content).toContain('lorem');
  expect(client.tokenfence.spent).toBeCloseTo(0.0075, 9);
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: chatMessages,
    stream: true,
    max_tokens: 600,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  expect(text).toContain('lorem');
  expect(client.tokenfence.spent).toBeCloseTo(0.015, 9);
  expect(client.tokenfence.reserved).toBe(0);
});

it('smoke anthropic', async () => {
  const client = guard(anthropicClient(mock), { budget: 1, label: 'writer' });
  const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 600, messages: chatMessages });
  expect(message.content[0]).toMatchObject({ type: 'text' });
  expect(client.tokenfence.spent).toBeCloseTo(0.0105, 9);
  const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 600, messages: chatMessages });
  const final = await stream.finalMessage();
  expect(final.usage.output_tokens).toBe(500);
  expect(client.tokenfence.spent).toBeCloseTo(0.021, 9);
});
