import { usdToNanos } from '../core/money.js';
import { tagKeyProblem, tagValueProblem } from '../core/tag-rules.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { WINDOW_PERIODS, type WindowPeriod } from './budget-window.js';

/** A budget for each value of one tag, renewed every UTC hour, day or month. */
export interface TagWindowBudget {
  /** USD per window and per tag value: a number or a string such as "$50". */
  usd: number | string;
  per: WindowPeriod;
}

/**
 * The budget of one tag key: the short form (the same budget for every value), or a default with
 * per-value overrides. Without `default`, only the listed values have a budget.
 */
export type TagBudget = TagWindowBudget | { default?: TagWindowBudget; values?: Record<string, TagWindowBudget> };

/** `tagBudgets`: tag key → the budget each of its values gets. */
export type TagBudgets = Record<string, TagBudget>;

export interface ResolvedTagWindow {
  period: WindowPeriod;
  limitNanos: number;
  /** The amount as given (number or "$50"), for the scope's own `budget` option. */
  usd: number | string;
}

export interface ResolvedTagKey {
  default: ResolvedTagWindow | undefined;
  values: ReadonlyMap<string, ResolvedTagWindow>;
}

export type ResolvedTagBudgets = ReadonlyMap<string, ResolvedTagKey>;

function resolveWindowBudget(given: unknown, option: string): ResolvedTagWindow {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new InvalidOptionsError(option, "expected { usd, per: 'hour' | 'day' | 'month' }");
  }
  for (const key of Object.keys(given)) {
    if (key !== 'usd' && key !== 'per') throw new InvalidOptionsError(`${option}.${key}`, 'unknown field');
  }
  const { usd, per } = given as { usd?: unknown; per?: unknown };
  const limitNanos = usdToNanos(usd);
  if (limitNanos === null) throw new InvalidOptionsError(`${option}.usd`, 'expected a finite USD amount ≥ 0');
  if (!WINDOW_PERIODS.includes(per as WindowPeriod)) {
    throw new InvalidOptionsError(`${option}.per`, `expected ${WINDOW_PERIODS.map((p) => `'${p}'`).join(', ')}`);
  }
  return { period: per as WindowPeriod, limitNanos, usd: usd as number | string };
}

/** Validates `tagBudgets`; undefined when not given. */
export function resolveTagBudgets(option: unknown): ResolvedTagBudgets | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new InvalidOptionsError(
      'tagBudgets',
      "expected { <tag key>: { usd, per } }, e.g. { tenant: { usd: 50, per: 'month' } }",
    );
  }
  const resolved = new Map<string, ResolvedTagKey>();
  for (const [key, budget] of Object.entries(option)) {
    const problem = tagKeyProblem(key);
    if (problem) throw new InvalidOptionsError(`tagBudgets.${key.slice(0, 64)}`, problem);
    const option = `tagBudgets.${key}`;
    if (typeof budget !== 'object' || budget === null) {
      throw new InvalidOptionsError(option, 'expected { usd, per } or { default?, values? }');
    }
    if ('usd' in budget || 'per' in budget) {
      resolved.set(key, { default: resolveWindowBudget(budget, option), values: new Map() });
      continue;
    }
    for (const field of Object.keys(budget)) {
      if (field !== 'default' && field !== 'values')
        throw new InvalidOptionsError(`${option}.${field}`, 'unknown field');
    }
    const { default: fallback, values } = budget as { default?: unknown; values?: unknown };
    const perValue = new Map<string, ResolvedTagWindow>();
    if (values !== undefined) {
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        throw new InvalidOptionsError(`${option}.values`, 'expected { <tag value>: { usd, per } }');
      }
      for (const [value, window] of Object.entries(values)) {
        const valueProblem = tagValueProblem(value);
        if (valueProblem) throw new InvalidOptionsError(`${option}.values`, valueProblem);
        perValue.set(value, resolveWindowBudget(window, `${option}.values.${value}`));
      }
    }
    if (fallback === undefined && perValue.size === 0) {
      throw new InvalidOptionsError(option, 'give a `default` budget, `values`, or both');
    }
    resolved.set(key, {
      default: fallback === undefined ? undefined : resolveWindowBudget(fallback, `${option}.default`),
      values: perValue,
    });
  }
  return resolved.size === 0 ? undefined : resolved;
}

/** The budget of one tag value: its override, else the key's default; undefined when it has none. */
export function tagWindowOf(budgets: ResolvedTagBudgets, key: string, value: string): ResolvedTagWindow | undefined {
  const config = budgets.get(key);
  return config?.values.get(value) ?? config?.default;
}
