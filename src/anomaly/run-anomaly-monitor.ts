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
    if (projected > this.#costLimit) this.#flag('run-cost', projected, this.#baseline.p99Nanos, this.#options.multiple);
  }

  afterSettle(costNanos: number, now: number): void {
    if (this.#node.spentNanos > this.#costLimit)
      this.#flag('run-cost', this.#node.spentNanos, this.#baseline.p99Nanos, this.#options.multiple);
    this.#recent.push({ ts: now, cost: costNanos });
    this.#recentSum += costNanos;
    while ((this.#recent[0]?.ts ?? now) <= now - this.#options.rateWindowMs)
      this.#recentSum -= this.#recent.shift()?.cost ?? 0;
    const rateLimit = this.#baseline.peakRateP99Nanos * this.#options.rateMultiple;
    if (this.#baseline.peakRateP99Nanos > 0 && this.#recentSum > rateLimit) {
      this.#flag('spend-rate', this.#recentSum, this.#baseline.peakRateP99Nanos, this.#options.rateMultiple);
    }
  }

  #flag(kind: 'run-cost' | 'spend-rate', valueNanos: number, baselineNanos: number, multiple: number): void {
    if (this.#flagged.has(kind)) return;
    this.#flagged.add(kind);
    this.anomalies += 1;
    this.#node.emit({
      type: 'anomaly-detected',
      kind,
      valueUsd: nanosToUsd(valueNanos),
      baselineUsd: nanosToUsd(baselineNanos),
      multiple,
      baselineRuns: this.#baseline.runs,
      action: this.#options.action,
    });
    if (this.#options.action === 'kill') {
      this.#node.engageKill(
        `anomaly: ${kind} ${nanosToUsd(valueNanos).toFixed(4)} USD > ${multiple}× baseline ${nanosToUsd(baselineNanos).toFixed(4)} USD`,
      );
    }
  }
}
