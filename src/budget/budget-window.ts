/** The length of a time-window budget. Windows are aligned to UTC. */
export type WindowPeriod = 'hour' | 'day' | 'month';

export const WINDOW_PERIODS: readonly WindowPeriod[] = ['hour', 'day', 'month'];

/** Start (epoch ms, UTC) of the window that contains `now`. */
export function windowStart(period: WindowPeriod, now: number): number {
  if (period === 'hour') return Math.floor(now / 3_600_000) * 3_600_000;
  if (period === 'day') return Math.floor(now / 86_400_000) * 86_400_000;
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** A scope's time window: its period and how to read what was already spent in a window (persisted). */
export interface BudgetWindow {
  period: WindowPeriod;
  /** Spend already recorded for this scope since `start` (from the store, so a restart does not reset it). */
  loadSpent(start: number): number;
}

/** End (epoch ms, UTC, exclusive) of the window that starts at `start`: the start of the next one. */
export function windowEnd(period: WindowPeriod, start: number): number {
  if (period === 'hour') return start + 3_600_000;
  if (period === 'day') return start + 86_400_000;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** Start of the window before the one that starts at `start`. */
export function previousWindowStart(period: WindowPeriod, start: number): number {
  return windowStart(period, start - 1);
}
