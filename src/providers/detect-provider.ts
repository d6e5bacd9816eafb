import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { googleGenAIAdapter } from './google-genai/google-genai-adapter.js';
import { openAIAdapter } from './openai/openai-adapter.js';
import type { ProviderAdapter } from './provider-adapter.js';

const ADAPTERS: readonly ProviderAdapter[] = [openAIAdapter, anthropicAdapter, googleGenAIAdapter];

/** The adapter for an SDK client, recognised by its shape (no SDK is imported). */
export function detectProvider(client: object): ProviderAdapter | undefined {
  return ADAPTERS.find((adapter) => adapter.matches(client));
}
