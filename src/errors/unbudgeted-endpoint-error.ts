import { hasCode, TokenFenceError } from './token-fence-error.js';

/**
 * A method that bills outside the call-by-call budget (a batch job is billed when it runs, hours later)
 * was called under a budget. Refused before anything is sent, so nothing is billed unbudgeted.
 */
export class UnbudgetedEndpointError extends TokenFenceError {
  /** The SDK method, e.g. `batches.create`. */
  readonly method: string;
  readonly provider: string;

  constructor(method: string, provider: string, what: string) {
    super(
      'UNBUDGETED_ENDPOINT',
      `${provider} ${method}() (${what}) bills outside any per-call budget, so it is refused under a budget; ` +
        'nothing was sent. Submit it from a client guarded without a budget, or from the raw SDK client.',
    );
    this.method = method;
    this.provider = provider;
  }

  static override isInstance(error: unknown): error is UnbudgetedEndpointError {
    return hasCode(error, 'UNBUDGETED_ENDPOINT');
  }
}

export const isUnbudgetedEndpointError = (error: unknown): error is UnbudgetedEndpointError =>
  UnbudgetedEndpointError.isInstance(error);
