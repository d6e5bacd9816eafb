/**
 * Money is integer nano-USD (1 n$ = 1e-9 USD) everywhere inside TokenFence. USD numbers appear only at
 * the public edges. Values stay below 2^53 - 1 n$ (about $9.0M) so every sum is exact.
 */
export const NANOS_PER_USD = 1_000_000_000;
export const MAX_NANOS = Number.MAX_SAFE_INTEGER;

const DECIMAL = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * Converts a non-negative decimal (a number through its shortest decimal form, or a string such as
 * "$0.50" or "2.5e-6") to nano-USD without float arithmetic. Returns null when it is not one.
 * `rounding` decides digits below 1 n$: budgets round down, prices round up.
 */
export function decimalToNanos(value: number | string, rounding: 'floor' | 'ceil'): number | null {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const text = (typeof value === 'number' ? String(value) : value.trim().replace(/^\$/, '').replace(/_/g, '')).trim();
  const match = DECIMAL.exec(text);
  if (!match || (match[1] === '' && !match[2])) return null;
  const whole = match[1] ?? '';
  const digits = `${whole}${match[2] ?? ''}`;
  // Position of the decimal point in `digits` once the value is scaled to nanos (×10^9).
  const point = whole.length + Number(match[3] ?? 0) + 9;
  if (point > 40) return null; // far above MAX_NANOS; also keeps "1e999999" from allocating a huge string
  const integerPart = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  const remainder = point <= 0 ? digits : digits.slice(point);
  let nanos = BigInt(integerPart || '0');
  if (rounding === 'ceil' && /[1-9]/.test(remainder)) nanos += 1n;
  if (nanos > BigInt(MAX_NANOS)) return null;
  return Number(nanos);
}

/** Parses a public USD amount (number or "$1.50") to nano-USD, or null when it is not a finite amount ≥ 0. */
export function usdToNanos(usd: unknown): number | null {
  if (typeof usd === 'number') {
    if (!Number.isFinite(usd) || usd < 0) return null;
    return decimalToNanos(usd, 'floor');
  }
  if (typeof usd === 'string') return decimalToNanos(usd, 'floor');
  return null;
}

export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** ⌈a × b / divisor⌉ for non-negative safe integers, exact even when the product passes 2^53. */
export function mulDivCeil(a: number, b: number, divisor: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) return ceilDiv(product, divisor);
  const big = BigInt(a) * BigInt(b);
  const quotient = big / BigInt(divisor);
  const result = big % BigInt(divisor) === 0n ? quotient : quotient + 1n;
  return Number(result > BigInt(MAX_NANOS) ? BigInt(MAX_NANOS) : result);
}

/** ⌈a / b⌉ for safe non-negative integers; the float quotient is off by at most one, which the checks correct. */
export function ceilDiv(product: number, divisor: number): number {
  const quotient = Math.floor(product / divisor);
  if (quotient * divisor < product) return quotient + 1;
  return (quotient - 1) * divisor >= product ? quotient - 1 : quotient;
}

/** Adds nano amounts, saturating at MAX_NANOS so a runaway sum never loses exactness silently. */
export function addNanos(a: number, b: number): number {
  const sum = a + b;
  return Math.min(sum, MAX_NANOS);
}
