type AbortListener = ((this: unknown, event: Event) => void) | { handleEvent(event: Event): void };

/**
 * The abort signal a guarded call hands the SDK in its request options. The SDKs only read `aborted`
 * and `reason` and add / remove `abort` listeners on it (they give `fetch` a controller of their own),
 * so a plain object does: creating a real AbortSignal per call (and the SDK linking to it) measurably
 * slowed every call on Node 20. `toAbortSignal()` makes a real one where a platform API needs it.
 */
export class CallAbortSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: ((event: Event) => void) | null = null;
  #listeners: AbortListener[] = [];

  addEventListener(type: string, listener: AbortListener | null): void {
    if (type === 'abort' && listener && !this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: AbortListener | null): void {
    if (type !== 'abort' || !listener) return;
    const index = this.#listeners.indexOf(listener);
    if (index !== -1) this.#listeners.splice(index, 1);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = new Event('abort');
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) {
      if (typeof listener === 'function') listener.call(this, event);
      else listener.handleEvent(event);
    }
    this.onabort?.(event);
  }

  /** Follows another signal (the caller's own): its abort aborts this one. */
  follow(signal: AbortSignal): void {
    if (signal.aborted) this.abort(signal.reason);
    else signal.addEventListener('abort', () => this.abort(signal.reason), { once: true });
  }

  /** A real AbortSignal that aborts with this one. */
  toAbortSignal(): AbortSignal {
    const controller = new AbortController();
    if (this.aborted) controller.abort(this.reason);
    else this.addEventListener('abort', () => controller.abort(this.reason));
    return controller.signal;
  }
}
