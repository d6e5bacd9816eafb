/** What a forecast is computed from: one scope's spend so far in its period, and the period. */
export interface ForecastInput {
  /** Spend in the period so far, nano-USD (every process's, for a shared scope). */
  spentNanos: number;
  /** The scope's budget, nano-USD; null without one (then nothing runs out). */
  budgetNanos: number | null;
  /** Start of the period (a window's start, a run's start), epoch ms. */
  startsAt: number;
  /** End of the period, epoch ms; null when it has no known end (nothing is projected past now). */
  endsAt: number | null;
  now: number;
  /**
   * Spend rate of the previous period, nano-USD per ms, when there is one (the last window's spend over
   * its length): early in a period, when little has been seen, the projection leans on it.
   */
  historyRate?: number | null | undefined;
}

export interface SpendForecast {
  /** Projected spend at the end of the period, nano-USD (the spend so far when the period has no end). */
  projectedNanos: number;
  /** When the budget runs out at the projected rate; `now` if it already has; null if it outlasts the period. */
  exhaustsAt: number | null;
  /** Share of the period elapsed, 0–1 (1 for a period without an end). */
  elapsedShare: number;
}

/**
 * A linear projection: the period's spend rate so far carried to its end. With history, the rate is a
 * blend weighted by how much of the period has elapsed — the previous period's rate at the start, the
 * current one's by the end — so one early burst does not predict a month on its own, and a quiet start
 * does not hide a known daily spend.
 */
export function forecastSpend(input: ForecastInput): SpendForecast {
  const { spentNanos, budgetNanos, startsAt, endsAt, now } = input;
  const exhausted = budgetNanos !== null && spentNanos >= budgetNanos;
  if (endsAt === null || endsAt <= now) {
    return { projectedNanos: spentNanos, exhaustsAt: exhausted ? now : null, elapsedShare: 1 };
  }
  const elapsed = Math.max(0, now - startsAt);
  const elapsedShare = Math.min(1, elapsed / Math.max(1, endsAt - startsAt));
  const currentRate = elapsed === 0 ? 0 : spentNanos / elapsed;
  const history = input.historyRate;
  const rate =
    history === null || history === undefined ? currentRate : elapsedShare * currentRate + (1 - elapsedShare) * history;
  const projectedNanos = Math.ceil(spentNanos + rate * (endsAt - now));
  let exhaustsAt: number | null = null;
  if (exhausted) exhaustsAt = now;
  else if (budgetNanos !== null && rate > 0) {
    const at = Math.ceil(now + (budgetNanos - spentNanos) / rate);
    exhaustsAt = at < endsAt ? at : null;
  }
  return { projectedNanos, exhaustsAt, elapsedShare };
}
