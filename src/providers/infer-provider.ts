import { datasetProviderOfUrl } from '../pricing/genai-prices-source.js';

/** Hosts of OpenAI-compatible (and other) APIs → the price dataset's provider id. */
const HOSTS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\.)api\.openai\.com$/, 'openai'],
  [/\.openai\.azure\.com$/, 'azure'],
  [/(^|\.)api\.anthropic\.com$/, 'anthropic'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'google'],
  [/(^|\.)api\.deepseek\.com$/, 'deepseek'],
  [/(^|\.)api\.x\.ai$/, 'x-ai'],
  [/(^|\.)api\.groq\.com$/, 'groq'],
  [/(^|\.)api\.mistral\.ai$/, 'mistral'],
  [/(^|\.)api\.together\.(xyz|ai)$/, 'together'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)api\.fireworks\.ai$/, 'fireworks'],
  [/(^|\.)api\.cerebras\.ai$/, 'cerebras'],
  [/(^|\.)api\.novita\.ai$/, 'novita'],
  [/(^|\.)api\.perplexity\.ai$/, 'perplexity'],
  [/(^|\.)api\.moonshot\.(ai|cn)$/, 'moonshotai'],
  [/(^|\.)api\.z\.ai$/, 'zai'],
  // Aggregators the price dataset has no provider for: their `vendor/model` ids fall back to the vendor's list
  // price (see modelLookups); other ids are unknown there unless given a price.
  [/(^|\.)api\.deepinfra\.com$/, 'deepinfra'],
  [/(^|\.)ai-gateway\.vercel\.sh$/, 'vercel'],
];

/**
 * The provider whose prices apply to a client, from its base URL: our host table, then the price dataset's own
 * API patterns (Hugging Face router, Cloudflare, Baseten, Avian, …); `fallback` (the SDK's own provider) for hosts
 * neither knows — a local vLLM or Ollama server, a proxy, a test server. Give `provider` explicitly to choose.
 */
export function inferProvider(baseURL: unknown, fallback: string): string {
  if (typeof baseURL !== 'string') return fallback;
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return fallback;
  }
  for (const [pattern, provider] of HOSTS) if (pattern.test(host)) return provider;
  return datasetProviderOfUrl(baseURL) ?? fallback;
}
