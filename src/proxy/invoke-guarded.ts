import type { BudgetNode } from '../budget/budget-node.js';
import { countedPromptBound } from '../budget/counted-prompt-bound.js';
import { checkFallbackPrices, inheritedFallbacks } from '../budget/fallback-models.js';
import type { LoopGuard } from '../budget/loop-guard.js';
import { type AdmittedCall, type CallRequest, type PromptCount, planCall } from '../budget/plan-call.js';
import { fingerprintRequest, type RequestFingerprints } from '../budget/request-fingerprint.js';
import type { ScopeSet } from '../budget/scope-set.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { KillSwitchError } from '../errors/kill-switch-error.js';
import { LoopDetectedError } from '../errors/loop-detected-error.js';
import { RetryLimitError } from '../errors/retry-limit-error.js';
import { UnbudgetedEndpointError } from '../errors/unbudgeted-endpoint-error.js';
import type { EndpointAdapter, RequestChanges, RequestParams } from '../providers/provider-adapter.js';
import { asObject } from '../providers/read-json.js';
import type { ResolvedPolicy } from '../resolve-options.js';
import { currentCallContext } from '../runs/call-context.js';
import { markStopAnswer } from './budget-stop.js';
import type { CallAbortSignal } from './call-abort-signal.js';
import { CountBeforeSend } from './count-before-send.js';
import { DeniedApiPromise } from './denied-api-promise.js';
import { CALL_MARKER, GuardedCall, type MarkedRequest, type SharedDenialDecision } from './guarded-call.js';
import { LocalAnswer } from './local-answer.js';
import { callRecord } from './record-call.js';

export interface GuardScope {
  /** Whose prices apply: inferred from the client's base URL, or the `provider` option. */
  provider: string;
  node: BudgetNode;
  policy: ResolvedPolicy;
  now: () => number;
  /** The SDK client the methods belong to (our clone with the guarded fetch). */
  client: object;
}

type Method = (this: unknown, params: unknown, options?: unknown) => unknown;
type RequestOptions = Record<string | symbol, unknown> & { signal?: AbortSignal; maxRetries?: number };

function withMarker(
  scope: GuardScope,
  options: RequestOptions | undefined,
  marker: MarkedRequest,
  signal: CallAbortSignal | undefined,
  maxRetries: number | undefined,
): RequestOptions {
  const given = options ?? {};
  const clientRetries = (scope.client as { maxRetries?: unknown }).maxRetries;
  const asked =
    typeof given.maxRetries === 'number'
      ? given.maxRetries
      : typeof clientRetries === 'number'
        ? clientRetries
        : undefined;
  const next: RequestOptions = { ...given, fetchOptions: { ...asObject(given.fetchOptions), [CALL_MARKER]: marker } };
  if (maxRetries !== undefined) next.maxRetries = Math.min(asked ?? maxRetries, maxRetries);
  if (signal) {
    if (given.signal) signal.follow(given.signal);
    next.signal = signal as unknown as AbortSignal;
  }
  return next;
}

/** What the rebuilt APIPromise asks of the call it belongs to. */
interface GuardedErrors {
  mapError(error: unknown): unknown;
  releasePending(): void;
}

/**
 * Points the SDK's APIPromise at a response promise whose failures the guard may replace (a kill or a
 * refused retry surfaces as our error, not as the SDK's "Request was aborted"). Same object, same
 * client, same parser: `.withResponse()`, `.asResponse()` and `_thenUnwrap` keep working.
 */
function withGuardErrors(result: unknown, call: GuardedErrors): unknown {
  const apiPromise = result as { responsePromise?: unknown; parseResponse?: unknown; on?: unknown } | null;
  if (apiPromise && apiPromise.responsePromise instanceof Promise && typeof apiPromise.parseResponse === 'function') {
    // The SDK's own APIPromise, handed back as it is (same object the raw call returns): only the
    // response promise it reads lazily is replaced, one `catch` instead of a second APIPromise.
    apiPromise.responsePromise = apiPromise.responsePromise.catch((error: unknown) => {
      call.releasePending();
      throw call.mapError(error);
    });
    return result;
  }
  if (apiPromise && typeof apiPromise.on === 'function') {
    // Stream helpers (MessageStream, ChatCompletionStream): `end` follows success, error and abort alike.
    (apiPromise.on as (event: string, listener: () => void) => void).call(result, 'end', () => call.releasePending());
  }
  return result;
}

