import type { WirePromptCounter } from '../providers/prompt-counter.js';
import type { RequestParams } from '../providers/provider-adapter.js';
import type { Fetch } from './guarded-call.js';
import type { PromptCountResult } from './invoke-guarded.js';

/** Headers of the counted request that must not reach the counting request. */
const NOT_FORWARDED = ['content-length', 'idempotency-key'];

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * Asks the provider's counting endpoint for the prompt size of the request the SDK is about to send: same
 * base URL and headers (its auth, API version and betas), only the body fields the endpoint accepts. Gives
 * up after `timeoutMs`, or when the caller aborts. Never throws: any failure is `tokens: null`, and no
 * error text is kept (it could carry the request or a credential).
 */
export async function countOnWire(
  counter: WirePromptCounter,
  fetch: Fetch,
  input: string | URL | Request,
  init: RequestInit,
  body: RequestParams,
  timeoutMs: number,
  now: () => number,
): Promise<PromptCountResult> {
  const startedAt = now();
  const counting = counter.request(urlOf(input), body);
  if (!counting) return { tokens: null, result: 'failed', durationMs: 0 };
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const headers = new Headers(init.headers);
  for (const name of NOT_FORWARDED) headers.delete(name);
  headers.set('content-type', 'application/json');
  let tokens: number | undefined;
  try {
    const response = await fetch(counting.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(counting.body),
      signal,
    });
    if (response.ok) tokens = counter.read(await response.json());
    else await response.body?.cancel();
  } catch {
    tokens = undefined;
  }
  const durationMs = now() - startedAt;
  if (tokens !== undefined) return { tokens, result: 'counted', durationMs };
  return { tokens: null, result: timeout.aborted ? 'timeout' : 'failed', durationMs };
}
