import type { BudgetNode } from '../budget/budget-node.js';
import { type AdmittedCall, type CallRequest, planCall } from '../budget/plan-call.js';
import { nanosToUsd } from '../core/money.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import type { EndpointAdapter, RequestParams } from '../providers/provider-adapter.js';
import { asObject } from '../providers/read-json.js';
import type { ResolvedPolicy } from '../resolve-options.js';
import { DeniedApiPromise } from './denied-api-promise.js';
import { CALL_MARKER, GuardedCall, type MarkedRequest } from './guarded-call.js';
import { LocalAnswer } from './local-answer.js';

export interface GuardScope {
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
  signal: AbortSignal | undefined,
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
  if (signal) next.signal = given.signal ? AbortSignal.any([given.signal, signal]) : signal;
  return next;
}

/**
 * Rebuilds the SDK's APIPromise around a response promise whose failures the guard may replace (a
 * kill or a refused retry surfaces as our error, not as the SDK's "Request was aborted"). Same class,
 * same client, same parser: `.withResponse()`, `.asResponse()` and `_thenUnwrap` keep working.
 */
function withGuardErrors(result: unknown, call: GuardedCall, client: object): unknown {
  const apiPromise = result as { responsePromise?: unknown; parseResponse?: unknown; on?: unknown } | null;
  if (apiPromise && apiPromise.responsePromise instanceof Promise && typeof apiPromise.parseResponse === 'function') {
    const responsePromise = apiPromise.responsePromise.catch((error: unknown) => {
      call.releasePending();
      throw call.mapError(error);
    });
    const ApiPromise = (result as object).constructor as new (
      client: object,
      response: Promise<unknown>,
      parse: unknown,
    ) => unknown;
    return new ApiPromise(client, responsePromise, apiPromise.parseResponse);
  }
  if (apiPromise && typeof apiPromise.on === 'function') {
    // Stream helpers (MessageStream, ChatCompletionStream): `end` follows success, error and abort alike.
    (apiPromise.on as (event: string, listener: () => void) => void).call(result, 'end', () => call.releasePending());
  }
  return result;
}

function refuse(
  scope: GuardScope,
  endpoint: EndpointAdapter,
  request: CallRequest,
  error: Error,
  params: RequestParams,
  original: Method,
  target: unknown,
  options: RequestOptions | undefined,
): unknown {
  let answer: LocalAnswer | undefined;
  if (BudgetExceededError.isInstance(error)) {
    const onLimit = scope.policy.onLimit;
    const body =
      onLimit === 'stop' ? endpoint.syntheticBody(request.model, stopMessage(error), endpoint.isStream(params)) : null;
    scope.node.emit({
      type: 'budget-exceeded',
      deniedBy: error.label,
      model: request.model,
      requestedUsd: error.requested,
      budgetUsd: error.budget,
      spentUsd: error.spent,
      reservedUsd: error.reserved,
      action: body === null ? 'throw' : 'stop',
    });
    if (body !== null) answer = LocalAnswer.body(body, endpoint.isStream(params));
  }
  if (!answer && !endpoint.alwaysStreams) return new DeniedApiPromise(error);
  return original.call(target, params, withMarker(scope, options, answer ?? LocalAnswer.failure(error), undefined, 0));
}

function stopMessage(error: BudgetExceededError): string {
  return (
    `[TokenFence] Budget exceeded for "${error.label}": this call needs up to $${error.requested.toFixed(6)}, ` +
    `$${Math.max(0, error.budget - error.spent - error.reserved).toFixed(6)} of $${error.budget.toFixed(4)} is left. No request was sent.`
  );
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
  const request = given ? endpoint.describe(given) : null;
  if (!given || !request) return original.call(target, params, options);
  const requestOptions = asObject(options) as RequestOptions | undefined;
  let plan: ReturnType<typeof planCall>;
  try {
    plan = planCall(scope.node, request, scope.policy, new Date(scope.now()));
  } catch (error) {
    return endpoint.alwaysStreams
      ? original.call(
          target,
          params,
          withMarker(scope, requestOptions, LocalAnswer.failure(error as Error), undefined, 0),
        )
      : new DeniedApiPromise(error);
  }
  if (!plan.admitted) return refuse(scope, endpoint, request, plan.error, given, original, target, requestOptions);
  if (plan.overBudget) warnOverBudget(scope, request, plan);

  const stream = endpoint.isStream(given);
  const injectUsage = stream && endpoint.needsUsageReporting(given);
  const sent = endpoint.rewrite(given, {
    ...(plan.model !== request.model && { model: plan.model }),
    ...(plan.outputCap !== undefined && { outputCap: plan.outputCap }),
    ...(injectUsage && { includeUsage: true }),
  });
  const call = new GuardedCall({
    node: scope.node,
    endpoint,
    request,
    plan,
    stream,
    stripUsage: injectUsage,
    now: scope.now,
  });
  let result: unknown;
  try {
    result = original.call(
      target,
      sent,
      withMarker(scope, requestOptions, call, call.controller.signal, scope.policy.maxRetries),
    );
  } catch (error) {
    call.releasePending();
    throw error;
  }
  return withGuardErrors(result, call, scope.client);
}

function warnOverBudget(scope: GuardScope, request: CallRequest, plan: AdmittedCall): void {
  const error = plan.overBudget as BudgetExceededError;
  scope.node.emit({
    type: 'budget-exceeded',
    deniedBy: error.label,
    model: request.model,
    requestedUsd: nanosToUsd(plan.reservation.heldNanos),
    budgetUsd: error.budget,
    spentUsd: error.spent,
    reservedUsd: error.reserved,
    action: 'warn',
  });
}
