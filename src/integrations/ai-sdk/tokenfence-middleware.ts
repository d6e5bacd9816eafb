import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import type { RequestParams } from '../../providers/provider-adapter.js';
import { asObject, positiveInteger } from '../../providers/read-json.js';
import { usageOrNull } from '../../proxy/contained-trackers.js';
import type { GuardedCall, ManualAttempt } from '../../proxy/guarded-call.js';
import { admitCall, type GuardScope } from '../../proxy/invoke-guarded.js';
import { BUDGET_NODE, POLICY } from '../../resolve-options.js';
import { TokenFence } from '../../token-fence.js';
import type { TokenFenceOptions } from '../../types.js';
import { aiSdkFailure } from './ai-sdk-failure.js';
import { aiSdkPricedModel } from './ai-sdk-priced-model.js';
import { describeServerTools } from './ai-sdk-server-tools.js';
import { combineSignals } from './combine-signals.js';
import { createAiSdkEndpoint } from './create-ai-sdk-endpoint.js';
import { describeAiSdkCall } from './describe-ai-sdk-call.js';
import type {
  AiSdkCallOptions,
  AiSdkGenerateResult,
  AiSdkStreamResult,
  LanguageModelLike,
  WrapCallOptions,
} from './language-model-like.js';
import { observeAiSdkStream } from './observe-ai-sdk-stream.js';
import { syntheticGenerateResult, syntheticStreamResult } from './synthetic-results.js';
import { type AiSdkSettleContext, providerFamily, usageOfAiSdkResult } from './usage-of-ai-sdk-result.js';

/**
 * The options of `guard()`, except `fallback`: a middleware cannot switch an arbitrary provider's
 * model by id, so fallbacks are models — `fallback: openai('gpt-4o-mini')` or a list of them.
 */
export type TokenfenceMiddlewareOptions = Omit<TokenFenceOptions, 'fallback'> & {
  /**
   * Cheaper models, in order, called instead of the wrapped one from `threshold` on and when its worst
   * case does not fit. Each is called directly (middlewares inside this one are skipped for it), and only
   * when it has the wrapped model's specification version and is priced at the same provider.
   */
  fallback?: LanguageModelLike | readonly LanguageModelLike[];
};

/** The option that picks the specification the middleware declares (a type parameter of its own). */
export interface MiddlewareSpecificationOption<V extends MiddlewareSpecificationVersion> {
  /**
   * `'v3'` for `ai@6` (and `ai@5`, which reads no version), `'v4'` for `ai@7`, whose types ask for it. The
   * middleware behaves the same under either: no AI SDK checks a middleware's version at runtime, and the
   * V2, V3 and V4 models it wraps are read alike, so this only makes the types of your `ai` fit. @default 'v3'
   */
  specificationVersion?: V;
}

/** The middleware specifications the middleware can declare (`ai@6`: v3, `ai@7`: v4). */
export type MiddlewareSpecificationVersion = 'v3' | 'v4';

const SPECIFICATION_VERSIONS: readonly unknown[] = ['v3', 'v4'];

/**
 * A language model middleware for `wrapLanguageModel` of `ai@7` (V4), `ai@6` (V3) and `ai@5` (V2): every
 * `doGenerate` / `doStream` call — each step of a multi-step tool loop, each AI SDK retry — is planned,
 * reserved against every enclosing budget, settled on the usage the model returns and recorded.
 */
export interface TokenfenceMiddleware<V extends MiddlewareSpecificationVersion = 'v3'> {
  readonly specificationVersion: V;
  /** The budget scope of the calls through this middleware. */
  readonly tokenfence: TokenFence;
  wrapGenerate<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>(
    options: WrapCallOptions<P, R, S>,
  ): Promise<R>;
  wrapStream<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>(
    options: WrapCallOptions<P, R, S>,
  ): Promise<S>;
}

type Begun<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult> =
  | { admitted: false; error: Error; stopText: string | undefined }
  | {
      admitted: true;
      call: GuardedCall;
      attempt: ManualAttempt;
      target: LanguageModelLike<P, R, S>;
      params: P;
      usageContext: AiSdkSettleContext;
      /** The text of the local answer, once the shared store refused the call with `onLimit: 'stop'`. */
      stopText: () => string | undefined;
    };

const NO_PARTS: readonly unknown[] = Object.freeze([]);
/** True when the request has billed provider tools whose answer parts count fees. */
const countsToolParts = (context: AiSdkSettleContext) => context.serverTools.byName.size > 0;

