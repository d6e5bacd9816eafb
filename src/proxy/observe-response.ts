import type { StreamUsageTracker } from '../providers/provider-adapter.js';
import { parseJsonObject } from '../providers/read-json.js';
import { type BodyEnd, observeSseBody } from './observe-sse-body.js';
import { watchUnreadBody } from './unread-body-sweeper.js';

/** A response being watched until its body is read; `fail` ends the watch early (a kill). */
export interface ResponseObserver {
  fail(error: Error): void;
}

type BodyMethods = Pick<Response, 'json' | 'text' | 'arrayBuffer' | 'blob'>;
/** The same response, with its body readers replaceable on the instance. */
type Observable = { -readonly [K in keyof BodyMethods]: BodyMethods[K] };
const bodyGetter = Object.getOwnPropertyDescriptor(Response.prototype, 'body')?.get as (
  this: Response,
) => ReadableStream<Uint8Array> | null;

/**
 * Settles a JSON response from the same parse the SDK does: the response object itself is handed on
 * (no copy, no second read); its body readers are wrapped on this instance so whichever one reads it —
 * the SDK's `json()`, or a caller's `text()` / `arrayBuffer()` after `.asResponse()` — reports the parsed
 * body once. `onBody(undefined)` means the body could not be read or parsed, or was read some other way
 * (the raw `body` stream, `blob()`), or was left unread past UNREAD_BODY_TIMEOUT_MS: the attempt is then
 * charged its hold.
 */
export function observeJsonResponse(response: Response, onBody: (json: unknown) => void): ResponseObserver {
  let ended = false;
  const end = (json: unknown) => {
    if (ended) return;
    ended = true;
    reading();
    onBody(json);
  };
  const reading = watchUnreadBody(() => end(undefined));
  const proto = Response.prototype as BodyMethods;
  const reader =
    <T>(read: (this: Response) => Promise<T>, toJson: (value: T) => unknown) =>
    () =>
      read.call(response).then(
        (value) => {
          end(toJson(value));
          return value;
        },
        (error: unknown) => {
          end(undefined);
          throw error;
        },
      );
  const readers = response as Observable;
  readers.json = reader(proto.json, (json) => json);
  readers.text = reader(proto.text, parseJsonObject);
  readers.arrayBuffer = reader(proto.arrayBuffer, (buffer) => parseJsonObject(new TextDecoder().decode(buffer)));
  readers.blob = reader(proto.blob, () => undefined);
  return { fail: () => end(undefined) };
}

/**
 * Watches an SSE response: its `body` becomes the observed event stream (lazily, on first access, as
 * the SDK's stream reader does), and the other body readers read through it. `onEnd` runs once.
 */
export function observeSseResponse(
  response: Response,
  tracker: StreamUsageTracker,
  onEnd: (end: BodyEnd) => void,
): ResponseObserver {
  let ended = false;
  const end = (how: BodyEnd) => {
    if (ended) return;
    ended = true;
    onEnd(how);
  };
  const reading = watchUnreadBody(() => end('cancelled'));
  let observed: ReturnType<typeof observeSseBody> | undefined;
  const body = () => {
    if (!observed) {
      reading();
      observed = observeSseBody(bodyGetter.call(response) as ReadableStream<Uint8Array>, tracker, end);
    }
    return observed.body;
  };
  Object.defineProperty(response, 'body', { configurable: true, get: body });
  // Rare readers (`.asResponse().text()`) read through the observed stream, so they are counted too.
  const through = (method: keyof BodyMethods) => () => new Response(body(), { headers: response.headers })[method]();
  const readers = response as Observable;
  readers.json = through('json') as Response['json'];
  readers.text = through('text') as Response['text'];
  readers.arrayBuffer = through('arrayBuffer') as Response['arrayBuffer'];
  readers.blob = through('blob') as Response['blob'];
  return {
    fail(error) {
      if (observed) observed.fail(error);
      else end('errored');
    },
  };
}
