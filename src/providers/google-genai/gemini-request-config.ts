import type { RequestParams } from '../provider-adapter.js';
import { asObject } from '../read-json.js';

/** The request with `config` replaced by a copy carrying `changes`; `params` and its config stay untouched. */
export function withGeminiConfig(params: RequestParams, changes: Record<string, unknown>): RequestParams {
  return { ...params, config: { ...asObject(params.config), ...changes } };
}

/** Gemini puts the model in the URL path: the SDK builds it from `model`, so a fallback is what is called. */
export function withGeminiModel(params: RequestParams, model: string | undefined): RequestParams {
  return model === undefined ? params : { ...params, model };
}

/** The caller's own abort signal (`config.abortSignal`), which the guard's must follow. */
export function geminiAbortSignalOf(params: RequestParams): AbortSignal | undefined {
  const signal = asObject(params.config)?.abortSignal;
  return signal instanceof AbortSignal ? signal : undefined;
}

/**
 * The request carrying the guard's abort signal in its `config`, when it has one. A request without a
 * `config` is returned as it is: the SDK sends `generationConfig: {}` for any config (even one holding
 * only a signal), and the request must reach the wire as the caller wrote it. Such a call is stopped
 * by the guard on the caller's side instead (see invoke-method-guarded.ts).
 */
export function withGeminiAbortSignal(params: RequestParams, signal: AbortSignal): RequestParams {
  return params.config === undefined || params.config === null
    ? params
    : withGeminiConfig(params, { abortSignal: signal });
}
