import { hasCode, TokenFenceError } from './token-fence-error.js';

/** A run or agent used up its retries (SDK retries and calls repeating a failed request alike). */
export class RetryLimitError extends TokenFenceError {
  readonly label: string;
  readonly limit: number;

  constructor(label: string, limit: number) {
    super(
      'RETRY_LIMIT',
      `"${label}" has used its ${limit} retries: no further retry is sent. Look at why the calls fail.`,
    );
    this.label = label;
    this.limit = limit;
  }

  static override isInstance(error: unknown): error is RetryLimitError {
    return hasCode(error, 'RETRY_LIMIT');
  }
}

export const isRetryLimitError = (error: unknown): error is RetryLimitError => RetryLimitError.isInstance(error);
