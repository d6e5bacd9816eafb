import type { SharedScope } from '../../src/budget/shared-budget-store.js';

/** The three scopes the multi-process tests reserve across: workflow (limited or not), agent, client. */
export function scopesOf(limitNanos: number | null): SharedScope[] {
  return [
    { key: 'wf', killKey: 'wf', limitNanos },
    { key: 'wf/agent', killKey: 'wf/agent', limitNanos: null },
    { key: 'wf/agent/client', killKey: 'wf/agent/client', limitNanos: null },
  ];
}
