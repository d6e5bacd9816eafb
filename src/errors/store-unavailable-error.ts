import { hasCode, TokenFenceError } from './token-fence-error.js';

/** The ledger store cannot be opened, read or written (missing driver, corrupt file, I/O failure). */
export class StoreUnavailableError extends TokenFenceError {
  /** Which store: `sqlite:./tokenfence.db`, `memory`, … (never credentials). */
  readonly store: string;

  constructor(store: string, problem: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', `TokenFence store ${store} is unavailable: ${problem}`, options);
    this.store = store;
  }

  static override isInstance(error: unknown): error is StoreUnavailableError {
    return hasCode(error, 'STORE_UNAVAILABLE');
  }
}

export const isStoreUnavailableError = (error: unknown): error is StoreUnavailableError =>
  StoreUnavailableError.isInstance(error);
