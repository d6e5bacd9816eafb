import type { StreamUsageTracker } from '../providers/provider-adapter.js';
import { type SseEvent, SseEventSplitter } from '../providers/sse-event-splitter.js';

const STREAMING = Object.freeze({ stream: true });

/** How an observed body ended: read to its end, cancelled by its reader, or failed. */
export type BodyEnd = 'finished' | 'cancelled' | 'errored';

export interface ObservedBody {
  body: ReadableStream<Uint8Array>;
  /** Errors the body for its reader (e.g. with the kill switch's error) and cancels the source. */
  fail(error: Error): void;
}

/**
 * Passes an SSE body through to the SDK event by event, letting the tracker see (and drop) each event.
 * `onEnd` runs exactly once, however the body ends: fully read, cancelled (a `break` in the caller's
 * loop, `controller.abort()`), errored (connection cut, abort), or failed by the guard.
 */
export function observeSseBody(
  source: ReadableStream<Uint8Array>,
  tracker: StreamUsageTracker,
  onEnd: (end: BodyEnd) => void,
): ObservedBody {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const splitter = new SseEventSplitter();
  let ended = false;
  let downstream: ReadableStreamDefaultController<Uint8Array> | undefined;

  const end = (how: BodyEnd): boolean => {
    if (ended) return false;
    ended = true;
    onEnd(how);
    return true;
  };
  /**
   * What the SDK gets for one chunk: the original bytes when the chunk held whole events and none was
   * dropped (the usual case, no re-encoding), otherwise the kept events re-encoded (null: nothing kept).
   */
  const keep = (value: Uint8Array | undefined): Uint8Array | null => {
    const aligned = splitter.isEmpty;
    const events = splitter.push(value ? decoder.decode(value, STREAMING) : decoder.decode());
    if (!value) {
      const rest = splitter.flush();
      if (rest) events.push(rest);
    }
    let changed = false;
    for (const event of events) {
      const seen = tracker.onEvent(event.name, event.data);
      if (seen === false) continue;
      changed = true;
      if (seen === true) event.dropped = true;
      else {
        // One whole event per network chunk (the usual case): cut its bytes, no decode-encode round trip.
        const cut = value && aligned && events.length === 1 && splitter.isEmpty ? cutBytes(value, event, seen) : null;
        if (cut) return cut;
        event.raw = withData(event, seen);
      }
    }
    if (value && !changed && aligned && splitter.isEmpty) return value;
    let kept = '';
    for (const event of events) if (!event.dropped) kept += event.raw;
    return kept ? encoder.encode(kept) : null;
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      downstream = controller;
    },
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (ended) return;
          if (done) {
            const tail = keep(undefined);
            if (tail) controller.enqueue(tail);
            end('finished');
            controller.close();
            return;
          }
          const kept = keep(value);
          if (kept) {
            controller.enqueue(kept);
            return;
          }
        }
      } catch (error) {
        if (end('errored')) controller.error(error);
      }
    },
    cancel(reason) {
      end('cancelled');
      return reader.cancel(reason);
    },
  });

  return {
    body,
    fail(error) {
      if (!end('errored')) return;
      downstream?.error(error);
      reader.cancel(error).catch(() => undefined);
    },
  };
}

/** The event's text with its data replaced: other fields (`event:`, `id:`) keep their lines and order. */
function withData(event: SseEvent, data: string): string {
  const oneLine = !data.includes('\n');
  if (oneLine && event.raw.startsWith('data: ') && event.raw.indexOf('\n') === event.raw.length - 2) {
    return `data: ${data}\n\n`;
  }
  let raw = '';
  let written = false;
  for (const line of event.raw.replace(/\n+$/, '').split('\n')) {
    if (!line.startsWith('data:')) raw += `${line}\n`;
    else if (!written) {
      written = true;
      for (const part of data.split('\n')) raw += `data: ${part}\n`;
    }
  }
  return `${raw}\n`;
}

/**
 * `bytes` (exactly one `data: …` event) with the one ASCII run that `data` lacks compared with the
 * event's data cut out, when that is all that changed and everything after the cut is ASCII (so string
 * offsets from the end are byte offsets); null otherwise.
 */
function cutBytes(bytes: Uint8Array, event: SseEvent, data: string): Uint8Array | null {
  const old = event.data;
  const removed = old.length - data.length;
  if (removed <= 0 || event.raw.length !== old.length + 8 || !event.raw.startsWith('data: ')) return null;
  let suffix = 0;
  while (
    suffix < data.length &&
    old.charCodeAt(old.length - 1 - suffix) === data.charCodeAt(data.length - 1 - suffix)
  ) {
    suffix += 1;
  }
  const prefix = data.length - suffix;
  if (!old.startsWith(data.slice(0, prefix))) return null;
  for (let index = prefix; index < old.length; index += 1) if (old.charCodeAt(index) > 127) return null;
  const end = bytes.length - suffix - 2;
  const start = end - removed;
  if (start < 0) return null;
  const out = new Uint8Array(bytes.length - removed);
  out.set(bytes.subarray(0, start));
  out.set(bytes.subarray(end), start);
  return out;
}
