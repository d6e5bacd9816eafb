const MARKER = Symbol.for('tokenfence.error');

export type TokenFenceErrorCode =
  | 'BUDGET_EXCEEDED'
  | 'KILL_SWITCH'
  | 'UNKNOWN_MODEL_PRICE'
  | 'INVALID_OPTIONS'
  | 'UNSUPPORTED_CLIENT'
  | 'STORE_UNAVAILABLE'
  | 'RETRY_LIMIT'
  | 'LOOP_DETECTED'
  | 'SHARED_BUDGET_CONFLICT'
  | 'UNBUDGETED_ENDPOINT'
  | 'SQLITE_DRIVER_UNAVAILABLE';

/**
 * Base class of every error TokenFence raises. Match on `code` (stable) or the `isXxx` guards,
 * which keep working when two copies of the package (ESM and CJS) are loaded in one process.
 */
export class TokenFenceError extends Error {
  readonly code: TokenFenceErrorCode;
  readonly [MARKER] = true;

  constructor(code: TokenFenceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  static isInstance(error: unknown): error is TokenFenceError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

export function hasCode<T extends TokenFenceError>(error: unknown, code: TokenFenceErrorCode): error is T {
  return TokenFenceError.isInstance(error) && error.code === code;
}

/** Formats a USD amount for messages; never throws, whatever it is given. */
export function formatUsd(usd: unknown): string {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) return String(usd);
  return `$${usd.toFixed(usd !== 0 && Math.abs(usd) < 0.01 ? 6 : 4)}`;
}

export const isTokenFenceError = (error: unknown): error is TokenFenceError => TokenFenceError.isInstance(error);
