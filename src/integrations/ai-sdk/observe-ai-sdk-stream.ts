import { asObject } from '../../providers/read-json.js';

/** What a model stream showed before it ended. */
export interface StreamSightings {
  /** The `finish` part's usage and provider metadata, once it came. */
  finish: { usage: unknown; providerMetadata: unknown } | undefined;
  /** An `error` part came (an error the provider reported inside the stream). */
  errored: boolean;
  /** Text deltas so far (only when collected, for `storeContent`). */
  text: string;
  /** Provider-executed tool parts so far (only when collected: the request has billed provider tools). */
  toolParts: unknown[];
}

/**
 * How the stream ended for the budget: `finished` (a clean `finish` part), `ended` (closed without one,
 * or after an error part), `failed` (reading threw: cut connection, abort, kill), `cancelled` (the
 * consumer stopped reading).
 */
export type StreamEnd = 'finished' | 'ended' | 'failed' | 'cancelled';

export interface StreamObserver {
  collectText: boolean;
  /** Keep `tool-call` (provider-executed) and `tool-result` parts: they count per-use tool fees. */
  collectToolParts: boolean;
  /** Called once, at the first of: a clean `finish` part, the end, a read failure, a cancel. */
  onEnd(sightings: StreamSightings, end: StreamEnd): void;
  /** The error the consumer sees instead of a read failure (the kill switch's, not a bare abort). */
  mapError(error: unknown): unknown;
}

/**
 * The model's stream, part for part, watched on its way to the AI SDK. Settles as soon as the `finish`
 * part arrives, so the spend is known when `streamText` reports the step finished.
 */
export function observeAiSdkStream<T>(source: ReadableStream<T>, observer: StreamObserver): ReadableStream<T> {
  const reader = source.getReader();
  const sightings: StreamSightings = { finish: undefined, errored: false, text: '', toolParts: [] };
  let done = false;
  const end = (how: StreamEnd) => {
    if (done) return;
    done = true;
    observer.onEnd(sightings, how);
  };
  const see = (value: T) => {
    const part = asObject(value);
    if (!part) return;
    if (part.type === 'finish') {
      sightings.finish = { usage: part.usage, providerMetadata: part.providerMetadata };
      if (!sightings.errored) end('finished');
    } else if (part.type === 'error') {
      sightings.errored = true;
    } else if (observer.collectText && part.type === 'text-delta') {
      const delta = part.delta ?? part.textDelta;
      if (typeof delta === 'string') sightings.text += delta;
    } else if (
      observer.collectToolParts &&
      (part.type === 'tool-result' || (part.type === 'tool-call' && part.providerExecuted === true))
    ) {
      sightings.toolParts.push(part);
    }
  };
  return new ReadableStream<T>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        end('failed');
        controller.error(observer.mapError(error));
        return;
      }
      if (next.done) {
        end('ended');
        controller.close();
        return;
      }
      see(next.value);
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      end('cancelled');
      await reader.cancel(reason);
    },
  });
}
