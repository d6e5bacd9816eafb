import type { MethodEndpointAdapter, RequestParams } from '../providers/provider-adapter.js';
import type { PromptCountResult } from './invoke-guarded.js';

/**
 * Asks the provider for the prompt size through the SDK client itself (an SDK without a fetch seam), giving
 * up after `timeoutMs` or when the caller's own signal aborts. Never throws: any failure is `tokens: null`,
 * and no error text is kept (it could carry the request or a credential).
 */
export async function countThroughClient(
  endpoint: MethodEndpointAdapter,
  client: object,
  params: RequestParams,
  timeoutMs: number,
  now: () => number,
): Promise<PromptCountResult> {
  const count = endpoint.countPromptTokens;
  if (!count) return { tokens: null, result: 'failed', durationMs: 0 };
  const startedAt = now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const own = endpoint.abortSignalOf(params);
  const signal = own ? AbortSignal.any([own, timeout]) : timeout;
  let tokens: number | undefined;
  try {
    // The SDK may not stop on the signal: the timeout must end the wait all the same.
    tokens = await Promise.race([count(client, params, signal), rejectOnAbort(signal)]);
  } catch {
    tokens = undefined;
  }
  const durationMs = now() - startedAt;
  if (tokens !== undefined) return { tokens, result: 'counted', durationMs };
  return { tokens: null, result: timeout.aborted ? 'timeout' : 'failed', durationMs };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
