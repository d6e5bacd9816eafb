import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_FORMATS } from '../support/wire-formats.js';
import { type FuzzRun, fuzzFormat, summarise } from '../support/wire-fuzz-run.js';

/**
 * Every wire format, 1,000 bad bodies each (seeded, replayable: the seed is the format's index), driven
 * through the real SDK twice — raw, and guarded — with the SDK's `fetch` answering from memory. Rules:
 * no hold outlives its call; the caller sees exactly what the raw SDK shows for the same body; no 2xx
 * answer is booked $0; shape damage (truncated, wrong type, random bytes, HTML, JSON errors with 200, …)
 * is charged the hold, HTTP errors release it; damaged usage (garbage counts, missing required counts) is
 * charged the hold too, intact usage is priced exactly.
 */
const BODIES = Number(process.env.TOKENFENCE_FUZZ_BODIES ?? 1_000);
const runs: FuzzRun[] = [];

afterAll(() => {
  if (process.env.TOKENFENCE_FUZZ_REPORT !== '1') return;
  for (const run of runs) {
    const count = (rule: string) => run.failures.filter((failure) => failure.rule === rule).length;
    process.stdout.write(
      `${run.format}: ${run.bodies} bodies, leaked holds ${count('leaked hold')}, $0 bookings ${count('booked $0')}, ` +
        `error mismatches ${count('error mismatch')}, expectation misses ${count('expectation')} ` +
        `(structural ${run.failures.filter((f) => f.rule === 'expectation' && f.group === 'structural').length}), ` +
        `covered ${JSON.stringify(run.covered)}\n${summarise(run.failures, 40)}\n\n`,
    );
  }
});

describe.each(WIRE_FORMATS.map((format, index) => ({ format, seed: index + 1 })))(
  '$format.name',
  ({ format, seed }) => {
    let run: FuzzRun;
    beforeAll(async () => {
      run = await fuzzFormat(format, Math.min(BODIES, format.bodies ?? BODIES), seed);
      runs.push(run);
    }, 60_000);
    const failuresOf = (rule: string, group?: string) =>
      run.failures.filter((failure) => failure.rule === rule && (group === undefined || failure.group === group));

    it('leaks no hold: every attempt ends, and ends in the ledger', () => {
      expect(summarise(failuresOf('leaked hold'))).toBe('');
    });
    it('shows the caller exactly what the raw SDK shows for the same body (error class, status, message, items)', () => {
      expect(summarise(failuresOf('error mismatch'))).toBe('');
    });
    it('books no 2xx answer at $0 and no cost below its hold when estimated', () => {
      expect(summarise([...failuresOf('booked $0', 'structural'), ...failuresOf('invalid booking')])).toBe('');
    });
    it('charges shape damage the hold, releases HTTP errors, and prices intact usage exactly', () => {
      expect(summarise(failuresOf('expectation', 'structural'))).toBe('');
    });
    it('charges damaged usage as unknown (the hold, never $0) and prices intact usage exactly', () => {
      expect(
        summarise([...failuresOf('booked $0', 'garbage-usage'), ...failuresOf('expectation', 'garbage-usage')]),
      ).toBe('');
    });
  },
);
