import { hasCode, TokenFenceError } from './token-fence-error.js';

/** `guard()` was given something that is not a supported SDK client. */
export class UnsupportedClientError extends TokenFenceError {
  constructor(description: string) {
    super(
      'UNSUPPORTED_CLIENT',
      `guard() needs an OpenAI or Anthropic SDK client instance (new OpenAI(), new Anthropic()); got ${description}.`,
    );
  }

  static override isInstance(error: unknown): error is UnsupportedClientError {
    return hasCode(error, 'UNSUPPORTED_CLIENT');
  }
}

export const isUnsupportedClientError = (error: unknown): error is UnsupportedClientError =>
  UnsupportedClientError.isInstance(error);
