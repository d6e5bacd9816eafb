import { describe, expect, it } from 'vitest';
import { guard, TokenFence, UnknownModelError } from '../../src/index.js';
import { inferProvider } from '../../src/providers/infer-provider.js';
import type { MockProvider } from '../../src/testing/index.js';
import { chatMessages, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

describe('OpenAI-compatible providers through the openai client', () => {
  it.each([
    ['https://api.deepseek.com/v1', 'deepseek'],
    ['https://api.x.ai/v1', 'x-ai'],
    ['https://api.groq.com/openai/v1', 'groq'],
    ['https://api.mistral.ai/v1', 'mistral'],
    ['https://api.together.xyz/v1', 'together'],
    ['https://openrouter.ai/api/v1', 'openrouter'],
    ['https://my-resource.openai.azure.com/openai', 'azure'],
    ['https://api.fireworks.ai/inference/v1', 'fireworks'],
    ['https://api.novita.ai/v3/openai', 'novita'],
    ['https://api.deepinfra.com/v1/openai', 'deepinfra'],
    ['https://ai-gateway.vercel.sh/v1', 'vercel'],
    // Hosts only the price dataset's API patterns know.
    ['https://router.huggingface.co/together/v1', 'huggingface_together'],
    ['https://inference.baseten.co/v1', 'baseten'],
    ['https://api.avian.io/v1', 'avian'],
    ['https://api.openai.com/v1', 'openai'],
    ['http://localhost:11434/v1', 'openai'],
    ['not a url', 'openai'],
  ])('infers %s → %s', (baseURL, provider) => {
    expect(inferProvider(baseURL, 'openai')).toBe(provider);
  });

  it('prices calls at the named provider (xAI) and refuses its unknown models before sending', async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 500 });
    const grok = guard(openAIClient(mock), { budget: 1, provider: 'x-ai' });
    await grok.chat.completions.create({ model: 'grok-4', messages: chatMessages, max_tokens: 600 });
    expect(grok.tokenfence.spentNanos).toBe(1_000 * 3_000 + 500 * 15_000);
    await expect(grok.chat.completions.create({ model: 'gpt-4o', messages: chatMessages })).rejects.toBeInstanceOf(
      UnknownModelError,
    );
    expect(mock.requests).toHaveLength(1);
  });

  it("prices OpenRouter's provider/model ids as OpenRouter lists them", async () => {
    mock.setScenario({ inputTokens: 1_000, outputTokens: 1_000 });
    const router = guard(openAIClient(mock), { budget: 1, provider: 'openrouter' });
    await router.chat.completions.create({
      model: 'anthropic/claude-3.5-sonnet',
      messages: chatMessages,
      max_tokens: 1_000,
    });
    expect(router.tokenfence.spentNanos).toBe(1_000 * 3_000 + 1_000 * 15_000);
  });

  it('counts calls and tokens of a self-hosted model priced at 0, and still obeys the kill switch', async () => {
    mock.setScenario({ inputTokens: 300, outputTokens: 200 });
    const fence = new TokenFence({ store: 'memory', budget: 1 });
    const local = fence.guard(openAIClient(mock), {
      provider: 'vllm',
      prices: { 'llama-3.1-8b': { input: 0, output: 0, maxOutputTokens: 4_096 } },
    });
    await local.chat.completions.create({ model: 'llama-3.1-8b', messages: chatMessages });
    await expect(
      local.chat.completions.create({ model: 'mystery-model', messages: chatMessages }),
    ).rejects.toBeInstanceOf(UnknownModelError);
    fence.flush();
    const [record] = fence.store.queryCalls({}).filter((call) => call.outcome === 'ok');
    expect(record).toMatchObject({
      provider: 'vllm',
      costNanos: 0,
      inputUncached: 300,
      outputText: 200,
      costSource: 'override',
    });
    expect(local.tokenfence.calls).toBe(1);
    fence.kill();
    await expect(local.chat.completions.create({ model: 'llama-3.1-8b', messages: chatMessages })).rejects.toThrow(
      /killed/,
    );
  });

  it('refuses a malformed provider id', () => {
    expect(() => guard(openAIClient(mock), { provider: 'not a provider!' })).toThrow(/provider/);
  });
});
