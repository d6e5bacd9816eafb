import { hasCode, TokenFenceError } from './token-fence-error.js';

/**
 * A shared store already holds something else under the same name: a scope with another limit (pass
 * `update: true` to replace it), or a reservation id settled another way than this settlement asks.
 */
export class SharedBudgetConflictError extends TokenFenceError {
  /** `limit`: the scope exists with another limit; `reservation`: the id was already ended differently. */
  readonly conflict: 'limit' | 'reservation';
  /** The scope's id in the store, or the reservation id. */
  readonly key: string;

  constructor(conflict: 'limit' | 'reservation', key: string, problem: string) {
    super('SHARED_BUDGET_CONFLICT', `TokenFence shared budget conflict on ${JSON.stringify(key)}: ${problem}`);
    this.conflict = conflict;
    this.key = key;
  }

  static override isInstance(error: unknown): error is SharedBudgetConflictError {
    return hasCode(error, 'SHARED_BUDGET_CONFLICT');
  }
}

export const isSharedBudgetConflictError = (error: unknown): error is SharedBudgetConflictError =>
  SharedBudgetConflictError.isInstance(error);
