import type { CallRequest } from '../budget/plan-call.js';
import type { ChunkUsageTracker, MethodEndpointAdapter, RequestParams } from '../providers/provider-adapter.js';
import { asObject } from '../providers/read-json.js';
import { markStopAnswer } from './budget-stop.js';
import { containChunkTracker, usageOrNull } from './contained-trackers.js';
import { countThroughClient } from './count-through-client.js';
import type { GuardedCall, ManualAttempt } from './guarded-call.js';
import {
  type Admission,
  admitCall,
  admitCounted,
  admitOrAskCount,
  describeFor,
  type GuardScope,
  type PromptCountAsked,
} from './invoke-guarded.js';
import type { LocalAnswer } from './local-answer.js';
import { watchUnreadBody } from './unread-body-sweeper.js';

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Failure = Parameters<ManualAttempt['fail']>[0];

/** Network errors raised before the request left this machine: nothing can have been billed. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * How an attempt that threw ended. An HTTP error status before any chunk means the provider refused
 * the request (nothing billed); the same status inside a stream that already answered is an in-band
 * error after HTTP 200, whose cost is unknown. Anything else — a timeout, a cut connection, an abort —
 * may have been billed.
 */
function failureOf(error: unknown, answered: boolean): Failure {
  const status = (error as { status?: unknown } | null)?.status;
  if (!answered && typeof status === 'number' && status >= 400) return { status };
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (!answered && typeof code === 'string' && NOT_SENT.has(code)) return { sent: false };
  return answered ? { status: 200 } : {};
}

const noFetch = () => Promise.reject(new Error('a local answer sends nothing'));

/** A refused call: the local answer `onLimit: 'stop'` asks for, as the SDK method would resolve, or the error. */
async function refuse(endpoint: MethodEndpointAdapter, admission: Admission & { admitted: false }, stream: boolean) {
  if (!admission.answer) throw admission.error;
  return answerLocally(endpoint, admission.answer, stream);
}

async function answerLocally(endpoint: MethodEndpointAdapter, answer: LocalAnswer, stream: boolean) {
  const body = await (await answer.send(noFetch)).text();
  const result = endpoint.resultFromBody(body, stream);
  markStopAnswer(result);
  return result;
}

/**
 * Wraps the SDK's chunk iterator so the attempt settles exactly once: on the last usage when the
 * stream ends normally, on the hold when it is broken off, fails or is aborted. A kill settles it at
 * once (the caller may not be reading), and a stream nobody starts reading is settled by the sweeper.
 */
/**
 * `pending`, or a rejection with the abort reason as soon as `signal` aborts: how the guard stops a call
 * whose request could not carry its signal (the SDK goes on waiting; its late outcome is ignored).
 */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  pending.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The chunks of `source`, each raced against `signal`; an abort ends them with its reason. */
async function* chunksUntilAborted(source: AsyncIterable<unknown>, signal: AbortSignal): AsyncGenerator<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}

function followStream(
  source: AsyncIterable<unknown>,
  call: GuardedCall,
  attempt: ManualAttempt,
  tracker: ChunkUsageTracker,
  carriesSignal: boolean,
): AsyncGenerator<unknown, void, undefined> {
  let settled = false;
  let chunks = 0;
  const settle = (how: { failure: Failure } | { complete: boolean }) => {
    if (settled) return;
    settled = true;
    const { usage, complete } = tracker.result();
    if ('failure' in how) attempt.fail({ ...how.failure, usage });
    else attempt.succeed(usage, { complete: how.complete && complete });
  };
  const onAbort = () => settle({ failure: chunks > 0 ? { status: 200 } : {} });
  attempt.abortSignal.addEventListener('abort', onAbort, { once: true });
  const reading = watchUnreadBody(() => settle({ complete: false }));
  async function* follow(): AsyncGenerator<unknown, void, undefined> {
    reading();
    let ended = false;
    try {
      const read = carriesSignal ? source : chunksUntilAborted(source, attempt.abortSignal);
      for await (const chunk of read) {
        chunks += 1;
        tracker.onChunk(chunk);
        yield chunk;
      }
      ended = true;
    } catch (error) {
      // The SDK handed back a stream only once the provider answered 2xx: whatever it throws now (a
      // garbled body, an error object inside the stream) came from an answer that may have been billed.
      settle({ failure: failureOf(error, true) });
      throw call.mapError(error);
    } finally {
      attempt.abortSignal.removeEventListener('abort', onAbort);
      settle({ complete: ended });
      // The caller stopped reading: close the connection, or the provider goes on generating (and billing).
      if (!ended) call.signal.abort(new DOMException('The caller stopped reading the stream.', 'AbortError'));
    }
  }
  return follow();
}

