import { hasCode, TokenFenceError } from './token-fence-error.js';

/** No price is known for the model, so its worst case cannot be reserved. Raised before any request. */
export class UnknownModelError extends TokenFenceError {
  readonly model: string;
  readonly provider: string;

  constructor(model: string, provider: string) {
    super(
      'UNKNOWN_MODEL_PRICE',
      `No price is known for model "${model}" (provider ${provider}). Price it with the \`prices\` option, ` +
        `e.g. prices: { '${model}': { input: 1, output: 2 } } (USD per 1M tokens).`,
    );
    this.model = model;
    this.provider = provider;
  }

  static override isInstance(error: unknown): error is UnknownModelError {
    return hasCode(error, 'UNKNOWN_MODEL_PRICE');
  }
}

export const isUnknownModelError = (error: unknown): error is UnknownModelError => UnknownModelError.isInstance(error);
