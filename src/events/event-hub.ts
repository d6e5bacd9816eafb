import type { TokenFenceEvent, TokenFenceEventListener, TokenFenceEventType } from './events.js';

type AnyListener = (event: TokenFenceEvent) => void;

/**
 * Listeners of one scope. A listener that throws never breaks the call that emitted the event: the
 * error becomes a process warning (code TOKENFENCE_W001).
 */
export class EventHub {
  readonly #listeners = new Map<TokenFenceEventType | '*', Set<AnyListener>>();
  #count = 0;

  on<T extends TokenFenceEventType>(type: T | '*', listener: TokenFenceEventListener<T>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    if (!set.has(listener as AnyListener)) this.#count += 1;
    set.add(listener as AnyListener);
    return () => this.off(type, listener);
  }

  off<T extends TokenFenceEventType>(type: T | '*', listener: TokenFenceEventListener<T>): void {
    if (this.#listeners.get(type)?.delete(listener as AnyListener)) this.#count -= 1;
  }

  get isEmpty(): boolean {
    return this.#count === 0;
  }

  dispatch(event: TokenFenceEvent): void {
    deliver(this.#listeners.get(event.type), event);
    deliver(this.#listeners.get('*'), event);
  }
}

function deliver(listeners: Set<AnyListener> | undefined, event: TokenFenceEvent): void {
  if (!listeners) return;
  for (const listener of listeners) callListener(listener, event);
}

export function callListener(listener: AnyListener, event: TokenFenceEvent): void {
  try {
    listener(event);
  } catch (error) {
    process.emitWarning(
      `A TokenFence event listener threw on "${event.type}": ${error instanceof Error ? error.message : String(error)}`,
      { code: 'TOKENFENCE_W001' },
    );
  }
}
