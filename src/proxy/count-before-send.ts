import type { CallRequest } from '../budget/plan-call.js';
import type { EndpointAdapter, RequestParams } from '../providers/provider-adapter.js';
import { parseJsonObject } from '../providers/read-json.js';
import { CallAbortSignal } from './call-abort-signal.js';
import { countOnWire } from './count-on-wire.js';
import type { Fetch, GuardedCall, MarkedRequest } from './guarded-call.js';
import { type Admission, admitCounted, type GuardScope, type PromptCountAsked } from './invoke-guarded.js';

/** A count that could not be asked: the plan keeps the local bound. */
const NOT_COUNTED = { tokens: null, result: 'failed', durationMs: 0 } as const;

/**
 * Counts the prompt of the request the SDK serialized (`init.body`), then plans the call on that count.
 * The admitted request is the counted body rewritten for the plan (model, output cap, tool caps, usage
 * reporting), so what is sent is what was counted and planned.
 */
export async function countAndAdmit(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  request: CallRequest,
  fallbackParams: RequestParams,
  asked: PromptCountAsked,
  fetch: Fetch,
  input: string | URL | Request,
  init: RequestInit,
): Promise<Admission> {
  const body = typeof init.body === 'string' ? parseJsonObject(init.body) : null;
  const counter = endpoint.promptCounter;
  const count =
    body && counter ? await countOnWire(counter, fetch, input, init, body, asked.timeoutMs, scope.now) : NOT_COUNTED;
  // The caller gave up while the count ran: nothing is planned, held or sent.
  init.signal?.throwIfAborted();
  return admitCounted(scope, endpoint, request, body ?? fallbackParams, asked, count);
}

/**
 * What a call planned after a count hands the SDK in place of its GuardedCall: the SDK's first attempt
 * counts and plans; that attempt and every retry then go to the admitted call, and a refused call fails
 * every attempt.
 */
export class CountBeforeSend implements MarkedRequest {
  readonly signal = new CallAbortSignal();
  readonly #scope: GuardScope;
  readonly #endpoint: EndpointAdapter;
  readonly #request: CallRequest;
  readonly #params: RequestParams;
  readonly #asked: PromptCountAsked;
  #call: GuardedCall | undefined;
  #failure: Error | undefined;

  constructor(
    scope: GuardScope,
    endpoint: EndpointAdapter,
    request: CallRequest,
    params: RequestParams,
    asked: PromptCountAsked,
  ) {
    this.#scope = scope;
    this.#endpoint = endpoint;
    this.#request = request;
    this.#params = params;
    this.#asked = asked;
  }

  async send(fetch: Fetch, input: string | URL | Request, init: RequestInit): Promise<Response> {
    if (this.#call) return this.#call.send(fetch, input, init);
    if (this.#failure) throw this.#failure;
    const admission = await countAndAdmit(
      this.#scope,
      this.#endpoint,
      this.#request,
      this.#params,
      this.#asked,
      fetch,
      input,
      init,
    );
    if (!admission.admitted) {
      this.#failure = admission.error;
      if (admission.answer) return admission.answer.send(fetch);
      // The SDK stops at once on an aborted signal, and its APIPromise is mapped back to our error. A stream
      // helper's error is not mapped: it gets the refusal as the `cause` of the SDK's connection error, as a
      // stream helper refused before any count does (each SDK retry is refused again at once).
      if (!this.#endpoint.alwaysStreams) this.signal.abort(admission.error);
      throw admission.error;
    }
    const call = admission.call;
    this.#call = call;
    // The SDK holds this signal, not the call's: a kill or a refused retry must reach it.
    call.signal.addEventListener('abort', () => this.signal.abort(call.signal.reason));
    return call.send(fetch, input, { ...init, body: JSON.stringify(admission.params) });
  }

  /** The error to give the caller instead of the SDK's abort error, when the guard stopped the call. */
  mapError(error: unknown): unknown {
    return this.#call ? this.#call.mapError(error) : (this.#failure ?? error);
  }

  releasePending(): void {
    this.#call?.releasePending();
  }
}
