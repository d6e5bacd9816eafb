const PROVIDER_PREFIX = /^(?:openai|anthropic|google|models|gemini|vertex_ai|x-ai|xai)\//;

/** Strips provider prefixes and surrounding noise so `openai/gpt-4o` and `models/gemini-2.5-pro` resolve. */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  while (PROVIDER_PREFIX.test(id)) id = id.replace(PROVIDER_PREFIX, '');
  return id;
}

const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;

/** `gpt-4o-2024-08-06` → `gpt-4o`, `claude-3-5-haiku-20241022` → `claude-3-5-haiku`. */
export function stripDateSuffix(model: string): string {
  return model.replace(DATE_SUFFIX, '');
}
