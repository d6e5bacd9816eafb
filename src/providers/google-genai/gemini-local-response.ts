import { asObject, parseJsonObject, syntheticId } from '../read-json.js';

/**
 * A GenerateContentResponse made on this machine (`onLimit: 'stop'`): the SDK's fields, plus the
 * `text` and `functionCalls` getters callers read (the SDK's own class is not reachable without
 * importing the SDK).
 */
export class LocalGenerateContentResponse {
  candidates?: unknown[];
  usageMetadata?: Record<string, unknown>;
  modelVersion?: string;
  responseId?: string;

  constructor(fields: Record<string, unknown>) {
    Object.assign(this, fields);
  }

  get text(): string | undefined {
    const parts = asObject(asObject(this.candidates?.[0])?.content)?.parts;
    if (!Array.isArray(parts)) return undefined;
    const texts = parts
      .map((part) => asObject(part))
      .filter((part) => part?.thought !== true && typeof part?.text === 'string')
      .map((part) => part?.text as string);
    return texts.length > 0 ? texts.join('') : undefined;
  }

  get functionCalls(): undefined {
    return undefined;
  }
}

/** A complete Gemini answer saying `text`, billed nothing: JSON, or one SSE event for a stream. */
export function syntheticGeminiBody(model: string, text: string, stream: boolean): string {
  const response = {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 0, candidatesTokenCount: 0, totalTokenCount: 0 },
    modelVersion: model,
    responseId: syntheticId(''),
  };
  return stream ? `data: ${JSON.stringify(response)}\r\n\r\n` : JSON.stringify(response);
}

async function* localChunks(chunks: LocalGenerateContentResponse[]): AsyncGenerator<LocalGenerateContentResponse> {
  yield* chunks;
}

/** What `generateContent` (an object) or `generateContentStream` (an async generator) resolves to for `body`. */
export function localGeminiResult(body: string, stream: boolean): unknown {
  if (!stream) return new LocalGenerateContentResponse(parseJsonObject(body) ?? {});
  const chunks: LocalGenerateContentResponse[] = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const data = event.trim();
    if (!data.startsWith('data:')) continue;
    const chunk = parseJsonObject(data.slice('data:'.length).trim());
    if (chunk) chunks.push(new LocalGenerateContentResponse(chunk));
  }
  return localChunks(chunks);
}