/** The request as the planner sees it, priced at the client's provider (e.g. DeepSeek behind the openai SDK). */
export function describeFor(scope: GuardScope, endpoint: EndpointAdapter, params: RequestParams): CallRequest | null {
  const request = endpoint.describe(params);
  return request && request.provider !== scope.provider ? { ...request, provider: scope.provider } : request;
}

/**
 * The scopes a call counts in: its client's chain, joined with the run / agent context it is made in,
 * and the budget scope of each budgeted tag value the call carries (`tagBudgets`).
 */
function scopesOfCall(clientNode: BudgetNode): ScopeSet {
  const context = currentCallContext();
  return (context ? context.node.scopeWith(clientNode) : clientNode.scope).forCall();
}

/**
 * Marks the stream object of a local stop answer for `isBudgetStop`: a stream helper's object at once, an
 * APIPromise's Stream once parsed (parsing a stream reads nothing yet, and the SDK caches the object).
 */
function markStream(answered: unknown): void {
  const then = (answered as { then?: unknown } | null)?.then;
  if (typeof then === 'function') (answered as Promise<unknown>).then(markStopAnswer, () => {});
  else markStopAnswer(answered);
}

/**
 * The policy a call is planned with: the client's; when it has no fallbacks of its own, with those of the
 * call's context or the client's ancestors, priced at the first call that could use them.
 */
function planPolicy(scope: GuardScope, at: Date): GuardScope['policy'] {
  if (scope.policy.fallbacks.length > 0) return scope.policy;
  const fallbacks = inheritedFallbacks(scope.node, currentCallContext()?.node);
  if (fallbacks.length === 0) return scope.policy;
  checkFallbackPrices(fallbacks, scope.provider, scope.policy.prices, at);
  return { ...scope.policy, fallbacks };
}

interface LoopCheck {
  admitted: true;
  guards: LoopGuard[];
  fingerprints: RequestFingerprints;
  retry: boolean;
}

/**
 * Applies the retry and repeat caps of every scope that has them (and only then hashes the request).
 * Returns undefined when no scope has caps.
 */
function checkLoops(
  scopes: ScopeSet,
  request: CallRequest,
  now: number,
): LoopCheck | { admitted: false; error: Error } | undefined {
  let check: LoopCheck | undefined;
  for (const node of scopes.nodes) {
    const guard = node.loopGuard;
    if (!guard) continue;
    check ??= { admitted: true, guards: [], fingerprints: fingerprintRequest(request, request.model), retry: false };
    const verdict = guard.checkCall(check.fingerprints, now);
    if (!verdict.ok) {
      scopes.emit({
        type: 'loop-detected',
        reason: verdict.reason,
        limitedBy: node.label,
        model: request.model,
        repeats: verdict.repeats,
      });
      const error =
        verdict.reason === 'repeat'
          ? new LoopDetectedError(node.label, request.model, verdict.repeats, guard.limits.repeatWindowMs)
          : new RetryLimitError(node.label, guard.limits.maxRetries ?? 0);
      return { admitted: false, error };
    }
    check.guards.push(guard);
    check.retry ||= verdict.retry;
  }
  return check;
}

/** Reports a retry of a failed request that went to a dearer model than the last attempt. */
function noteEscalation(scopes: ScopeSet, loops: LoopCheck, plan: AdmittedCall): void {
  const price = plan.rates.base.input + plan.rates.base.output;
  for (const guard of loops.guards) {
    const previous = guard.noteModel(loops.fingerprints.prompt, plan.model, price);
    if (previous && loops.retry) scopes.emit({ type: 'retry-escalated', from: previous, to: plan.model });
  }
}

