import type { NormalizedUsage } from '../../core/usage.js';
import type { ChunkUsageTracker, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject } from '../read-json.js';
import { geminiUsageOf } from './normalize-gemini-usage.js';

function maxUsage(previous: NormalizedUsage | null, next: NormalizedUsage): NormalizedUsage {
  if (!previous) return next;
  return {
    inputUncached: Math.max(previous.inputUncached, next.inputUncached),
    inputCacheRead: Math.max(previous.inputCacheRead, next.inputCacheRead),
    inputCacheWrite5m: Math.max(previous.inputCacheWrite5m, next.inputCacheWrite5m),
    inputCacheWrite1h: Math.max(previous.inputCacheWrite1h, next.inputCacheWrite1h),
    outputText: Math.max(previous.outputText, next.outputText),
    outputReasoning: Math.max(previous.outputReasoning, next.outputReasoning),
  };
}

/**
 * Follows a Gemini stream, as SDK chunks or as SSE events. Each chunk's `usageMetadata` is a running
 * total (the last one holds the totals), so counts are never summed: the highest seen per bucket wins,
 * which is the last chunk's when the stream is well-formed and stays right when a late chunk leaves a
 * field out. The stream ended normally once a candidate has a `finishReason`.
 */
export class GeminiStreamTracker implements StreamUsageTracker, ChunkUsageTracker {
  #usage: NormalizedUsage | null = null;
  #finished = false;
  #failed = false;

  onChunk(chunk: unknown): void {
    const body = asObject(chunk);
    if (!body) return;
    const usage = geminiUsageOf(body);
    if (usage) this.#usage = maxUsage(this.#usage, usage);
    if (!Array.isArray(body.candidates)) return;
    for (const candidate of body.candidates) {
      const reason = asObject(candidate)?.finishReason;
      if (typeof reason === 'string' && reason !== '') this.#finished = true;
    }
  }

  onEvent(_eventName: string | undefined, data: string): boolean {
    const body = parseJsonObject(data);
    if (asObject(body?.error)) this.#failed = true;
    else this.onChunk(body);
    return false;
  }

  result() {
    return { usage: this.#usage, complete: this.#finished && !this.#failed, failed: this.#failed };
  }
}
