import { describe, expect, it } from 'vitest';
import { aiSdkPricedModel } from './ai-sdk-priced-model.js';

describe('aiSdkPricedModel', () => {
  it.each([
    ['openai.chat', 'gpt-4o', 'openai', 'gpt-4o'],
    ['openai.responses', 'gpt-4o', 'openai', 'gpt-4o'],
    ['anthropic.messages', 'claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
    ['vertex.anthropic.messages', 'claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
    ['google.generative-ai', 'gemini-2.5-flash', 'google', 'gemini-2.5-flash'],
    ['google.vertex.chat', 'gemini-2.5-flash', 'google', 'gemini-2.5-flash'],
    ['xai.chat', 'grok-4', 'x-ai', 'grok-4'],
    ['togetherai.chat', 'm', 'together', 'm'],
    ['amazon-bedrock', 'm', 'aws', 'm'],
    ['deepseek.chat', 'deepseek-chat', 'deepseek', 'deepseek-chat'],
    ['Groq.Chat', 'llama', 'groq', 'llama'],
    ['gateway', 'openai/gpt-4o', 'openai', 'gpt-4o'],
    ['gateway', 'anthropic/claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5'],
  ])('%s %s → %s %s', (provider, modelId, pricedProvider, pricedModel) => {
    expect(aiSdkPricedModel(provider, modelId)).toEqual({ provider: pricedProvider, model: pricedModel });
  });
});
