/** A clock a test moves by hand: pass it as `clock` to make windows, durations and baselines deterministic. */
export interface FakeClock {
  now(): number;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
  /** Sets the clock to an epoch-ms time or a Date. */
  set(time: number | Date): void;
}

/** A fake clock starting at `start` (epoch ms or Date; default 2026-01-01T00:00:00Z). */
export function createFakeClock(start: number | Date = Date.UTC(2026, 0, 1)): FakeClock {
  let current = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => current,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance() takes milliseconds ≥ 0, got ${ms}`);
      current += ms;
    },
    set(time) {
      current = typeof time === 'number' ? time : time.getTime();
    },
  };
}
