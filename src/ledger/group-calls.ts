import { type CallCounts, countCall } from './count-calls.js';
import type { CallRecord } from './ledger-records.js';

/**
/**
 * How `LedgerStore.groupCalls` groups: per run, per workflow, per agent role, per model, per (workflow, agent)
 * pair, per value of a tag (`tag:<key>`, calls without that tag left out) or per (tag value, run) pair
 * (`tag-run:<key>`: the same as `tag:<key>` split per run, calls outside any run left out).
 */
export type CallGrouping =
  | 'run'
  | 'workflow'
  | 'agent'
  | 'model'
  | 'workflow-agent'
  | `tag:${string}`
  | `tag-run:${string}`;

/** The tag key of a `tag:` or `tag-run:` grouping, else undefined. */
export function tagKeyOf(by: CallGrouping): string | undefined {
  if (by.startsWith('tag:')) return by.slice(4);
  if (by.startsWith('tag-run:')) return by.slice(8);
  return undefined;
}

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
  /** Of `calls`, those to a model without a known price (`costSource: 'unknown'`): their cost is not in `costNanos`. */
  unpricedCalls: number;
  /** Earliest call of the group, epoch ms. */
  firstTs: number;
  /** The tag's value, for a `tag:` or `tag-run:` grouping (absent for the others). */
  tag?: string | null;
}

type GroupKey = Pick<CallGroup, 'runId' | 'workflow' | 'agent' | 'provider' | 'model' | 'tag'>;

function keyOf(record: CallRecord, by: CallGrouping, perRun: boolean): GroupKey {
  const none = { runId: perRun ? record.runId : null, workflow: null, agent: null, provider: null, model: null };
  const tagKey = tagKeyOf(by);
  if (tagKey !== undefined) {
    const tag = record.tags?.[tagKey] ?? null;
    return by.startsWith('tag-run:') ? { ...none, runId: record.runId, tag } : { ...none, tag };
  }
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
  const tagKey = tagKeyOf(by);
  for (const record of records) {
    if ((by === 'run' || by === 'workflow-agent' || by.startsWith('tag-run:')) && record.runId === null) continue;
    if (tagKey !== undefined && (!record.tags || !Object.hasOwn(record.tags, tagKey))) continue;
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
        unpricedCalls: 0,
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
    if (record.costSource === 'unknown') group.unpricedCalls += 1;
    group.firstTs = Math.min(group.firstTs, record.ts);
  }
  return [...groups.values()];
}
