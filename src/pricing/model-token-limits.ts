import { MODEL_TOKEN_LIMITS } from './data/model-limits.generated.js';
import { normalizeModelId, stripDateSuffix } from './normalize-model-id.js';

function limitsOf(candidateIds: readonly string[]): readonly [number, number] | undefined {
  for (const candidate of candidateIds) {
    const id = normalizeModelId(candidate);
    const known = MODEL_TOKEN_LIMITS[id] ?? MODEL_TOKEN_LIMITS[stripDateSuffix(id)];
    if (known !== undefined) return known;
  }
  return undefined;
}

/** The model's largest output in tokens, from the LiteLLM-derived table; undefined when unknown. */
export function modelMaxOutputTokens(...candidateIds: string[]): number | undefined {
  return limitsOf(candidateIds)?.[0];
}

/** The model's context window in tokens; undefined when unknown. */
export function modelMaxInputTokens(...candidateIds: string[]): number | undefined {
  const input = limitsOf(candidateIds)?.[1];
  return input ? input : undefined;
}
