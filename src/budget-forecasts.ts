import type { BudgetNode } from './budget/budget-node.js';
import { previousWindowStart, type WindowPeriod, windowEnd, windowStart } from './budget/budget-window.js';
import { forecastSpend, type SpendForecast } from './budget/forecast-spend.js';
import { nanosToUsd } from './core/money.js';
import { percentile } from './core/percentile.js';
import type { LedgerStore } from './ledger/ledger-store.js';

/** One budget's projection: what `fence.forecast()` returns per scope. */
export interface BudgetForecast {
  /** The scope's name in the ledger and the shared store (`default`, `default/research-report`, `tag:tenant=acme`). */
  scope: string;
  /** The tag value a tag budget is for; null for every other scope. */
  tag: { key: string; value: string } | null;
  /** The run a run's budget is for (two runs of a workflow share a scope name); null for every other scope. */
  runId: string | null;
  spentUsd: number;
  /** Projected spend at the end of the period, USD. */
  projectedUsd: number;
  budgetUsd: number;
  /** End of the window (or the run's expected end); null when the period has no known end. */
  windowEndsAt: Date | null;
  /** When the budget runs out at the projected rate; null when it outlasts the period. */
  exhaustsAt: Date | null;
}

/** A scope to forecast: its node, the tag value it budgets (tag scopes), the run it is (runs). */
export interface ForecastSource {
  node: BudgetNode;
  tag?: { key: string; value: string } | null;
  run?: { workflow: string; runId: string } | undefined;
}

/** Finished runs a run's expected length is read from (the most recent ones). */
const RUN_HISTORY = 50;

/**
 * A run has no window: its period is the run itself, from its start to its expected end — its start plus
 * the median length of the workflow's last 50 finished runs in the ledger. A run past that length, or of
 * a workflow with no finished run yet, has no known end: it is projected at its spend so far.
 */
function expectedRunEnd(store: LedgerStore, workflow: string, startedAt: number, now: number): number | null {
  const durations = store
    .queryRuns({ workflow })
    .slice(-RUN_HISTORY)
    .map((run) => run.endedAt - run.startedAt)
    .sort((a, b) => a - b);
  if (durations.length === 0) return null;
  const end = startedAt + percentile(durations, 0.5);
  return end > now ? end : null;
}

function forecastOf(source: ForecastSource, store: LedgerStore): SpendForecast & { endsAt: number | null } {
  const node = source.node;
  const windowed = node.forecastWindow();
  if (windowed) return windowed;
  const now = node.now();
  // A scope with neither a window nor a run (a lifetime budget) has no end: its spend is its projection.
  const endsAt = source.run ? expectedRunEnd(store, source.run.workflow, node.createdAt, now) : null;
  return {
    ...forecastSpend({
      spentNanos: node.spentNanos + node.othersNanos,
      budgetNanos: node.limitNanos,
      startsAt: node.createdAt,
      endsAt,
      now,
    }),
    endsAt,
  };
}

/** Projections of every budgeted scope among `sources` (scopes without a budget are left out). */
export function forecastBudgets(sources: Iterable<ForecastSource>, store: LedgerStore): BudgetForecast[] {
  const forecasts: BudgetForecast[] = [];
  const seen = new Set<BudgetNode>();
  for (const source of sources) {
    const node = source.node;
    if (node.limitNanos === null || seen.has(node)) continue;
    seen.add(node);
    const forecast = forecastOf(source, store);
    forecasts.push({
      scope: node.shared?.id ?? node.pathString,
      tag: source.tag ?? null,
      runId: source.run?.runId ?? null,
      spentUsd: nanosToUsd(node.spentNanos + node.othersNanos),
      projectedUsd: nanosToUsd(forecast.projectedNanos),
      budgetUsd: nanosToUsd(node.limitNanos),
      windowEndsAt: forecast.endsAt === null ? null : new Date(forecast.endsAt),
      exhaustsAt: forecast.exhaustsAt === null ? null : new Date(forecast.exhaustsAt),
    });
  }
  return forecasts;
}

/** A scope's forecast from the ledger alone (`tokenfence forecast`), with its sums in nano-USD too. */
export interface LedgerForecast extends Omit<BudgetForecast, 'budgetUsd' | 'windowEndsAt'> {
  budgetUsd: number | null;
  windowEndsAt: Date;
  spentNanos: number;
  projectedNanos: number;
}

/**
 * Forecasts of ledger scopes (by their ledger path) for the current `period` window, from what the
 * ledger recorded in it and in the window before: what a process that holds no fence can tell.
 */
export function forecastFromLedger(
  store: LedgerStore,
  options: { scopes: readonly string[]; period: WindowPeriod; budgetNanos: number | null; now: number },
): LedgerForecast[] {
  const { period, budgetNanos, now } = options;
  const start = windowStart(period, now);
  const end = windowEnd(period, start);
  const previous = previousWindowStart(period, start);
  return options.scopes.map((scope) => {
    const spentNanos = store.sumCost(scope, start);
    const previousNanos = store.sumCost(scope, previous) - spentNanos;
    const forecast = forecastSpend({
      spentNanos,
      budgetNanos,
      startsAt: start,
      endsAt: end,
      now,
      historyRate: previousNanos > 0 ? previousNanos / (start - previous) : null,
    });
    return {
      scope,
      tag: null,
      runId: null,
      spentUsd: nanosToUsd(spentNanos),
      projectedUsd: nanosToUsd(forecast.projectedNanos),
      budgetUsd: budgetNanos === null ? null : nanosToUsd(budgetNanos),
      windowEndsAt: new Date(end),
      exhaustsAt: forecast.exhaustsAt === null ? null : new Date(forecast.exhaustsAt),
      spentNanos,
      projectedNanos: forecast.projectedNanos,
    };
  });
}
