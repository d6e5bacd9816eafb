import type { NormalizedUsage } from '../../core/usage.js';
import type { StreamUsageTracker } from '../provider-adapter.js';
import { parseJsonObject } from '../read-json.js';
import { openAIChatUsageFromJson } from './openai-chat-usage.js';
import { withoutUsageMember } from './without-usage-member.js';

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/**
 * Follows a Chat Completions or legacy Completions stream (`data:` chunks, `[DONE]` at the end). Usage
 * arrives on the chunk `stream_options.include_usage` asks for (empty `choices`); a chunk with usage
 * replaces what an earlier one reported, so the last report wins, as in the JSON body.
 *
 * When the guard asked for usage the caller did not (`strip`), the caller gets the stream the request
 * they wrote would have given: the usage-only chunk is dropped and the `"usage": null` member the
 * provider then adds to every other chunk is removed from its text (the SDKs would copy it into each
 * chunk object and into `finalChatCompletion()`).
 */
export class OpenAIUsageChunkTracker implements StreamUsageTracker {
  #usage: NormalizedUsage | null = null;
  #complete = false;
  readonly #strip: boolean;

  constructor(strip: boolean) {
    this.#strip = strip;
  }

  onEvent(_eventName: string | undefined, data: string): boolean | string {
    if (data === '[DONE]') {
      this.#complete = true;
      return false;
    }
    if (!USAGE_OBJECT.test(data)) return this.#strip ? this.#stripped(data) : false;
    const chunk = parseJsonObject(data);
    if (!chunk) return false;
    // A malformed report voids what came before: the call is charged its hold, never a partial count.
    this.#usage = openAIChatUsageFromJson(chunk);
    if (!this.#strip) return false;
    if (this.#usage !== null && Array.isArray(chunk.choices) && chunk.choices.length === 0) return true;
    // Usage on a chunk that also carries choices (some OpenAI-compatible servers): the chunk stays, its usage goes.
    return this.#stripped(data, chunk);
  }

  /** The chunk's text without its top-level `usage` member; false (unchanged) when it has none. */
  #stripped(data: string, parsed?: Record<string, unknown>): string | false {
    if (!data.includes('"usage"')) return false;
    const cut = withoutUsageMember(data);
    if (cut !== undefined) return cut;
    // Text the scan cannot place (a server's odd formatting): parse, drop the member, write it back.
    const chunk = parsed ?? parseJsonObject(data);
    if (!chunk || !('usage' in chunk)) return false;
    const { usage: _usage, ...rest } = chunk;
    return JSON.stringify(rest);
  }

  result() {
    return { usage: this.#usage, complete: this.#complete };
  }
}
