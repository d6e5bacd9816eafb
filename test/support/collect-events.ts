import type { TokenFenceEvent } from '../../src/index.js';

/** Collects every event a scope emits, for assertions. */
export function collectEvents(): {
  events: TokenFenceEvent[];
  onEvent: (event: TokenFenceEvent) => void;
  of: <T extends TokenFenceEvent['type']>(type: T) => Array<Extract<TokenFenceEvent, { type: T }>>;
} {
  const events: TokenFenceEvent[] = [];
  return {
    events,
    onEvent: (event) => events.push(event),
    of: (type) => events.filter((event) => event.type === type) as never,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads a stream to its end (or its error), discarding what it yields. */
export async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of stream) {
    // only the side effects of reading matter here
  }
}
