import { mulDivCeil } from '../core/money.js';
import { type ModelRates, ratesForInput } from './model-rates.js';

export type CacheWriteTtl = '5m' | '1h';

export interface WorstCaseInput {
  /** An upper bound of the prompt tokens. */
  inputTokens: number;
  /** The output cap of the request, times the number of choices. */
  outputTokens: number;
  /** The longest cache TTL the request writes with, if it writes to a cache. */
  cacheWrite?: CacheWriteTtl | undefined;
}

/**
 * Upper bound of a call's cost in nano-USD: no cache-read discount, the dearest input rate the request
 * can incur (a cache write costs more than input), the tier its prompt bound falls in, the full output cap.
 */
export function estimateWorstCase(rates: ModelRates, request: WorstCaseInput): number {
  const tier = ratesForInput(rates, request.inputTokens);
  let inputRate = tier.input;
  if (request.cacheWrite) inputRate = Math.max(inputRate, tier.cacheWrite5m);
  if (request.cacheWrite === '1h') inputRate = Math.max(inputRate, tier.cacheWrite1h);
  return (
    mulDivCeil(request.inputTokens, inputRate, 1_000_000) + mulDivCeil(request.outputTokens, tier.output, 1_000_000)
  );
}

/** The largest output cap whose worst case fits `headroomNanos` next to the given prompt bound. */
export function affordableOutputTokens(rates: ModelRates, request: WorstCaseInput, headroomNanos: number): number {
  const inputOnly = estimateWorstCase(rates, { ...request, outputTokens: 0 });
  const left = headroomNanos - inputOnly;
  const outputRate = ratesForInput(rates, request.inputTokens).output;
  if (left <= 0) return 0;
  if (outputRate === 0) return Number.MAX_SAFE_INTEGER;
  // ⌈tokens × rate / 1e6⌉ ≤ left  ⇔  tokens ≤ left × 1e6 / rate
  const tokens = (BigInt(left) * 1_000_000n) / BigInt(outputRate);
  return tokens > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(tokens);
}
