import { InvalidOptionsError } from '../errors/invalid-options-error.js';

/** Anomaly detection per workflow, from the run history in the store. */
export interface AnomalyOptions {
  /** A run is anomalous once its cost passes this multiple of its workflow's p99 run cost. @default 3 */
  multiple?: number;
  /** …or once it spends more than this multiple of the baseline's peak spend within `rateWindowMs`. @default 3 */
  rateMultiple?: number;
  /** The sliding window for spend-rate spikes, ms. @default 60000 */
  rateWindowMs?: number;
  /** Clean finished runs needed before there is a baseline; until then nothing is flagged. @default 20 */
  minRuns?: number;
  /** How many recent runs the baseline looks at. @default 500 */
  historyRuns?: number;
  /** `alert`: emit `anomaly-detected` and mark the run; `kill`: also kill the run before it spends more. @default 'alert' */
  action?: 'alert' | 'kill';
  /** `budget: 'auto'` gives a run this multiple of its workflow's p99 run cost. @default 2 */
  autoBudgetMultiple?: number;
  /** `budget: 'auto'` on a cold start (no baseline yet), USD; without it such runs have no limit of their own. */
  coldStartBudget?: number;
}

export type ResolvedAnomalyOptions = Required<Omit<AnomalyOptions, 'coldStartBudget'>> & {
  coldStartBudget: number | undefined;
};

const KEYS = [
  'multiple',
  'rateMultiple',
  'rateWindowMs',
  'minRuns',
  'historyRuns',
  'action',
  'autoBudgetMultiple',
  'coldStartBudget',
];

function positive(value: unknown, option: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
    throw new InvalidOptionsError(`anomaly.${option}`, `expected a positive ${integer ? 'whole ' : ''}number`);
  }
  return value;
}

/** Validated options; `undefined` and `false` (detection off) give undefined. */
export function resolveAnomalyOptions(options: unknown): ResolvedAnomalyOptions | undefined {
  if (options === undefined || options === false) return undefined;
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('anomaly', 'expected an options object, or false to turn detection off');
  const given = options as AnomalyOptions;
  for (const key of Object.keys(given))
    if (!KEYS.includes(key)) throw new InvalidOptionsError(`anomaly.${key}`, 'unknown option');
  if (given.action !== undefined && given.action !== 'alert' && given.action !== 'kill') {
    throw new InvalidOptionsError('anomaly.action', "expected 'alert' or 'kill'");
  }
  return {
    multiple: positive(given.multiple, 'multiple', 3),
    rateMultiple: positive(given.rateMultiple, 'rateMultiple', 3),
    rateWindowMs: positive(given.rateWindowMs, 'rateWindowMs', 60_000, true),
    minRuns: positive(given.minRuns, 'minRuns', 20, true),
    historyRuns: positive(given.historyRuns, 'historyRuns', 500, true),
    action: given.action ?? 'alert',
    autoBudgetMultiple: positive(given.autoBudgetMultiple, 'autoBudgetMultiple', 2),
    coldStartBudget:
      given.coldStartBudget === undefined ? undefined : positive(given.coldStartBudget, 'coldStartBudget', 0),
  };
}
