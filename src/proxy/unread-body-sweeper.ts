/**
 * How long a successful response may sit unread before its attempt is charged its hold. The SDKs read
 * a JSON body as soon as the caller awaits the call, and a stream's body as soon as the caller starts
 * iterating; a body nobody touches for this long belongs to a call the caller dropped (a promise never
 * awaited, an `.asResponse()` never read), and its hold must not stay reserved forever.
 */
export const UNREAD_BODY_TIMEOUT_MS = 60_000;
/**
 * Two generations of watches: a sweep expires what is still in the older one (unread for at least one
 * interval, at most two) and ages the newer. Cheaper per call than deadlines: no clock read, no object.
 */
const SWEEP_INTERVAL_MS = UNREAD_BODY_TIMEOUT_MS / 2;

let current = new Set<() => void>();
let previous = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const expired = previous;
  previous = current;
  current = new Set();
  for (const expire of expired) expire();
  if (previous.size === 0 && current.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/**
 * Calls `expire` if the body is still unread after the timeout (30–60 s); the returned function stops
 * the watch once reading starts. One shared, unref'd timer; no per-call timer, no GC-tracked finalizer
 * (a FinalizationRegistry entry per response measurably slowed every call).
 */
export function watchUnreadBody(expire: () => void): () => void {
  current.add(expire);
  if (!timer) {
    timer = setInterval(sweep, SWEEP_INTERVAL_MS);
    timer.unref();
  }
  return () => {
    if (!current.delete(expire)) previous.delete(expire);
  };
}
