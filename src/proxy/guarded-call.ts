import type { Abortable } from '../budget/budget-node.js';
import { type AdmittedCall, budgetExceededAt, type CallRequest } from '../budget/plan-call.js';
import type { Reservation } from '../budget/reservation.js';
import type { ScopeSet } from '../budget/scope-set.js';
import type { SharedHold, SharedPlan } from '../budget/shared-admission.js';
import { nanosToUsd } from '../core/money.js';
import { EMPTY_USAGE, type NormalizedUsage } from '../core/usage.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import type { KillSwitchError } from '../errors/kill-switch-error.js';
import { RetryLimitError } from '../errors/retry-limit-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import type { TokenFenceError } from '../errors/token-fence-error.js';
import type { CallOutcome, CostSource } from '../events/events.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import { feeNanos, hasUnpricedFees, priceUsage } from '../pricing/price-usage.js';
import type { EndpointAdapter } from '../providers/provider-adapter.js';
import { asObject } from '../providers/read-json.js';
import { CallAbortSignal } from './call-abort-signal.js';
import { containStreamTracker, usageOrNull } from './contained-trackers.js';
import { LocalAnswer } from './local-answer.js';
import { observeJsonResponse, observeSseResponse, type ResponseObserver } from './observe-response.js';
import type { BodyEnd } from './observe-sse-body.js';
import { isPlausibleUsage } from './plausible-usage.js';
import { callRecord } from './record-call.js';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Carried in the SDK's per-request `fetchOptions`, so the guarded fetch knows which call an HTTP attempt belongs to. */
export const CALL_MARKER = Symbol.for('tokenfence.call');

/** What the guarded fetch does with a marked request. */
export interface MarkedRequest {
  send(fetch: Fetch, input: string | URL | Request, init: RequestInit): Promise<Response>;
}

/** Network errors raised before the request left this machine: nothing can have been billed. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function neverSent(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' && NOT_SENT.has(cause.code);
}

export type SharedDenialDecision = 'send' | 'fail' | LocalAnswer;

const NOTHING_TO_WAIT_FOR: Promise<undefined> = Promise.resolve(undefined);

/** An attempt reported by its integration instead of observed on the wire. */
export interface ManualAttempt {
  /**
   * Settles when the attempt may be sent: at once, or once a shared store (Redis) has held its worst
   * case. Resolves with the local answer `onLimit: 'stop'` gives when the store refused it for budget, and
   * rejects when it refused otherwise — either way the attempt already ended and nothing was sent.
   */
  readonly ready: Promise<LocalAnswer | undefined>;
  /** Aborted (with the KillSwitchError) when the scope is killed: pass it to the SDK. */
  readonly abortSignal: AbortSignal;
  /** The provider answered. `complete: false` (cut or aborted stream) charges at least the hold. */
  succeed(usage: NormalizedUsage | null, options?: { complete?: boolean; completion?: string | null }): void;
  /**
   * The attempt failed. `sent: false` or an HTTP status ≥ 400 (the provider refused it) charges
   * nothing; otherwise (timeout, cut connection, abort) the outcome is unknown and the hold is charged.
   */
  fail(options?: { sent?: boolean; status?: number | undefined; usage?: NormalizedUsage | null }): void;
}

interface AttemptState {
  number: number;
  reservation: Reservation;
  /** The attempt's hold on the shared store, once made. */
  shared: SharedHold | undefined;
  startedAt: number;
  status: number | undefined;
}

/**
 * One guarded SDK call and its HTTP attempts (SDK retries included). Each attempt holds its own
 * reservation and settles it exactly once: on the provider's usage when it arrives, on the hold
 * (flagged `estimated`) when the outcome is unknown, on nothing when the provider refused the request.
 */
export class GuardedCall implements MarkedRequest, Abortable {
  /** Given to the SDK as the request's `signal`: a kill or a refused retry aborts the request through it. */
  readonly signal = new CallAbortSignal();
  readonly #scope: ScopeSet;
  readonly #endpoint: EndpointAdapter;
  readonly #request: CallRequest;
  readonly #plan: AdmittedCall;
  readonly #stream: boolean;
  readonly #stripUsage: boolean;
  readonly #now: () => number;
  readonly #ledger: LedgerWriter;
  readonly #prompt: string | null;
  readonly #onOutcome: ((failed: boolean) => void) | undefined;
  readonly #onSharedDenial: ((error: BudgetExceededError, attempt: number) => SharedDenialDecision) | undefined;
  #pending: Reservation | undefined;
  #attempts = 0;
  #observer: ResponseObserver | undefined;
  #failure: TokenFenceError | undefined;

