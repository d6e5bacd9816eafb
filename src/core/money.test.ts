import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToNanos, MAX_NANOS, mulDivCeil, usdToNanos } from './money.js';

describe('decimalToNanos', () => {
  it.each([
    [2.5, 2_500_000_000],
    [0.15, 150_000_000],
    [0.075, 75_000_000],
    ['0.30', 300_000_000],
    ['$1.50', 1_500_000_000],
    [2.5e-6, 2_500],
    ['1e-9', 1],
    [0, 0],
    ['12', 12_000_000_000],
  ])('converts %s exactly', (value, nanos) => {
    expect(decimalToNanos(value, 'floor')).toBe(nanos);
  });

  it('rounds digits below one nano-dollar down for budgets and up for prices', () => {
    expect(decimalToNanos('0.0000000015', 'floor')).toBe(1);
    expect(decimalToNanos('0.0000000015', 'ceil')).toBe(2);
  });

  it.each(['abc', '', '-1', '1.2.3', '$', 'NaN', '1e999999999', '0x10'])('rejects %j', (value) => {
    expect(decimalToNanos(value, 'floor')).toBeNull();
  });

  it('rejects amounts above 2^53 − 1 nano-dollars', () => {
    expect(decimalToNanos('9007199.254740991', 'floor')).toBe(MAX_NANOS);
    expect(decimalToNanos('9007199.254740992', 'floor')).toBeNull();
  });

  it('agrees with exact rational arithmetic on random decimals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 12 }), (units, scale) => {
        const text = (Number(units) / 10 ** scale).toString().includes('e')
          ? null
          : `${units / 10n ** BigInt(scale)}.${(units % 10n ** BigInt(scale)).toString().padStart(scale, '0')}`;
        if (text === null || scale === 0) return;
        const exact = units * 10n ** 9n;
        const divisor = 10n ** BigInt(scale);
        const floor = exact / divisor;
        const ceil = exact % divisor === 0n ? floor : floor + 1n;
        if (ceil > BigInt(MAX_NANOS)) return;
        expect(decimalToNanos(text, 'floor')).toBe(Number(floor));
        expect(decimalToNanos(text, 'ceil')).toBe(Number(ceil));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('usdToNanos', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, -0.01, '-$1', null, undefined, {}, [], true])(
    'rejects %j',
    (value) => {
      expect(usdToNanos(value)).toBeNull();
    },
  );
});

describe('mulDivCeil', () => {
  it('is the exact ceiling of a × b / d, also past 2^53', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.integer({ min: 0, max: 150_000_000_000 }),
        (tokens, rate) => {
          const exact = BigInt(tokens) * BigInt(rate);
          const expected = (exact + 999_999n) / 1_000_000n;
          expect(mulDivCeil(tokens, rate, 1_000_000)).toBe(Number(expected));
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
