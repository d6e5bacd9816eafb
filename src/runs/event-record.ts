import type { BudgetNode } from '../budget/budget-node.js';
import type { TokenFenceEvent } from '../events/events.js';
import type { EventRecord } from '../ledger/ledger-records.js';

/** An event as the ledger keeps it: its own fields as JSON, attributed to its scope and run. */
export function eventRecord(event: TokenFenceEvent, scope: BudgetNode): EventRecord {
  const {
    type,
    timestamp,
    label: _label,
    path: _path,
    runId: _runId,
    workflow: _workflow,
    agent: _agent,
    ...fields
  } = event;
  return {
    ts: timestamp,
    type,
    runId: scope.attribution?.runId ?? null,
    workflow: scope.attribution?.workflow ?? null,
    scope: scope.pathString,
    data: JSON.stringify(fields),
  };
}
