/**
 * How long a successful response may sit unread before its attempt is charged its hold. The SDKs read
 * a JSON body as soon as the caller awaits the call, and a stream's body as soon as the caller starts
 * iterating; a body nobody touches for this long belongs to a call the caller dropped (a promise never
 * awaited, an `.asResponse()` never read), and its hold must not stay reserved forever.
 */
export const UNREAD_BODY_TIMEOUT_MS = 60_000;
const SWEEP_INTERVAL_MS = 5_000;

interface Watch {
  deadline: number;
  expire: () => void;
}

const watches = new Set<Watch>();
let timer: ReturnType<typeof setInterval> | undefined;

function sweep(): void {
  const now = Date.now();
  for (const watch of watches) {
    if (watch.deadline > now) continue;
    watches.delete(watch);
    watch.expire();
  }
  if (watches.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/**
 * Calls `expire` if the body is still unread after the timeout; the returned function stops the watch
 * once reading starts. A cheap set and one shared, unref'd timer: no per-call timer, no GC-tracked
 * finalizer (a FinalizationRegistry entry per response measurably slowed every call).
 */
export function watchUnreadBody(expire: () => void): () => void {
  const watch: Watch = { deadline: Date.now() + UNREAD_BODY_TIMEOUT_MS, expire };
  watches.add(watch);
  if (!timer) {
    timer = setInterval(sweep, SWEEP_INTERVAL_MS);
    timer.unref();
  }
  return () => watches.delete(watch);
}
