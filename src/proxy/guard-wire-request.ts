import type { EndpointAdapter } from '../providers/provider-adapter.js';
import { parseJsonObject } from '../providers/read-json.js';
import { countAndAdmit } from './count-before-send.js';
import type { Fetch } from './guarded-call.js';
import { admitCall, admitOrAskCount, describeFor, type GuardScope } from './invoke-guarded.js';

/**
 * The safety net for priced requests that reach the guarded client without passing an intercepted
 * method (`chat.completions.runTools`, `client.post('/chat/completions', …)`, helpers added in later SDK
 * versions): the request is planned and reserved from its JSON body, exactly like an intercepted call.
 * Refusals surface through the SDK as a connection error whose `cause` is the TokenFence error.
 */
export async function guardWireRequest(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  fetch: Fetch,
  input: string | URL | Request,
  init: RequestInit,
): Promise<Response> {
  const params = typeof init.body === 'string' ? parseJsonObject(init.body) : null;
  const request = params ? describeFor(scope, endpoint, params) : null;
  if (!params || !request) return fetch(input, init);
  const first = endpoint.promptCounter
    ? admitOrAskCount(scope, endpoint, request, params)
    : admitCall(scope, endpoint, request, params);
  const admission =
    first.admitted === 'after-count'
      ? await countAndAdmit(scope, endpoint, request, params, first, fetch, input, init)
      : first;
  if (!admission.admitted) {
    if (admission.answer) return admission.answer.send(fetch);
    throw admission.error;
  }
  const { call } = admission;
  const killSignal = call.signal.toAbortSignal();
  const signal = init.signal ? AbortSignal.any([init.signal, killSignal]) : killSignal;
  return call.send(fetch, input, { ...init, body: JSON.stringify(admission.params), signal });
}

/** The endpoint a request URL targets, by the provider's wire paths (`/v1/chat/completions`, `/v1/messages`). */
export function endpointForUrl(
  wirePaths: ReadonlyMap<string, EndpointAdapter>,
  input: string | URL | Request,
  init: RequestInit | undefined,
): EndpointAdapter | undefined {
  if ((init?.method ?? 'GET').toUpperCase() !== 'POST') return undefined;
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const path = url.split('?')[0] ?? '';
  for (const [suffix, endpoint] of wirePaths) if (path.endsWith(suffix)) return endpoint;
  return undefined;
}