function isLanguageModel(value: unknown): value is LanguageModelLike {
  const model = asObject(value);
  return (
    typeof model?.modelId === 'string' &&
    typeof model.provider === 'string' &&
    typeof model.doGenerate === 'function' &&
    typeof model.doStream === 'function'
  );
}

function resolveFallbacks(fallback: unknown): readonly LanguageModelLike[] {
  if (fallback === undefined) return [];
  const list: readonly unknown[] = Array.isArray(fallback) ? fallback : [fallback];
  if (!list.every(isLanguageModel)) {
    throw new InvalidOptionsError(
      'fallback',
      "expected a language model such as openai('gpt-4o-mini') or a list of them (a middleware cannot switch a provider's model by id)",
    );
  }
  return Object.freeze([...list]);
}

const pricedOf = (model: LanguageModelLike, provider: string | undefined) =>
  provider ? { provider, model: model.modelId } : aiSdkPricedModel(model.provider, model.modelId);

/** The request as the ledger stores it (`storeContent`): what the model reads, without signals or headers. */
function requestView(params: AiSdkCallOptions): RequestParams {
  return {
    prompt: params.prompt,
    ...(params.tools !== undefined && { tools: params.tools }),
    ...(params.responseFormat !== undefined && { responseFormat: params.responseFormat }),
    ...(params.maxOutputTokens !== undefined && { maxOutputTokens: params.maxOutputTokens }),
  };
}

function contentText(content: unknown): string | null {
  try {
    return JSON.stringify(content) ?? null;
  } catch {
    return null;
  }
}

/**
 * A Vercel AI SDK middleware that guards every call of the model it wraps, with the options of
 * `guard()`:
 *
 * ```ts
 * const fenced = tokenfenceMiddleware({ budget: 5, label: 'researcher' });
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: fenced });
 * await generateText({ model, prompt });
 * fenced.tokenfence.spent;
 * ```
 *
 * With `ai@7`, declare the V4 specification its types ask for: `tokenfenceMiddleware({ budget: 5,
 * specificationVersion: 'v4' })`.
 *
 * A call that does not fit: `onLimit: 'throw'` rejects with BudgetExceededError before any request;
 * `'stop'` (the default) answers locally — the model's result, or stream, with a text saying so and
 * `providerMetadata.tokenfence.stopped` — except JSON requests (`generateObject`), which are rejected
 * with the error since a refusal text cannot match their schema; `'warn'` sends it anyway.
 */