  constructor(options: {
    scope: ScopeSet;
    endpoint: EndpointAdapter;
    request: CallRequest;
    plan: AdmittedCall;
    stream: boolean;
    stripUsage: boolean;
    now: () => number;
    ledger: LedgerWriter;
    /** The request as JSON when content is stored (`storeContent`), else null. */
    prompt: string | null;
    /** Told whether each attempt failed (retry and loop caps count failed requests). */
    onOutcome?: ((failed: boolean) => void) | undefined;
    /**
     * The shared store refused an attempt for budget: `'send'` anyway (`onLimit: 'warn'`), answer it
     * locally (`'stop'`, first attempts only) or `'fail'`.
     */
    onSharedDenial?: ((error: BudgetExceededError, attempt: number) => SharedDenialDecision) | undefined;
  }) {
    this.#onSharedDenial = options.onSharedDenial;
    this.#onOutcome = options.onOutcome;
    this.#ledger = options.ledger;
    this.#prompt = options.prompt;
    this.#scope = options.scope;
    this.#endpoint = options.endpoint;
    this.#request = options.request;
    this.#plan = options.plan;
    this.#stream = options.stream;
    this.#stripUsage = options.stripUsage;
    this.#now = options.now;
    this.#pending = options.plan.reservation;
  }

  /** The error to give the caller instead of the SDK's abort error, when the guard stopped the call. */
  mapError(error: unknown): unknown {
    return this.#failure ?? error;
  }

  /** Gives back the first attempt's hold when the SDK failed before sending anything. */
  releasePending(): void {
    this.#pending?.release();
    this.#pending = undefined;
  }

  abort(reason: KillSwitchError): void {
    this.#failure ??= reason;
    this.#observer?.fail(reason);
    this.signal.abort(reason);
  }

