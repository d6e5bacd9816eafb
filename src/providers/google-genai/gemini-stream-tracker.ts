import type { NormalizedUsage } from '../../core/usage.js';
import type { ChunkUsageTracker, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject } from '../read-json.js';
import { GeminiGroundingTally } from './gemini-grounding-tally.js';
import { headerTierOf, usageFromGeminiCounts } from './normalize-gemini-usage.js';
import {
  type GeminiUsageCounts,
  mergeGeminiUsageCounts,
  readGeminiUsageMetadata,
} from './read-gemini-usage-metadata.js';

/**
 * Follows a Gemini stream, as SDK chunks or as SSE events. Each chunk's `usageMetadata` is a running
 * total (the last one holds the totals), so counts are never summed: the raw counts are merged, the highest
 * seen per field and per modality, and turned into buckets once at the end — exactly what the same
 * response's JSON gives, even when early chunks report only part of the usage (buckets merged chunk by chunk
 * could count a token as text in one chunk and as audio in another). Grounding metadata may come in any
 * chunk and is counted once. A malformed count in any chunk makes the usage unknown (the hold is charged).
 * The stream ended normally once a candidate has a `finishReason`.
 */
export class GeminiStreamTracker implements StreamUsageTracker, ChunkUsageTracker {
  #counts: GeminiUsageCounts | undefined;
  /** The counts of the last chunk that had usage: the running totals must all be there. */
  #last: GeminiUsageCounts | undefined;
  #malformed = false;
  #grounding: GeminiGroundingTally | undefined;
  #model: string | undefined;
  #headerTier: string | undefined;
  #finished = false;
  #failed = false;

  onChunk(chunk: unknown): void {
    const body = asObject(chunk);
    if (!body) return;
    const counts = readGeminiUsageMetadata(body.usageMetadata);
    if (counts === 'malformed') this.#malformed = true;
    else if (counts) {
      this.#counts = this.#counts ? mergeGeminiUsageCounts(this.#counts, counts) : counts;
      this.#last = counts;
    }
    if (typeof body.modelVersion === 'string') this.#model = body.modelVersion;
    if (body.sdkHttpResponse !== undefined) this.#headerTier ??= headerTierOf(body);
    if (!Array.isArray(body.candidates)) return;
    for (const candidate of body.candidates) {
      const fields = asObject(candidate);
      if (fields?.groundingMetadata !== undefined) {
        this.#grounding ??= new GeminiGroundingTally();
        this.#grounding.add([fields]);
      }
      const reason = fields?.finishReason;
      if (typeof reason === 'string' && reason !== '') this.#finished = true;
    }
  }

  onEvent(_eventName: string | undefined, data: string): boolean {
    const body = parseJsonObject(data);
    if (asObject(body?.error)) this.#failed = true;
    else this.onChunk(body);
    return false;
  }

  result(): { usage: NormalizedUsage | null; complete: boolean; failed: boolean } {
    return { usage: this.#usage(), complete: this.#finished && !this.#failed, failed: this.#failed };
  }

  /**
   * A last usage chunk without the prompt count, or with less output than an earlier chunk reported, has
   * lost part of the running totals: the final figures are unknown (the prompt count alone is required in
   * JSON too; a falling count would price the stream below the tokens already seen).
   */
  #usage(): NormalizedUsage | null {
    if (this.#malformed || !this.#counts || !this.#last) return null;
    if (this.#last.prompt === undefined || this.#last.candidates < this.#counts.candidates) return null;
    const counts =
      this.#counts.tier === undefined && this.#headerTier ? { ...this.#counts, tier: this.#headerTier } : this.#counts;
    return usageFromGeminiCounts(counts, this.#grounding?.fees(this.#model));
  }
}
