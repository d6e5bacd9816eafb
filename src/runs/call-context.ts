import { AsyncLocalStorage } from 'node:async_hooks';
import type { BudgetNode } from '../budget/budget-node.js';

/** Where calls made inside `fence.run()` / `fence.agent()` count: the run, and the agent within it. */
export interface CallContext {
  /** The innermost scope: the agent's, or the run's outside any agent. */
  node: BudgetNode;
  runId: string | undefined;
  workflow: string | undefined;
  agent: string | undefined;
  /** The run's own scope, for agents created inside it. */
  runNode: BudgetNode | undefined;
  /** Agent scopes of this run by label: parallel invocations of one agent role share one budget. */
  agents: Map<string, BudgetNode> | undefined;
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
