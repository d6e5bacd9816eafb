import type { RequestChanges, RequestParams } from './provider-adapter.js';

/**
 * A copy of the request with the guard's model and output cap applied; `params` is never mutated.
 * `outputCapKey` is the endpoint's output-cap field (none for endpoints without output).
 */
export function rewriteParams(
  params: RequestParams,
  changes: RequestChanges,
  outputCapKey: string | undefined,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...params };
  if (changes.model !== undefined) next.model = changes.model;
  if (outputCapKey && changes.outputCap !== undefined) next[outputCapKey] = changes.outputCap;
  return next;
}
