import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type GoogleGenAIOptions } from '@google/genai';
import OpenAI from 'openai';
import type { MockProvider } from '../../src/testing/index.js';

/** A key that must never show up anywhere the guard writes (errors, events). */
export const CANARY_KEY = 'sk-canary-7f3a9c2e1b';

export function openAIClient(mock: MockProvider, options: ConstructorParameters<typeof OpenAI>[0] = {}): OpenAI {
  return new OpenAI({ apiKey: CANARY_KEY, baseURL: `${mock.url}/v1`, maxRetries: 0, ...options });
}

export function anthropicClient(
  mock: MockProvider,
  options: ConstructorParameters<typeof Anthropic>[0] = {},
): Anthropic {
  return new Anthropic({ apiKey: CANARY_KEY, baseURL: mock.url, maxRetries: 0, ...options });
}

export function geminiClient(mock: MockProvider, options: Partial<GoogleGenAIOptions> = {}): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: CANARY_KEY,
    ...options,
    httpOptions: { baseUrl: mock.url, ...options.httpOptions },
  });
}

export const chatMessages = [
  { role: 'user' as const, content: 'Summarise the quarterly report in three bullet points.' },
];
