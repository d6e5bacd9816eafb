import { AsyncLocalStorage } from 'node:async_hooks';
import type { BudgetNode } from '../budget/budget-node.js';

/** Where calls made inside `fence.run()` / `fence.agent()` count. */
export interface CallContext {
  /** The innermost scope: the agent's, or the run's outside any agent. */
  node: BudgetNode;
  /** The public object of that scope (a TokenFence), parent of agents started inside it. */
  owner: unknown;
}

/**
 * Created on the first `run()` / `agent()`, never before: on Node 20 an active AsyncLocalStorage puts
 * hooks on every promise in the process, so users of explicit scopes only (`fence.guard()`) never pay.
 */
let storage: AsyncLocalStorage<CallContext> | undefined;

export function currentCallContext(): CallContext | undefined {
  return storage?.getStore();
}

export function runInContext<T>(context: CallContext, fn: () => T): T {
  storage ??= new AsyncLocalStorage<CallContext>();
  return storage.run(context, fn);
}
