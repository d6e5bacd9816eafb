import type { TokenFenceEvent } from '../events/events.js';

/**
 * A projection of a scope's spend to the end of its window, for the alert's text. Nothing fills it yet
 * (forecasts come with `fence.forecast()`); when given, the message says where spend is heading.
 */
export interface AlertForecast {
  /** Projected spend at the end of the window (or run), USD. */
  projectedUsd: number;
  /** When the budget runs out at the current rate; null when it outlasts the window. */
  exhaustsAt: Date | null;
}

/** What an alert says, independent of the chat tool it goes to. */
export interface AlertMessage {
  /** One line naming the scope (or tag value) and what happened. */
  title: string;
  /** Title plus the figures: spend, budget, share, and the forecast when there is one. */
  text: string;
  /** The figures as label/value pairs, for cards and tables. */
  facts: readonly { name: string; value: string }[];
}

/** USD for people: cents from $0.01 up, more digits below (a $0.05 run budget is common). */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return 'no limit';
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(6).replace(/0+$/, '')}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function formatShare(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : 'over budget';
}

/** The scope as people name it: a tag value (`tenant=acme`), else its path, with the run it belongs to. */
export function scopeName(event: TokenFenceEvent): string {
  const tag = (event as { tag?: { key?: unknown; value?: unknown } | null }).tag;
  if (tag && typeof tag.key === 'string' && typeof tag.value === 'string') return `tag ${tag.key}=${tag.value}`;
  const path = event.path?.length ? event.path.join('/') : event.label;
  const run = event.runId === undefined ? '' : ` (run ${event.runId})`;
  return `${path}${run}`;
}

/** The alert's words and figures for an event (budget alerts in full; any other event by its type). */
export function alertMessage(event: TokenFenceEvent, forecast: AlertForecast | null = null): AlertMessage {
  const scope = scopeName(event);
  if (event.type !== 'budget-alert') {
    const title = `TokenFence: ${event.type} in ${scope}`;
    return { title, text: title, facts: [] };
  }
  const title = `TokenFence: ${scope} reached ${formatShare(event.threshold)} of its budget`;
  const facts = [
    { name: 'Spent', value: formatUsd(event.spentUsd) },
    { name: 'Budget', value: `${formatUsd(event.budgetUsd)}${event.windowStart === undefined ? '' : ' this window'}` },
    { name: 'Share', value: formatShare(event.usageRatio) },
  ];
  if (forecast) {
    facts.push({ name: 'Projected', value: `${formatUsd(forecast.projectedUsd)} at window end` });
    if (forecast.exhaustsAt) facts.push({ name: 'Runs out', value: forecast.exhaustsAt.toISOString() });
  }
  const figures = facts.map((fact) => `${fact.name.toLowerCase()} ${fact.value}`).join(', ');
  return { title, text: `${title}: ${figures}.`, facts };
}