export function tokenfenceMiddleware<V extends MiddlewareSpecificationVersion = 'v3'>(
  options?: TokenfenceMiddlewareOptions & MiddlewareSpecificationOption<V>,
): TokenfenceMiddleware<V> {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidOptionsError('options', 'expected an options object');
  }
  const { fallback, specificationVersion = 'v3', ...fenceOptions } = options ?? {};
  if (!SPECIFICATION_VERSIONS.includes(specificationVersion)) {
    throw new InvalidOptionsError('specificationVersion', `expected 'v3' (ai@6) or 'v4' (ai@7)`);
  }
  const fallbacks = resolveFallbacks(fallback);
  const fence = new TokenFence(fenceOptions);
  const node = fence[BUDGET_NODE];
  const policy = fence[POLICY];
  const now = () => node.now();

  function begin<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>(
    model: LanguageModelLike<P, R, S>,
    params: P,
    stream: boolean,
  ): Begun<P, R, S> {
    const priced = pricedOf(model, policy.provider);
    const serverTools = describeServerTools(
      Array.isArray(params.tools) ? params.tools : [],
      params.providerOptions,
      priced.model,
    );
    const request = describeAiSdkCall(params, priced, serverTools);
    const json = asObject(params.responseFormat)?.type === 'json';
    const { endpoint, stopText } = createAiSdkEndpoint(request, stream, json, params.providerOptions);
    // A model of the same specification version takes the same call options and answers in the same shapes.
    const usable = fallbacks.filter(
      (candidate) =>
        candidate.specificationVersion === model.specificationVersion &&
        pricedOf(candidate, policy.provider).provider === priced.provider,
    ) as readonly unknown[] as readonly LanguageModelLike<P, R, S>[];
    const scope: GuardScope = {
      provider: priced.provider,
      node,
      policy: { ...policy, fallbacks: usable.map((candidate) => pricedOf(candidate, policy.provider).model) },
      now,
      client: middleware,
    };
    const admission = admitCall(scope, endpoint, request, requestView(params));
    if (!admission.admitted) {
      return { admitted: false, error: admission.error, stopText: admission.answer ? stopText() : undefined };
    }
    const { call } = admission;
    const chosen = admission.params.model;
    const target =
      typeof chosen === 'string' && chosen !== request.model
        ? (usable.find((candidate) => pricedOf(candidate, policy.provider).model === chosen) ?? model)
        : model;
    const cap = positiveInteger(admission.params.maxOutputTokens);
    let attempt: ManualAttempt;
    try {
      attempt = call.startAttempt();
    } catch (error) {
      call.releasePending();
      throw error;
    }
    // Tool caps come back as changed `tools` / `providerOptions` (create-ai-sdk-endpoint.ts).
    const { tools, providerOptions } = admission.params;
    const sent = {
      ...params,
      abortSignal: combineSignals(attempt.abortSignal, params.abortSignal),
      ...(cap !== undefined && { maxOutputTokens: cap }),
      ...(tools !== undefined && tools !== params.tools && { tools }),
      ...(providerOptions !== undefined && { providerOptions }),
    };
    const family = providerFamily(target.provider);
    const usageContext: AiSdkSettleContext = {
      cacheWrite: request.cacheWrite,
      inputExcludesCache: family === 'anthropic',
      family,
      model: pricedOf(target, policy.provider).model,
      serverTools,
      requestedTiers: request.tiers,
    };
    return { admitted: true, call, attempt, target, params: sent, usageContext, stopText };
  }

  /** Sends an admitted call to the chosen model; a failure ends the attempt and surfaces as a mapped error. */
  async function send<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult, T>(
    begun: Extract<Begun<P, R, S>, { admitted: true }>,
    request: (target: LanguageModelLike<P, R, S>, params: P) => PromiseLike<T>,
  ): Promise<T> {
    const abortedBeforeSend = begun.params.abortSignal?.aborted === true;
    try {
      return await request(begun.target, begun.params);
    } catch (error) {
      begun.attempt.fail(aiSdkFailure(error, abortedBeforeSend));
      throw begun.call.mapError(error);
    }
  }

  async function wrapGenerate<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>({
    model,
    params,
  }: WrapCallOptions<P, R, S>): Promise<R> {
    const begun = begin(model, params, false);
    if (!begun.admitted) {
      if (begun.stopText === undefined) throw begun.error;
      return syntheticGenerateResult(model.specificationVersion, begun.stopText) as R;
    }
    const { attempt, usageContext } = begun;
    // The shared store (Redis) may still refuse it: `onLimit: 'stop'` then answers locally here too.
    if (await attempt.ready) return syntheticGenerateResult(model.specificationVersion, begun.stopText() ?? '') as R;
    const result = await send(begun, (target, sent) => target.doGenerate(sent));
    const report = {
      usage: result.usage,
      providerMetadata: result.providerMetadata,
      parts: countsToolParts(usageContext) ? result.content : NO_PARTS,
      responseBody: asObject(result.response)?.body,
    };
    attempt.succeed(
      usageOrNull(() => usageOfAiSdkResult(report, usageContext)),
      { completion: policy.storeContent ? contentText(result.content) : null },
    );
    return result;
  }

  async function wrapStream<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult>({
    model,
    params,
  }: WrapCallOptions<P, R, S>): Promise<S> {
    const begun = begin(model, params, true);
    if (!begun.admitted) {
      if (begun.stopText === undefined) throw begun.error;
      return syntheticStreamResult(model.specificationVersion, begun.stopText) as S;
    }
    const { call, attempt, usageContext } = begun;
    if (await attempt.ready) return syntheticStreamResult(model.specificationVersion, begun.stopText() ?? '') as S;
    const result = await send(begun, (target, sent) => target.doStream(sent));
    const stream = observeAiSdkStream(result.stream, {
      collectText: policy.storeContent,
      collectToolParts: countsToolParts(usageContext),
      mapError: (error) => call.mapError(error),
      onEnd: (sightings, end) => {
        const { finish } = sightings;
        const usage = finish
          ? usageOrNull(() =>
              usageOfAiSdkResult({ ...finish, parts: sightings.toolParts, responseBody: undefined }, usageContext),
            )
          : null;
        const completion = policy.storeContent ? sightings.text : null;
        if (end === 'finished') attempt.succeed(usage, { completion });
        else if (end === 'ended') attempt.succeed(usage, { complete: false, completion });
        else attempt.fail({ usage });
      },
    });
    return { ...result, stream };
  }

  const middleware: TokenfenceMiddleware<V> = Object.freeze({
    specificationVersion: specificationVersion as V,
    tokenfence: fence,
    wrapGenerate,
    wrapStream,
  });
  return middleware;
}