async function send(
  scope: GuardScope,
  endpoint: MethodEndpointAdapter,
  call: GuardedCall,
  params: RequestParams,
  original: Method,
  target: unknown,
  rest: readonly unknown[],
): Promise<unknown> {
  const attempt = call.startAttempt();
  const answer = await attempt.ready;
  if (answer) return answerLocally(endpoint, answer, endpoint.isStream(params));
  const own = endpoint.abortSignalOf(params);
  const abortedBefore = own?.aborted === true;
  if (own) call.signal.follow(own);
  const sent = endpoint.withAbortSignal(params, attempt.abortSignal);
  const carriesSignal = sent !== params;
  let result: unknown;
  try {
    const pending = original.call(target, sent, ...rest) as Promise<unknown>;
    result = await (carriesSignal ? pending : untilAborted(Promise.resolve(pending), attempt.abortSignal));
  } catch (error) {
    attempt.fail(abortedBefore ? { sent: false } : failureOf(error, false));
    throw call.mapError(error);
  }
  if (!endpoint.alwaysStreams) {
    const completion = scope.policy.storeContent ? completionOrNull(endpoint, result) : null;
    attempt.succeed(
      usageOrNull(() => endpoint.usageOfResult(result)),
      { completion },
    );
    return result;
  }
  return followStream(
    result as AsyncIterable<unknown>,
    call,
    attempt,
    containChunkTracker(endpoint.createChunkTracker()),
    carriesSignal,
  );
}

function completionOrNull(endpoint: MethodEndpointAdapter, result: unknown): string | null {
  try {
    return endpoint.completionOf(result);
  } catch {
    return null;
  }
}

/**
 * Runs one intercepted method of an SDK without a fetch seam: plan and reserve, call the SDK with the
 * rewritten request and the guard's abort signal, settle on the usage of what it returns. The request is
 * one attempt: retries the SDK makes inside the call share its reservation.
 */
export function invokeMethodGuarded(
  scope: GuardScope,
  endpoint: MethodEndpointAdapter,
  original: Method,
  target: unknown,
  args: readonly unknown[],
): unknown {
  const [params, ...rest] = args;
  const given = asObject(params);
  const request: CallRequest | null = given ? describeFor(scope, endpoint, given) : null;
  if (!given || !request) return original.apply(target, args as unknown[]);
  const admission = endpoint.countPromptTokens
    ? admitOrAskCount(scope, endpoint, request, given)
    : admitCall(scope, endpoint, request, given);
  if (admission.admitted === 'after-count') {
    return countThenSend(scope, endpoint, request, given, admission, original, target, rest);
  }
  if (!admission.admitted) return refuse(endpoint, admission, endpoint.isStream(given));
  return send(scope, endpoint, admission.call, admission.params, original, target, rest);
}

/** A call whose local bound did not fit: the provider counts its prompt first, then it is planned and sent. */
async function countThenSend(
  scope: GuardScope,
  endpoint: MethodEndpointAdapter,
  request: CallRequest,
  params: RequestParams,
  asked: PromptCountAsked,
  original: Method,
  target: unknown,
  rest: readonly unknown[],
): Promise<unknown> {
  const count = await countThroughClient(endpoint, scope.client, params, asked.timeoutMs, scope.now);
  // The caller gave up while the count ran: nothing is planned, held or sent.
  endpoint.abortSignalOf(params)?.throwIfAborted();
  const admission = admitCounted(scope, endpoint, request, params, asked, count);
  if (!admission.admitted) return refuse(endpoint, admission, endpoint.isStream(params));
  return send(scope, endpoint, admission.call, admission.params, original, target, rest);
}