/** A call refused before any request: recorded with cost 0 as `killed` or `blocked`. */
function recordRefusal(
  scope: GuardScope,
  scopes: ScopeSet,
  endpoint: EndpointAdapter,
  request: CallRequest,
  params: RequestParams,
  error: unknown,
  prompt: string | null,
): void {
  scope.policy.ledger.call(
    callRecord(scopes, request, {
      startedAt: scope.now(),
      modelUsed: request.model,
      usage: null,
      costNanos: 0,
      feeNanos: 0,
      reservedNanos: 0,
      costSource: 'provider',
      attempt: 0,
      outcome: KillSwitchError.isInstance(error) ? 'killed' : 'blocked',
      status: undefined,
      durationMs: 0,
      stream: endpoint.isStream(params),
      prompt,
      completion: null,
    }),
  );
}

/** Emits `budget-exceeded` and makes the local answer `onLimit: 'stop'` asks for, when the endpoint has one. */
function localAnswerFor(
  scope: GuardScope,
  scopes: ScopeSet,
  endpoint: EndpointAdapter,
  request: CallRequest,
  error: Error,
  params: RequestParams,
): LocalAnswer | undefined {
  if (!BudgetExceededError.isInstance(error)) return undefined;
  const stream = endpoint.isStream(params);
  const body =
    scope.policy.onLimit === 'stop' ? endpoint.syntheticBody(request.model, stopMessage(error), stream) : null;
  emitBudgetExceeded(scopes, request, error, body === null ? 'throw' : 'stop');
  return body === null ? undefined : LocalAnswer.body(body, stream);
}

function emitBudgetExceeded(
  scopes: ScopeSet,
  request: CallRequest,
  error: BudgetExceededError,
  action: 'throw' | 'stop' | 'warn',
): void {
  scopes.emit({
    type: 'budget-exceeded',
    deniedBy: error.label,
    model: request.model,
    requestedUsd: error.requested,
    budgetUsd: error.budget,
    spentUsd: error.spent,
    reservedUsd: error.reserved,
    action,
  });
}

function stopMessage(error: BudgetExceededError): string {
  return (
    `[TokenFence] Budget exceeded for "${error.label}": this call needs up to $${error.requested.toFixed(6)}, ` +
    `$${Math.max(0, error.budget - error.spent - error.reserved).toFixed(6)} of $${error.budget.toFixed(4)} is left. No request was sent.`
  );
}

export type Admission =
  | { admitted: true; call: GuardedCall; params: RequestParams }
  | { admitted: false; error: Error; answer: LocalAnswer | undefined };

/**
 * A call whose plan waits for the provider's count of its prompt: the local bound did not fit, and an exact
 * count could admit it without a downgrade or clamp. Nothing is held yet; `admitCounted` plans it.
 */
export interface PromptCountAsked {
  readonly admitted: 'after-count';
  /** The asked model's local prompt bound, which did not fit. */
  readonly boundTokens: number;
  /** How long to wait for the count. */
  readonly timeoutMs: number;
  readonly scopes: ScopeSet;
  readonly prompt: string | null;
  readonly loops: LoopCheck | undefined;
}

/** How a count ended: `tokens` is the provider's count, null when it failed (the plan keeps the local bound). */
export interface PromptCountResult {
  tokens: number | null;
  result: 'counted' | 'timeout' | 'failed';
  durationMs: number;
}

/**
 * Plans and reserves one call on the local prompt bound: picks the model and output cap, holds the worst case
 * on every enclosing scope, and returns the request to send with the call that will settle it — or the refusal.
 */
export function admitCall(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  request: CallRequest,
  params: RequestParams,
): Admission {
  return admitIn(scope, endpoint, request, params, undefined, undefined) as Admission;
}

/**
 * `admitCall` for a seam that can ask the provider to count the prompt (`countTokens`): a call whose local
 * bound fits is admitted exactly as by `admitCall`; one that would be refused, downgraded or clamped on that
 * bound, where a count could change it, comes back as `PromptCountAsked`.
 */
