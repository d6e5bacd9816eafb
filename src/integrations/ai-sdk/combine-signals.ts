/** A signal that aborts when either does (the kill switch's, the caller's), with the first one's reason. */
export function combineSignals(guard: AbortSignal, caller: AbortSignal | undefined): AbortSignal {
  if (!caller) return guard;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([guard, caller]);
  // Node 20.0–20.2 lacks AbortSignal.any.
  const controller = new AbortController();
  for (const signal of [guard, caller]) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