  #stop(error: TokenFenceError): never {
    this.#failure ??= error;
    this.signal.abort(error);
    throw error;
  }

  #reserveAttempt(): Reservation {
    const pending = this.#pending;
    this.#pending = undefined;
    const killed = this.#scope.kill;
    if (killed) {
      pending?.release();
      this.#stop(killed);
    }
    if (pending) return pending;
    for (const node of this.#scope.nodes) {
      if (node.loopGuard && !node.loopGuard.checkSdkRetry()) {
        this.#scope.emit({
          type: 'loop-detected',
          reason: 'retry',
          limitedBy: node.label,
          model: this.#plan.model,
          repeats: node.loopGuard.retries,
        });
        this.#stop(new RetryLimitError(node.label, node.loopGuard.limits.maxRetries ?? 0));
      }
    }
    const amount = this.#plan.reservation.heldNanos;
    const admission = this.#scope.admit(amount, this.#plan.overBudget !== undefined);
    if (admission.admitted) return admission.reservation;
    if (admission.killed) this.#stop(admission.killed);
    return this.#stop(budgetExceededAt(admission.deniedBy, amount, this.#plan.model));
  }

  #beginAttempt(): AttemptState {
    this.#attempts += 1;
    const attempt: AttemptState = {
      number: this.#attempts,
      reservation: this.#reserveAttempt(),
      shared: undefined,
      startedAt: this.#now(),
      status: undefined,
    };
    for (const node of this.#scope.nodes) node.inFlight.add(this);
    return attempt;
  }

  /**
   * One attempt for integrations that see results rather than HTTP (an SDK without a fetch seam, the AI
   * SDK middleware). Throws — before anything is sent — when the attempt may not start (kill, budget,
   * retry cap). The caller reports how it ended; the first report wins.
   */
  startAttempt(): ManualAttempt {
    const attempt = this.#beginAttempt();
    const abortSignal = this.signal.toAbortSignal();
    // As in send(): only an attempt with shared scopes goes through the store step.
    const ready = this.#scope.shared
      ? this.#holdShared(attempt).then((refusal) => {
          if (!refusal) return undefined;
          return refusal.answer ?? this.#stop(refusal.error);
        })
      : NOTHING_TO_WAIT_FOR;
    ready.catch(() => {});
    return {
      ready,
      abortSignal,
      succeed: (usage, options = {}) => {
        const complete = options.complete ?? true;
        const outcome: CallOutcome = complete ? 'ok' : this.#abortOutcome();
        this.#finish(attempt, usage, outcome, complete && usage ? 'usage' : 'hold', options.completion ?? null);
      },
      fail: (options = {}) => {
        attempt.status = options.status;
        const refused = options.sent === false || (options.status !== undefined && options.status >= 400);
        if (refused) this.#finish(attempt, options.usage ?? null, 'error', 'released');
        else this.#finish(attempt, options.usage ?? null, this.#abortOutcome(), 'hold');
      },
    };
  }

  async send(fetch: Fetch, input: string | URL | Request, init: RequestInit): Promise<Response> {
    const attempt = this.#beginAttempt();
    // Only a call with shared scopes waits for the store: the in-process path stays synchronous.
    const refusal = this.#scope.shared ? await this.#holdShared(attempt) : undefined;
    if (refusal?.answer) return refusal.answer.send(fetch);
    if (refusal) this.#stop(refusal.error);
    let response: Response;
    try {
      // An SDK that hands its options' signal straight to fetch would give it ours, which fetch rejects.
      const given: unknown = init.signal;
      const sendInit = given instanceof CallAbortSignal ? { ...init, signal: given.toAbortSignal() } : init;
      response = await fetch(input, sendInit);
    } catch (error) {
      if (neverSent(error)) this.#finish(attempt, null, 'error', 'released');
      else this.#finish(attempt, null, this.#abortOutcome(), 'hold');
      throw error;
    }
    attempt.status = response.status;
    if (!response.ok) {
      this.#finish(attempt, null, 'error', 'released');
      return response;
    }
    this.#observer = this.#observe(response, attempt);
    return response;
  }

  /**
   * Watches a successful response until its body is read. A stream request is watched at the byte level
   * whatever its content type says: the SDKs' stream readers read `body` directly, so an HTML page, a
   * JSON error sent with HTTP 200 or plain text reaches them (and must reach the tracker) the same way
   * as SSE. A body that cannot be read at all — none (204), or declared empty, which the SDKs skip
   * unread — settles at once: a 2xx the provider may have billed, with no usage to say what.
   */
  #observe(response: Response, attempt: AttemptState): ResponseObserver | undefined {
    if (response.body === null || response.headers.get('content-length') === '0') {
      this.#finish(attempt, null, 'error', 'hold');
      return undefined;
    }
    return this.#stream ? this.#observeStream(response, attempt) : this.#observeJson(response, attempt);
  }

  /**
   * Holds the attempt's worst case on the shared store (when a scope is shared) before anything is sent.
   * A refusal, a kill meanwhile or an unreachable store ends the attempt unsent and is returned, with
   * the local answer `onLimit: 'stop'` gives a first attempt refused for budget; `onLimit: 'warn'` holds
   * it anyway.
   */
  async #holdShared(attempt: AttemptState): Promise<{ error: TokenFenceError; answer?: LocalAnswer } | undefined> {
    const plan = this.#scope.shared;
    if (!plan) return undefined;
    let force = this.#plan.overBudget !== undefined;
    for (;;) {
      try {
        attempt.shared = await plan.reserve(attempt.reservation, this.#plan.model, force);
        if (attempt.shared.degraded) this.#reportStoreFailure(plan, attempt, 'degraded');
        break;
      } catch (caught) {
        const error = caught as TokenFenceError;
        if (StoreUnavailableError.isInstance(error)) this.#reportStoreFailure(plan, attempt, 'refused');
        const decision = BudgetExceededError.isInstance(error) ? this.#onSharedDenial?.(error, attempt.number) : 'fail';
        if (decision === 'send' && !force) {
          force = true;
          continue;
        }
        this.#endUnsent(attempt, error);
        return decision instanceof LocalAnswer ? { error, answer: decision } : { error };
      }
    }
    if (!this.#failure) return undefined;
    attempt.shared?.end(null);
    this.#endUnsent(attempt, this.#failure);
    return { error: this.#failure };
  }

  #reportStoreFailure(plan: SharedPlan, attempt: AttemptState, action: 'refused' | 'degraded'): void {
    if (!this.#scope.hasListeners) return;
    const left = plan.degradedLeftNanos;
    this.#scope.emit({
      type: 'store-unavailable',
      store: plan.store.name,
      action,
      requestedUsd: nanosToUsd(attempt.reservation.heldNanos),
      allowanceLeftUsd: left === null ? null : nanosToUsd(left),
    });
  }

  /** Ends an attempt that was never sent: the local hold is given back, the ledger records the refusal. */
  #endUnsent(attempt: AttemptState, error: TokenFenceError): void {
    for (const node of this.#scope.nodes) node.inFlight.delete(this);
    attempt.reservation.release();
    this.#ledger.call(
      callRecord(this.#scope, this.#request, {
        startedAt: attempt.startedAt,
        modelUsed: this.#plan.model,
        usage: null,
        costNanos: 0,
        feeNanos: 0,
        reservedNanos: 0,
        costSource: 'provider',
        attempt: attempt.number,
        outcome: error.code === 'KILL_SWITCH' ? 'killed' : 'blocked',
        status: undefined,
        durationMs: 0,
        stream: this.#stream,
        prompt: this.#prompt,
        completion: null,
      }),
    );
  }

  #observeJson(response: Response, attempt: AttemptState): ResponseObserver {
    return observeJsonResponse(response, (json) => {
      this.#observer = undefined;
      const usage =
        json === undefined ? null : usageOrNull(() => this.#endpoint.usageFromJson(json, this.#request.cacheWrite));
      const outcome: CallOutcome = json === undefined ? this.#abortOutcome() : 'ok';
      this.#finish(
        attempt,
        usage,
        outcome,
        usage ? 'usage' : 'hold',
        this.#prompt === null ? null : completionOf(json),
      );
    });
  }

  #observeStream(response: Response, attempt: AttemptState): ResponseObserver {
    const tracker = containStreamTracker(
      this.#endpoint.createStreamTracker({ stripUsageChunk: this.#stripUsage, cacheWrite: this.#request.cacheWrite }),
    );
    return observeSseResponse(response, tracker, (how: BodyEnd) => {
      this.#observer = undefined;
      const { usage, complete, failed } = tracker.result();
      const outcome: CallOutcome = complete ? 'ok' : failed || how === 'finished' ? 'error' : this.#abortOutcome();
      this.#finish(attempt, usage, outcome, complete && usage ? 'usage' : 'hold');
    });
  }

  #abortOutcome(): CallOutcome {
    return this.#failure?.code === 'KILL_SWITCH' ? 'killed' : 'aborted';
  }

  /**
   * Ends an attempt's reservation. `usage`: priced exactly from the provider's usage. `hold`: the outcome
   * is unknown, so the worst case is charged (never less than usage already seen). `released`: nothing
   * was billed.
   */
  #finish(
    attempt: AttemptState,
    reported: NormalizedUsage | null,
    outcome: CallOutcome,
    basis: 'usage' | 'hold' | 'released',
    completion: string | null = null,
  ): void {
    for (const node of this.#scope.nodes) node.inFlight.delete(this);
    const { reservation } = attempt;
    if (reservation.state !== 'held') return;
    this.#onOutcome?.(outcome !== 'ok');
    const rates = this.#plan.rates;
    let cost = 0;
    let fees = 0;
    let source: CostSource = 'provider';
    // Counts no provider reports (NaN, negative, 1e300) are no usage at all: never priced, never recorded.
    const usage = reported && isPlausibleUsage(reported) ? reported : null;
    // Usage naming a fee the price data cannot price is an unknown cost: charged as the hold, never $0.
    const settleOn = basis === 'usage' && (!usage || hasUnpricedFees(usage, rates)) ? 'hold' : basis;
    if (settleOn === 'released') reservation.release();
    else if (this.#plan.unpriced) {
      // No price: the call counts (calls, kill switch) but its cost is unknown, never a known $0.
      source = 'unknown';
      reservation.settle(0);
      for (const node of this.#scope.nodes) node.unpricedCalls += 1;
    } else {
      const observed = usage ? priceUsage(usage, rates) : 0;
      fees = usage ? feeNanos(usage, rates) : 0;
      cost = settleOn === 'usage' ? observed : Math.max(observed, reservation.heldNanos);
      if (settleOn === 'hold') source = 'estimated';
      reservation.settle(cost);
    }
    attempt.shared?.end(basis === 'released' ? null : cost);
    const durationMs = this.#now() - attempt.startedAt;
    this.#ledger.call(
      callRecord(this.#scope, this.#request, {
        startedAt: attempt.startedAt,
        modelUsed: this.#plan.model,
        usage,
        costNanos: cost,
        feeNanos: fees,
        reservedNanos: reservation.heldNanos,
        costSource: source !== 'provider' ? source : rates.origin === 'override' ? 'override' : 'provider',
        attempt: attempt.number,
        outcome,
        status: attempt.status,
        durationMs,
        stream: this.#stream,
        prompt: this.#prompt,
        completion,
      }),
    );
    if (!this.#scope.hasListeners) return;
    this.#scope.emit({
      type: 'call-settled',
      provider: this.#request.provider,
      model: this.#request.model,
      modelUsed: this.#plan.model,
      attempt: attempt.number,
      outcome,
      costUsd: nanosToUsd(cost),
      costNanos: cost,
      reservedUsd: nanosToUsd(reservation.heldNanos),
      source,
      usage: usage ?? EMPTY_USAGE,
      priceOrigin: rates.origin,
      status: attempt.status,
      durationMs,
      stream: this.#stream,
      ...(this.#scope.tags && { tags: this.#scope.tags }),
    });
  }
}

/** What the model answered, for `storeContent`: the provider's choices / content / output, as JSON. */
function completionOf(json: unknown): string | null {
  const body = asObject(json);
  const answer = body?.choices ?? body?.content ?? body?.output;
  return answer === undefined ? null : JSON.stringify(answer);
}
