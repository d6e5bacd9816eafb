import type { NormalizedUsage } from '../../core/usage.js';
import type { StreamUsageTracker } from '../provider-adapter.js';
import { parseJsonObject } from '../read-json.js';
import { openAIChatUsageFromJson } from './openai-chat-usage.js';

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/**
 * Follows a Chat Completions or legacy Completions stream (`data:` chunks, `[DONE]` at the end). Usage
 * arrives on the chunk `stream_options.include_usage` asks for (empty `choices`); a chunk with usage
 * replaces what an earlier one reported, so the last report wins, as in the JSON body.
 */
export class OpenAIUsageChunkTracker implements StreamUsageTracker {
  #usage: NormalizedUsage | null = null;
  #complete = false;
  readonly #strip: boolean;

  constructor(strip: boolean) {
    this.#strip = strip;
  }

  onEvent(_eventName: string | undefined, data: string): boolean {
    if (data === '[DONE]') {
      this.#complete = true;
      return false;
    }
    if (!USAGE_OBJECT.test(data)) return false;
    const chunk = parseJsonObject(data);
    if (!chunk) return false;
    // A malformed report voids what came before: the call is charged its hold, never a partial count.
    this.#usage = openAIChatUsageFromJson(chunk);
    return this.#usage !== null && this.#strip && Array.isArray(chunk.choices) && chunk.choices.length === 0;
  }

  result() {
    return { usage: this.#usage, complete: this.#complete };
  }
}
