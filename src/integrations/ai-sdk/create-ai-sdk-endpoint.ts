import type { CallRequest } from '../../budget/plan-call.js';
import type { EndpointAdapter, RequestParams } from '../../providers/provider-adapter.js';
import { capAiSdkServerTools } from './cap-ai-sdk-server-tools.js';

/** The endpoint of one AI SDK call, and the refusal text `onLimit: 'stop'` asked for, once it has. */
export interface AiSdkEndpoint {
  endpoint: EndpointAdapter;
  stopText(): string | undefined;
}

/**
 * An endpoint for one `doGenerate` / `doStream` call. The middleware sees results, not HTTP: usage comes
 * from the model's result, so the wire hooks read nothing. `rewrite` hands back the planner's choices
 * (`model`, `maxOutputTokens`, and caps on per-use tools as `tools` / `providerOptions` — the call's own
 * `providerOptions`, given here, are never part of the stored request view); the refusal text is kept
 * instead of a provider-shaped body. A JSON request (`generateObject`) gets no such text — it could not
 * satisfy the schema — and is refused with the error.
 */
export function createAiSdkEndpoint(
  request: CallRequest,
  stream: boolean,
  json: boolean,
  providerOptions: unknown,
): AiSdkEndpoint {
  let stopText: string | undefined;
  const endpoint: EndpointAdapter = {
    provider: request.provider,
    alwaysStreams: stream,
    describe: () => request,
    isStream: () => stream,
    rewrite: (params: RequestParams, changes) => ({
      ...params,
      ...(changes.model !== undefined && { model: changes.model }),
      ...(changes.outputCap !== undefined && { maxOutputTokens: changes.outputCap }),
      ...(changes.toolCaps !== undefined && capAiSdkServerTools(params.tools, providerOptions, changes.toolCaps)),
    }),
    needsUsageReporting: () => false,
    usageFromJson: () => null,
    createStreamTracker: () => ({ onEvent: () => false, result: () => ({ usage: null, complete: false }) }),
    syntheticBody: (_model, text) => {
      if (json) return null;
      stopText = text;
      return text;
    },
  };
  return { endpoint, stopText: () => stopText };
}
