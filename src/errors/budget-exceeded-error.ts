import { formatUsd, hasCode, TokenFenceError } from './token-fence-error.js';

export interface BudgetExceededDetails {
  /** Label of the budget scope that refused the call. */
  label: string;
  /** That scope's limit, USD. */
  budget: number;
  /** Settled spend of that scope, USD. */
  spent: number;
  /** Held by in-flight calls of that scope, USD. */
  reserved: number;
  /** Worst-case cost of the refused call, USD. */
  requested: number;
  /** The model the refused call asked for. */
  model?: string;
}

/** A call's worst-case cost does not fit an enclosing budget. Never retried, never sent. */
export class BudgetExceededError extends TokenFenceError {
  readonly label: string;
  readonly budget: number;
  readonly spent: number;
  readonly reserved: number;
  readonly requested: number;
  readonly model: string | undefined;

  constructor(details: BudgetExceededDetails) {
    const left = details.budget - details.spent - details.reserved;
    super(
      'BUDGET_EXCEEDED',
      `Budget "${details.label}" would be exceeded: the call needs up to ${formatUsd(details.requested)}, ` +
        `${formatUsd(left)} of ${formatUsd(details.budget)} left. Raise the budget, lower max_tokens, or set fallback.`,
    );
    this.label = details.label;
    this.budget = details.budget;
    this.spent = details.spent;
    this.reserved = details.reserved;
    this.requested = details.requested;
    this.model = details.model;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasCode(error, 'BUDGET_EXCEEDED');
  }
}

export const isBudgetExceededError = (error: unknown): error is BudgetExceededError =>
  BudgetExceededError.isInstance(error);
