/**
 * The parts of the AI SDK's language model specification (V2 for `ai@5`, V3 for `ai@6`, V4 for `ai@7`) the middleware
 * reads, typed structurally: nothing here imports `ai` or `@ai-sdk/*`, the user brings them.
 */

/** The call options of `doGenerate` / `doStream` (`LanguageModelV2CallOptions`, `LanguageModelV3CallOptions`). */
export type AiSdkCallOptions = {
  /** System, user, assistant and tool messages with their parts; read defensively, never trusted. */
  readonly prompt: readonly unknown[];
  readonly maxOutputTokens?: number | undefined;
  readonly abortSignal?: AbortSignal | undefined;
  readonly tools?: readonly unknown[] | undefined;
  readonly responseFormat?: unknown;
  readonly providerOptions?: unknown;
};

/** What `doGenerate` resolves with: V3 usage is `{ inputTokens: {…}, outputTokens: {…}, raw }`, V2 usage is flat. */
export type AiSdkGenerateResult = {
  readonly content: readonly unknown[];
  readonly usage: unknown;
  readonly providerMetadata?: unknown;
  /** `body` is the raw response (Chat Completions reports its `service_tier` only there). */
  readonly response?: unknown;
};

/** What `doStream` resolves with; its `finish` part carries the usage. */
export type AiSdkStreamResult = {
  readonly stream: ReadableStream<unknown>;
};

/** A language model (`LanguageModelV2` or `LanguageModelV3`), e.g. `openai('gpt-4o-mini')`. */
export type LanguageModelLike<
  P extends AiSdkCallOptions = AiSdkCallOptions,
  R extends AiSdkGenerateResult = AiSdkGenerateResult,
  S extends AiSdkStreamResult = AiSdkStreamResult,
> = {
  readonly specificationVersion: string;
  /** e.g. `openai.chat`, `openai.responses`, `anthropic.messages`, `google.generative-ai`, `<name>.chat`. */
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: P): PromiseLike<R>;
  doStream(options: P): PromiseLike<S>;
};

/** What `wrapGenerate` and `wrapStream` are given by `wrapLanguageModel`. */
export type WrapCallOptions<P extends AiSdkCallOptions, R extends AiSdkGenerateResult, S extends AiSdkStreamResult> = {
  doGenerate: () => PromiseLike<R>;
  doStream: () => PromiseLike<S>;
  params: P;
  model: LanguageModelLike<P, R, S>;
};