export function admitOrAskCount(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  request: CallRequest,
  params: RequestParams,
): Admission | PromptCountAsked {
  // Only the provider itself counts: an OpenAI-compatible service behind the same SDK has no such endpoint.
  const counting = scope.policy.countTokens !== false && scope.provider === endpoint.provider;
  return admitIn(scope, endpoint, request, params, counting ? 'can-count' : undefined, undefined);
}

/** Plans a call that asked for a count, on the provider's count (margin added) or, when it failed, the local bound. */
export function admitCounted(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  request: CallRequest,
  params: RequestParams,
  asked: PromptCountAsked,
  count: PromptCountResult,
): Admission {
  const plannedTokens = count.tokens === null ? asked.boundTokens : countedPromptBound(count.tokens);
  asked.scopes.emit({
    type: 'prompt-counted',
    provider: scope.provider,
    model: request.model,
    result: count.result,
    boundTokens: asked.boundTokens,
    countedTokens: count.tokens,
    plannedTokens,
    durationMs: count.durationMs,
  });
  const promptCount = count.tokens === null ? undefined : { promptTokens: plannedTokens };
  return admitIn(scope, endpoint, request, params, promptCount, asked) as Admission;
}

/**
 * Plans and reserves one call: picks the model and output cap, holds the worst case on every enclosing
 * scope, and returns the request to send with the call that will settle it — or the refusal. A call
 * planned again after a count (`asked`) keeps the scopes and loop checks of its first pass.
 */
function admitIn(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  request: CallRequest,
  params: RequestParams,
  count: PromptCount,
  asked: PromptCountAsked | undefined,
): Admission | PromptCountAsked {
  let scopes: ScopeSet;
  let prompt: string | null;
  let loops: LoopCheck | undefined;
  if (asked) {
    ({ scopes, prompt, loops } = asked);
  } else {
    scopes = scopesOfCall(scope.node);
    prompt = scope.policy.storeContent ? JSON.stringify(params) : null;
    try {
      // A call whose scopes span two shared trees is refused here, before anything is held.
      void scopes.shared;
    } catch (error) {
      recordRefusal(scope, scopes, endpoint, request, params, error, prompt);
      return { admitted: false, error: error as Error, answer: undefined };
    }
    const checked = checkLoops(scopes, request, scope.now());
    if (checked && !checked.admitted) {
      recordRefusal(scope, scopes, endpoint, request, params, checked.error, prompt);
      return { admitted: false, error: checked.error, answer: undefined };
    }
    loops = checked;
  }
  let plan: ReturnType<typeof planCall>;
  try {
    const at = new Date(scope.now());
    plan = planCall(scopes, request, planPolicy(scope, at), at, count);
  } catch (error) {
    recordRefusal(scope, scopes, endpoint, request, params, error, prompt);
    return { admitted: false, error: error as Error, answer: undefined };
  }
  if (!plan.admitted) {
    if (plan.countFirst && scope.policy.countTokens) {
      const { timeoutMs } = scope.policy.countTokens;
      return { admitted: 'after-count', boundTokens: plan.countFirst.boundTokens, timeoutMs, scopes, prompt, loops };
    }
    recordRefusal(scope, scopes, endpoint, request, params, plan.error, prompt);
    return {
      admitted: false,
      error: plan.error,
      answer: localAnswerFor(scope, scopes, endpoint, request, plan.error, params),
    };
  }
  if (plan.overBudget) warnOverBudget(scopes, request, plan);
  if (loops) noteEscalation(scopes, loops, plan);
  const stream = endpoint.isStream(params);
  const injectUsage = stream && endpoint.needsUsageReporting(params);
  let sent: RequestParams = params;
  try {
    // A request the guard does not change is sent as the caller's own object (no copy on the hot path).
    const changes = changesOf(request, plan, injectUsage);
    if (changes) sent = endpoint.rewrite(params, changes);
  } catch (error) {
    // Nothing was sent: the hold made for it goes back.
    plan.reservation.release();
    throw error;
  }
  const call = new GuardedCall({
    scope: scopes,
    endpoint,
    request,
    plan,
    stream,
    stripUsage: injectUsage,
    now: scope.now,
    ledger: scope.policy.ledger,
    prompt,
    onOutcome: loops
      ? (failed: boolean) => {
          for (const guard of loops.guards) guard.noteOutcome(loops.fingerprints.prompt, failed);
        }
      : undefined,
    onSharedDenial: (error, attempt) => sharedDenial(scope, scopes, endpoint, request, error, params, attempt),
  });
  return { admitted: true, call, params: sent };
}

