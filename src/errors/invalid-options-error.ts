import { hasCode, TokenFenceError } from './token-fence-error.js';

/** An option was rejected at construction time, before anything else happened. */
export class InvalidOptionsError extends TokenFenceError {
  /** The option's name, e.g. `budget` or `prices.my-model.input`. */
  readonly option: string;

  constructor(option: string, problem: string) {
    super('INVALID_OPTIONS', `Invalid TokenFence option \`${option}\`: ${problem}`);
    this.option = option;
  }

  static override isInstance(error: unknown): error is InvalidOptionsError {
    return hasCode(error, 'INVALID_OPTIONS');
  }
}

export const isInvalidOptionsError = (error: unknown): error is InvalidOptionsError =>
  InvalidOptionsError.isInstance(error);
