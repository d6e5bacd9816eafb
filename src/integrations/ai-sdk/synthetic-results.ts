/**
 * Answers made on this machine for `onLimit: 'stop'`, shaped like the model's own (V4 and V3 alike, or V2), so
 * `generateText` / `streamText` finish normally with the refusal as their text. Nothing was sent, so
 * usage is zero; `providerMetadata.tokenfence.stopped` tells the answer apart.
 */
const V3_ZERO_USAGE = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};
const V2_ZERO_USAGE = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

function finishFields(specificationVersion: string) {
  const v2 = specificationVersion === 'v2';
  return {
    finishReason: v2 ? 'stop' : { unified: 'stop', raw: undefined },
    usage: v2 ? V2_ZERO_USAGE : V3_ZERO_USAGE,
    providerMetadata: { tokenfence: { stopped: true } },
  };
}

/** A `doGenerate` result whose text is `text`. */
export function syntheticGenerateResult(specificationVersion: string, text: string): object {
  return { content: [{ type: 'text', text }], warnings: [], ...finishFields(specificationVersion) };
}

/** A `doStream` result that streams `text` and finishes. */
export function syntheticStreamResult(specificationVersion: string, text: string): { stream: ReadableStream<unknown> } {
  const parts: unknown[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 'tokenfence-0' },
    { type: 'text-delta', id: 'tokenfence-0', delta: text },
    { type: 'text-end', id: 'tokenfence-0' },
    { type: 'finish', ...finishFields(specificationVersion) },
  ];
  return {
    stream: new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
  };
}
