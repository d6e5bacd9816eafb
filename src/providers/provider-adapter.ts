import type { CallRequest } from '../budget/plan-call.js';
import type { FeeKind, NormalizedUsage } from '../core/usage.js';
import type { WirePromptCounter } from './prompt-counter.js';

export type RequestParams = Readonly<Record<string, unknown>>;

/** Follows one SSE stream, event by event. */
export interface StreamUsageTracker {
  /**
   * Sees one event; returns true when the caller must not see it (a usage chunk only the guard asked
   * for), or the data the caller sees instead (the event without what only the guard asked for).
   */
  onEvent(eventName: string | undefined, data: string): boolean | string;
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
  /** Caps on per-use server-side tools the request left uncapped (`max_uses`, `max_tool_calls`). */
  toolCaps?: Readonly<Partial<Record<FeeKind, number>>>;
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
  /**
   * For a request `describe` cannot price (a model billed per image, say): what it is. Such a request is
   * refused under a budget with UnbudgetedEndpointError, and passed through when no scope has one.
   */
  unpricedRequest?(params: RequestParams): string | undefined;
  /** The provider's free token-counting endpoint for this endpoint's requests, where it has one. */
  readonly promptCounter?: WirePromptCounter;
}

/** Follows a stream of the SDK's own chunk objects, for endpoints guarded at the method (no wire seen). */
export interface ChunkUsageTracker {
  onChunk(chunk: unknown): void;
  /** Usage seen so far (null: none), and whether the stream reached its normal end. */
  result(): { usage: NormalizedUsage | null; complete: boolean };
}

/**
 * An endpoint of an SDK without a fetch seam: the guard calls the method itself and reads usage from
 * what it resolves to (an object, or an async iterable of chunks) instead of from the HTTP response.
 */
export interface MethodEndpointAdapter extends EndpointAdapter {
  /** Usage of what the (non-stream) method resolved to; null when it carries none. */
  usageOfResult(result: unknown): NormalizedUsage | null;
  /** What the model answered, as JSON, for `storeContent`; null when there is nothing to store. */
  completionOf(result: unknown): string | null;
  createChunkTracker(): ChunkUsageTracker;
  /** The caller's own abort signal in the request, which the guard's must follow. */
  abortSignalOf(params: RequestParams): AbortSignal | undefined;
  /**
   * The request carrying the guard's abort signal instead; never mutates `params`. Returns `params` itself
   * when the signal cannot be carried without changing what is sent (the guard then stops the call on the
   * caller's side).
   */
  withAbortSignal(params: RequestParams, signal: AbortSignal): RequestParams;
  /** What the method would resolve to for a local answer made by `syntheticBody` (`onLimit: 'stop'`). */
  resultFromBody(body: string, stream: boolean): unknown;
  /**
   * The provider's count of the request's prompt tokens, asked through the SDK `client` (its auth and base
   * URL); undefined when it gave none. May reject; stops when `signal` aborts.
   */
  countPromptTokens?(client: object, params: RequestParams, signal: AbortSignal): Promise<number | undefined>;
}

/**
 * Objects a method returns that call the SDK through one of its resources (e.g. a chat session holding
 * the `models` module): the guard points `property` of each at the guarded resource at path `resource`.
 */
export interface ResourceLink {
  readonly property: string;
  readonly resource: string;
}

/**
 * Methods that bill outside the per-call budget (batch jobs): method path → what they are. Refused under a
 * budget with UnbudgetedEndpointError before anything is sent; passed through when no scope has a budget.
 */
export type UnbudgetedMethods = ReadonlyMap<string, string>;

/** An SDK whose clients are cloned with a guarded fetch (`withOptions({ fetch })`): every HTTP attempt is seen. */
export interface FetchProviderAdapter {
  readonly provider: string;
  readonly seam?: 'fetch';
  matches(client: object): boolean;
  /** Method path (e.g. `chat.completions.create`) → endpoint. */
  readonly endpoints: ReadonlyMap<string, EndpointAdapter>;
  /** URL path suffix (e.g. `/chat/completions`) → endpoint, for requests that bypass the methods. */
  readonly wirePaths: ReadonlyMap<string, EndpointAdapter>;
  readonly unbudgeted?: UnbudgetedMethods;
}

/** An SDK without a fetch seam: its priced methods are guarded one call at a time, on what they return. */
export interface MethodProviderAdapter {
  readonly provider: string;
  readonly seam: 'method';
  matches(client: object): boolean;
  /** Method path (e.g. `models.generateContent`) → endpoint. */
  readonly endpoints: ReadonlyMap<string, MethodEndpointAdapter>;
  /** Method path (e.g. `chats.create`) → the guarded resource the objects it returns must use. */
  readonly links: ReadonlyMap<string, ResourceLink>;
  /** URL path suffix → endpoint, for wire-level integrations (a guarded fetch); empty when none applies. */
  readonly wirePaths: ReadonlyMap<string, EndpointAdapter>;
  readonly unbudgeted?: UnbudgetedMethods;
}

/** One SDK: how to recognise its clients and which method paths to intercept. */
export type ProviderAdapter = FetchProviderAdapter | MethodProviderAdapter;
