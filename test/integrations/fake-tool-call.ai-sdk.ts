import type { LanguageModelMiddleware } from 'ai';
import type { LanguageModelMiddleware as LanguageModelMiddlewareV2 } from 'ai-v5';

/**
 * The mock provider answers with text only. Placed inside the TokenFence middleware, this one turns the
 * model's first answer into a call of `toolName` (usage and HTTP request unchanged), so the AI SDK runs a
 * real multi-step tool loop against the mock: the tool executes and the next step is a new model call.
 */
export function fakeToolCallMiddleware(toolName: string, input: object): LanguageModelMiddleware & { calls: number } {
  const state = { calls: 0 };
  const toolCall = () => ({
    type: 'tool-call' as const,
    toolCallId: `call_${state.calls}`,
    toolName,
    input: JSON.stringify(input),
  });
  const toolCalls = { unified: 'tool-calls' as const, raw: 'tool_calls' };
  return Object.assign(state, {
    specificationVersion: 'v3' as const,
    wrapGenerate: async ({ doGenerate }: Parameters<NonNullable<LanguageModelMiddleware['wrapGenerate']>>[0]) => {
      const result = await doGenerate();
      state.calls += 1;
      return state.calls === 1 ? { ...result, content: [toolCall()], finishReason: toolCalls } : result;
    },
    wrapStream: async ({ doStream }: Parameters<NonNullable<LanguageModelMiddleware['wrapStream']>>[0]) => {
      const result = await doStream();
      state.calls += 1;
      if (state.calls !== 1) return result;
      type Part = typeof result.stream extends ReadableStream<infer T> ? T : never;
      const stream = result.stream.pipeThrough(
        new TransformStream<Part, Part>({
          transform(part, controller) {
            if (part.type === 'text-start' || part.type === 'text-delta' || part.type === 'text-end') return;
            if (part.type === 'finish') {
              controller.enqueue(toolCall());
              controller.enqueue({ ...part, finishReason: toolCalls });
              return;
            }
            controller.enqueue(part);
          },
        }),
      );
      return { ...result, stream };
    },
  });
}

/** The same for `ai@5` (LanguageModelV2): the model's first answer becomes a call of `toolName`. */
export function fakeToolCallMiddlewareV2(
  toolName: string,
  input: object,
): LanguageModelMiddlewareV2 & { calls: number } {
  const state = { calls: 0 };
  return Object.assign(state, {
    middlewareVersion: 'v2' as const,
    wrapGenerate: async ({ doGenerate }: Parameters<NonNullable<LanguageModelMiddlewareV2['wrapGenerate']>>[0]) => {
      const result = await doGenerate();
      state.calls += 1;
      if (state.calls !== 1) return result;
      const call = { type: 'tool-call' as const, toolCallId: 'call_1', toolName, input: JSON.stringify(input) };
      return { ...result, content: [call], finishReason: 'tool-calls' as const };
    },
  });
}
