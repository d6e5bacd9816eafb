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
