import { type CallCounts, countCall } from './count-calls.js';
import type { CallRecord } from './ledger-records.js';

/**
 * How `LedgerStore.groupCalls` groups: per run, per workflow, per agent role, per model, or per
 * (workflow, agent) pair.
 */
export type CallGrouping = 'run' | 'workflow' | 'agent' | 'model' | 'workflow-agent';

/** Calls of one group, summed. Keys not of the grouping are null. `calls` counts every record. */
export interface CallGroup extends CallCounts {
  runId: string | null;
  workflow: string | null;
  agent: string | null;
  provider: string | null;
  model: string | null;
  costNanos: number;
  /** The part of `costNanos` that is per-use and per-request fees. */
  feeNanos: number;
  inputTokens: number;
  outputTokens: number;
  /** Earliest call of the group, epoch ms. */
  firstTs: number;
}

type GroupKey = Pick<CallGroup, 'runId' | 'workflow' | 'agent' | 'provider' | 'model'>;

function keyOf(record: CallRecord, by: CallGrouping, perRun: boolean): GroupKey {
  const none = { runId: perRun ? record.runId : null, workflow: null, agent: null, provider: null, model: null };
  if (by === 'run') return { ...none, runId: record.runId, workflow: record.workflow };
  if (by === 'workflow') return { ...none, workflow: record.workflow };
  if (by === 'agent') return { ...none, agent: record.agent };
  if (by === 'model') return { ...none, provider: record.provider, model: record.modelUsed };
  return { ...none, workflow: record.workflow, agent: record.agent };
}

/**
 * The reference grouping, over records in memory (the memory store's, and what a SQL store's GROUP BY
 * must equal). `run` and `workflow-agent` groups leave out calls made outside any run. `perRun` splits
 * every group by run as well (`runId` set; calls outside any run form their own group with `runId`
 * null): what per-run statistics of a grouping (an agent's p99 cost per run) are computed from.
 */
export function groupCallRecords(records: readonly CallRecord[], by: CallGrouping, perRun = false): CallGroup[] {
  const groups = new Map<string, CallGroup>();
  for (const record of records) {
    if ((by === 'run' || by === 'workflow-agent') && record.runId === null) continue;
    const key = keyOf(record, by, perRun);
    const id = JSON.stringify(key);
    let group = groups.get(id);
    if (!group) {
      group = {
        ...key,
        calls: 0,
        sentCalls: 0,
        blockedCalls: 0,
        killedCalls: 0,
        costNanos: 0,
        feeNanos: 0,
        inputTokens: 0,
        outputTokens: 0,
        firstTs: record.ts,
      };
      groups.set(id, group);
    }
    countCall(group, record.outcome);
    group.costNanos += record.costNanos;
    group.feeNanos += record.feeNanos;
    group.inputTokens +=
      record.inputUncached + record.inputCacheRead + record.inputCacheWrite5m + record.inputCacheWrite1h;
    group.outputTokens += record.outputText + record.outputReasoning;
    group.firstTs = Math.min(group.firstTs, record.ts);
  }
  return [...groups.values()];
}
