import type { BudgetNode } from '../budget/budget-node.js';
import { nanosToUsd } from '../core/money.js';
import type { ResolvedAnomalyOptions } from './anomaly-options.js';
import type { RunBaseline } from './run-baseline.js';

/**
 * Watches one run against its workflow's baseline: its total cost, and its spend within a sliding
 * window. Each kind is flagged once per run; in `kill` mode the run is killed — and a call that would
 * take the run past the limit is refused before it is sent.
 */
export class RunAnomalyMonitor {
  anomalies = 0;
  readonly #node: BudgetNode;
  readonly #baseline: RunBaseline;
  readonly #options: ResolvedAnomalyOptions;
  readonly #flagged = new Set<'run-cost' | 'spend-rate'>();
  readonly #recent: Array<{ ts: number; cost: number }> = [];
  #recentSum = 0;

  /** `node` is the run's scope: events carry its run id and workflow. */
  constructor(node: BudgetNode, baseline: RunBaseline, options: ResolvedAnomalyOptions) {
    this.#node = node;
    this.#baseline = baseline;
    this.#options = options;
  }

  get #costLimit(): number {
    return this.#baseline.p99Nanos * this.#options.multiple;
  }

  /** Before an admission (kill mode): would this call take the run past the limit? */
  beforeAdmit(amountNanos: number): void {
    if (this.#options.action !== 'kill') return;
    const projected = this.#node.spentNanos + this.#node.heldNanos + amountNanos;
    if (projected > this.#costLimit) {
      this.#flag('run-cost', 'projected', projected, this.#baseline.p99Nanos, this.#options.multiple);
    }
  }

  afterSettle(costNanos: number, now: number): void {
    if (this.#node.spentNanos > this.#costLimit)
      this.#flag('run-cost', 'spent', this.#node.spentNanos, this.#baseline.p99Nanos, this.#options.multiple);
    this.#recent.push({ ts: now, cost: costNanos });
    this.#recentSum += costNanos;
    while ((this.#recent[0]?.ts ?? now) <= now - this.#options.rateWindowMs)
      this.#recentSum -= this.#recent.shift()?.cost ?? 0;
    const rateLimit = this.#baseline.peakRateP99Nanos * this.#options.rateMultiple;
    if (this.#baseline.peakRateP99Nanos > 0 && this.#recentSum > rateLimit) {
      this.#flag('spend-rate', 'spent', this.#recentSum, this.#baseline.peakRateP99Nanos, this.#options.rateMultiple);
    }
  }

  #flag(
    kind: 'run-cost' | 'spend-rate',
    basis: 'spent' | 'projected',
    valueNanos: number,
    baselineNanos: number,
    multiple: number,
  ): void {
    if (this.#flagged.has(kind)) return;
    this.#flagged.add(kind);
    this.anomalies += 1;
    const message = anomalyMessage(
      kind,
      basis,
      valueNanos,
      this.#node.spentNanos,
      baselineNanos,
      multiple,
      this.#options,
    );
    this.#node.emit({
      type: 'anomaly-detected',
      kind,
      basis,
      valueUsd: nanosToUsd(valueNanos),
      spentUsd: nanosToUsd(this.#node.spentNanos),
      baselineUsd: nanosToUsd(baselineNanos),
      multiple,
      baselineRuns: this.#baseline.runs,
      action: this.#options.action,
      message,
    });
    if (this.#options.action === 'kill') this.#node.engageKill(`anomaly: ${message}`);
  }
}

const usd = (nanos: number) => `$${nanosToUsd(nanos).toFixed(4)}`;

/**
 * Says what was measured: a projection (spend so far plus held calls plus the worst case of the call being
 * admitted, in kill mode) is never called the run's cost — the run may have spent nothing yet.
 */
function anomalyMessage(
  kind: 'run-cost' | 'spend-rate',
  basis: 'spent' | 'projected',
  valueNanos: number,
  spentNanos: number,
  baselineNanos: number,
  multiple: number,
  options: ResolvedAnomalyOptions,
): string {
  if (kind === 'spend-rate') {
    return `spent ${usd(valueNanos)} within ${options.rateWindowMs / 1000} s, more than ${multiple}× the workflow's p99 peak of ${usd(baselineNanos)}`;
  }
  const limit = `more than ${multiple}× the workflow's p99 run cost of ${usd(baselineNanos)}`;
  if (basis === 'spent') return `the run spent ${usd(valueNanos)}, ${limit}`;
  return `the next call's worst case would take the run to a projected ${usd(valueNanos)} (spent so far ${usd(spentNanos)}), ${limit}`;
}
