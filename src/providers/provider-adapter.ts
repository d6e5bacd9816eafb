import type { CallRequest } from '../budget/plan-call.js';
import type { NormalizedUsage } from '../core/usage.js';

export type RequestParams = Readonly<Record<string, unknown>>;

/** Follows one SSE stream, event by event. */
export interface StreamUsageTracker {
  /** Sees one event; returns true when the caller must not see it (a usage chunk only the guard asked for). */
  onEvent(eventName: string | undefined, data: string): boolean;
  /**
   * Usage seen so far (null: none), whether the stream reached its normal end, and whether the
   * provider reported an error inside the stream (after HTTP 200).
   */
  result(): { usage: NormalizedUsage | null; complete: boolean; failed?: boolean };
}

/** Changes the guard makes to a request before the SDK sends it. */
export interface RequestChanges {
  model?: string;
  outputCap?: number;
  includeUsage?: boolean;
}

/** One intercepted SDK method: knows its parameters and its wire format, nothing of budgets. */
export interface EndpointAdapter {
  readonly provider: string;
  /** True when the method always streams (e.g. `messages.stream()`). */
  readonly alwaysStreams: boolean;
  /** Reads what the planner needs; null when the parameters are not recognisable (the call passes through unguarded). */
  describe(params: RequestParams): CallRequest | null;
  isStream(params: RequestParams): boolean;
  /** The request the SDK should send instead; never mutates `params`. */
  rewrite(params: RequestParams, changes: RequestChanges): RequestParams;
  /** True when a streaming request must be asked to report usage (and the caller did not ask). */
  needsUsageReporting(params: RequestParams): boolean;
  /** Usage of a parsed JSON response body (null: none); `cacheWrite` is the TTL the request asked for. */
  usageFromJson(json: unknown, cacheWrite: CallRequest['cacheWrite']): NormalizedUsage | null;
  createStreamTracker(options: { stripUsageChunk: boolean; cacheWrite: CallRequest['cacheWrite'] }): StreamUsageTracker;
  /** A provider-shaped answer for `onLimit: 'stop'`; null when the endpoint has none (embeddings). */
  syntheticBody(model: string, text: string, stream: boolean): string | null;
}

/** One SDK: how to recognise its clients and which method paths to intercept. */
export interface ProviderAdapter {
  readonly provider: string;
  matches(client: object): boolean;
  /** Method path (e.g. `chat.completions.create`) → endpoint. */
  readonly endpoints: ReadonlyMap<string, EndpointAdapter>;
  /** URL path suffix (e.g. `/chat/completions`) → endpoint, for requests that bypass the methods. */
  readonly wirePaths: ReadonlyMap<string, EndpointAdapter>;
}