/** What the guard changes in the request, or undefined when it sends it as written. */
function changesOf(request: CallRequest, plan: AdmittedCall, injectUsage: boolean): RequestChanges | undefined {
  if (plan.model === request.model && plan.outputCap === undefined && plan.toolCaps === undefined && !injectUsage) {
    return undefined;
  }
  const changes: RequestChanges = {};
  if (plan.model !== request.model) changes.model = plan.model;
  if (plan.outputCap !== undefined) changes.outputCap = plan.outputCap;
  if (plan.toolCaps !== undefined) changes.toolCaps = plan.toolCaps;
  if (injectUsage) changes.includeUsage = true;
  return changes;
}

/** Runs one intercepted SDK method: plan and reserve, send through the SDK, hand back the SDK's own object. */
export function invokeGuarded(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  original: Method,
  target: unknown,
  params: unknown,
  options: unknown,
): unknown {
  const given = asObject(params);
  const request = given ? describeFor(scope, endpoint, given) : null;
  if (!given || !request) {
    const unpriced = given && endpoint.unpricedRequest?.(given);
    if (unpriced && scope.node.underBudget) {
      return new DeniedApiPromise(new UnbudgetedEndpointError(unpriced, scope.provider, 'not in the price data'));
    }
    return original.call(target, params, options);
  }
  const requestOptions = asObject(options) as RequestOptions | undefined;
  const admission = endpoint.promptCounter
    ? admitOrAskCount(scope, endpoint, request, given)
    : admitCall(scope, endpoint, request, given);
  if (admission.admitted === 'after-count') {
    const counting = new CountBeforeSend(scope, endpoint, request, given, admission);
    const sendOptions = withMarker(scope, requestOptions, counting, counting.signal, scope.policy.maxRetries);
    return withGuardErrors(original.call(target, given, sendOptions), counting);
  }
  if (!admission.admitted) {
    // Stream helpers return their own objects synchronously: they get a request that fails (or is answered) locally.
    if (!admission.answer && !endpoint.alwaysStreams) return new DeniedApiPromise(admission.error);
    const local = admission.answer ?? LocalAnswer.failure(admission.error);
    const answered = original.call(target, given, withMarker(scope, requestOptions, local, undefined, 0));
    if (admission.answer && (endpoint.alwaysStreams || endpoint.isStream(given))) markStream(answered);
    return answered;
  }
  const { call } = admission;
  let result: unknown;
  try {
    const sendOptions = withMarker(scope, requestOptions, call, call.signal, scope.policy.maxRetries);
    result = original.call(target, admission.params, sendOptions);
  } catch (error) {
    call.releasePending();
    throw error;
  }
  return withGuardErrors(result, call);
}

/** What the policy makes of a refusal by the shared store: the same `onLimit` as a refusal in process. */
function sharedDenial(
  scope: GuardScope,
  scopes: ScopeSet,
  endpoint: EndpointAdapter,
  request: CallRequest,
  error: BudgetExceededError,
  params: RequestParams,
  attempt: number,
): SharedDenialDecision {
  if (scope.policy.overspend) {
    emitBudgetExceeded(scopes, request, error, 'warn');
    return 'send';
  }
  if (attempt > 1) {
    emitBudgetExceeded(scopes, request, error, 'throw');
    return 'fail';
  }
  return localAnswerFor(scope, scopes, endpoint, request, error, params) ?? 'fail';
}

function warnOverBudget(scopes: ScopeSet, request: CallRequest, plan: AdmittedCall): void {
  emitBudgetExceeded(scopes, request, plan.overBudget as BudgetExceededError, 'warn');
}
