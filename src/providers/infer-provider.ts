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
];

/**
 * The provider whose prices apply to a client, from its base URL; `fallback` (the SDK's own provider)
 * for hosts we do not know — a local vLLM or Ollama server, a proxy, a test server. Give `provider`
 * explicitly to choose.
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
  return fallback;
}
