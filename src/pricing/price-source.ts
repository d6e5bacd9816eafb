import type { ModelRates } from './model-rates.js';

/** Where prices come from: (provider, model id, request start) → rates, or null when unknown. */
export interface PriceSource {
  resolve(provider: string, model: string, at: Date): ModelRates | null;
}
