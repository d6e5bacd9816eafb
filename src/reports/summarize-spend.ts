import { nanosToUsd } from '../core/money.js';
import type { Tags } from '../core/tag-rules.js';
import { addCounts, type CallCounts, countCall, noCalls } from '../ledger/count-calls.js';
import type { CallGroup, CallGrouping } from '../ledger/group-calls.js';
import type { CallRecord, EventRecord } from '../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import { buildSpendRows, type SpendStats, totalOf, untaggedGroups } from './spend-rows.js';

export type { SpendStats } from './spend-rows.js';

/** `tag:<key>` groups by the values of one tag (`tag:tenant`). */
export type ReportGrouping = 'workflow' | 'agent' | 'model' | 'run' | `tag:${string}`;

export interface WorkflowRow extends SpendStats {
  workflow: string;
  /** Distinct agent roles seen in the workflow's runs. */
  agents: number;
  /** Records per run (sent, blocked and killed alike). */
  avgCalls: number;
  anomalies: number;
}

export interface AgentRow extends SpendStats {
  agent: string;
}

export interface ModelRow extends SpendStats {
  provider: string;
  model: string;
}

/** One value of a tag (`by: 'tag:<key>'`); calls without the tag are the `(none)` row. */
export interface TagRow extends SpendStats {
  value: string;
}

export interface RunCallRow {
  ts: number;
  model: string;
  modelUsed: string;
  inputTokens: number;
  outputTokens: number;
  costNanos: number;
  costSource: CallRecord['costSource'];
  attempt: number;
  outcome: CallRecord['outcome'];
}

export interface RunRow extends CallCounts {
  runId: string;
  workflow: string;
  startedAt: number;
  costNanos: number;
  costUsd: number;
  /** Of `calls`, those to a model without a known price: their cost is unknown, not in `costNanos`. */
  unpricedCalls: number;
  anomalies: number;
  agents: Array<CallCounts & { agent: string; costNanos: number; callList: RunCallRow[] }>;
}

/**
 * A report: its rows, most expensive first, and `total` — every call the filter matched, as one row
 * (`runs`, the split counts, cost, and the per-run figures over every run) — with `totalNanos` its cost.
 */
export type SpendReport =
  | { by: 'workflow'; rows: WorkflowRow[]; total: SpendStats; totalNanos: number }
  | { by: 'agent'; rows: AgentRow[]; total: SpendStats; totalNanos: number }
  | { by: 'model'; rows: ModelRow[]; total: SpendStats; totalNanos: number }
  | { by: 'run'; rows: RunRow[]; total: SpendStats; totalNanos: number }
  | { by: 'tag'; key: string; rows: TagRow[]; total: SpendStats; totalNanos: number };

export interface ReportOptions extends LedgerFilter {
  by: ReportGrouping;
  /** `by: 'run'`: only the most expensive N runs. */
  top?: number | undefined;
  /** `by: 'run'`: read each run's agent → call tree (`agents`); false leaves `agents` empty. @default true */
  callTree?: boolean | undefined;
  /** Only calls (and runs) carrying every one of these tags, e.g. `{ tenant: 'acme' }` (AND). */
  tags?: Tags | undefined;
}

const NO_AGENT = '(none)';

/**
 * The row groupings: which store grouping a row reads, and the key it shows. A grouping of the same
 * statistics is one more line here.
 */
const DIMENSIONS = {
  workflow: { grouping: 'workflow', key: (group: CallGroup) => ({ workflow: group.workflow ?? NO_AGENT }) },
  agent: { grouping: 'agent', key: (group: CallGroup) => ({ agent: group.agent ?? NO_AGENT }) },
  model: {
    grouping: 'model',
    key: (group: CallGroup) => ({ provider: group.provider ?? '', model: group.model ?? '' }),
  },
  // A prefix: the report's `tag:<key>` is the store grouping; the rows are the tag's values.
  tag: { grouping: 'tag:', key: (group: CallGroup) => ({ value: group.tag ?? NO_AGENT }) },
} satisfies Record<string, { grouping: CallGrouping; key: (group: CallGroup) => Record<string, string> }>;

function inputTokens(record: CallRecord): number {
  return record.inputUncached + record.inputCacheRead + record.inputCacheWrite5m + record.inputCacheWrite1h;
}

function outputTokens(record: CallRecord): number {
  return record.outputText + record.outputReasoning;
}

function anomaliesByRun(events: readonly EventRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'anomaly-detected' && event.runId) counts.set(event.runId, (counts.get(event.runId) ?? 0) + 1);
  }
  return counts;
}

/** Workflow rows: the common statistics, plus agent roles, records per run and anomalies. */
function byWorkflow(
  store: LedgerStore,
  filter: LedgerFilter,
  groups: readonly CallGroup[],
  total: number,
  anomalies: Map<string, number>,
): WorkflowRow[] {
  const agentsOf = new Map<string, number>();
  for (const pair of store.groupCalls(filter, 'workflow-agent')) {
    const workflow = pair.workflow ?? NO_AGENT;
    agentsOf.set(workflow, (agentsOf.get(workflow) ?? 0) + 1);
  }
  const inRuns = new Map<string, { calls: number; anomalies: number }>();
  for (const group of groups) {
    if (group.runId === null) continue;
    const workflow = group.workflow ?? NO_AGENT;
    const row = inRuns.get(workflow) ?? { calls: 0, anomalies: 0 };
    row.calls += group.calls;
    row.anomalies += anomalies.get(group.runId) ?? 0;
    inRuns.set(workflow, row);
  }
  return buildSpendRows(groups, DIMENSIONS.workflow.key, total).map((row) => {
    const runs = inRuns.get(row.workflow);
    return {
      ...row,
      agents: agentsOf.get(row.workflow) ?? 0,
      avgCalls: row.runs === 0 ? 0 : (runs?.calls ?? 0) / row.runs,
      anomalies: runs?.anomalies ?? 0,
    };
  });
}

/**
 * The most expensive runs, each with its agent → call tree (calls are read for those runs only), from
 * the per-run workflow groups the total is computed from (a run has one workflow; a run id seen under
 * two is one row, named by the first).
 */
function byRun(
  store: LedgerStore,
  filter: LedgerFilter,
  groups: readonly CallGroup[],
  anomalies: Map<string, number>,
  top: number | undefined,
  callTree: boolean,
): RunRow[] {
  const byId = new Map<string, RunRow>();
  for (const group of groups) {
    if (group.runId === null) continue;
    const row = byId.get(group.runId);
    if (row) {
      addCounts(row, group);
      row.costNanos += group.costNanos;
      row.unpricedCalls += group.unpricedCalls;
      row.startedAt = Math.min(row.startedAt, group.firstTs);
      continue;
    }
    byId.set(group.runId, {
      runId: group.runId,
      workflow: group.workflow ?? NO_AGENT,
      startedAt: group.firstTs,
      calls: group.calls,
      sentCalls: group.sentCalls,
      blockedCalls: group.blockedCalls,
      killedCalls: group.killedCalls,
      costNanos: group.costNanos,
      costUsd: 0,
      unpricedCalls: group.unpricedCalls,
      anomalies: anomalies.get(group.runId) ?? 0,
      agents: [],
    });
  }
  const runs = [...byId.values()].sort((a, b) => b.costNanos - a.costNanos);
  return (top === undefined ? runs : runs.slice(0, top)).map((run) => {
    const agents = new Map<string, RunRow['agents'][number]>();
    const calls = callTree ? store.queryCalls({ ...filter, runId: run.runId }) : [];
    for (const call of calls) {
      const agent = call.agent ?? NO_AGENT;
      const row = agents.get(agent) ?? { agent, ...noCalls(), costNanos: 0, callList: [] };
      countCall(row, call.outcome);
      row.costNanos += call.costNanos;
      row.callList.push({
        ts: call.ts,
        model: call.model,
        modelUsed: call.modelUsed,
        inputTokens: inputTokens(call),
        outputTokens: outputTokens(call),
        costNanos: call.costNanos,
        costSource: call.costSource,
        attempt: call.attempt,
        outcome: call.outcome,
      });
      agents.set(agent, row);
    }
    return {
      ...run,
      costUsd: nanosToUsd(run.costNanos),
      agents: [...agents.values()].sort((a, b) => b.costNanos - a.costNanos),
    };
  });
}

/**
 * The one query layer behind the CLI (and the dashboard): spend grouped by workflow, agent role or
 * model — each row with its runs, calls split into sent / blocked / killed, cost, share and exact
 * percentiles of its cost per run — or by run (run → agent → call tree), always with the total.
 */
export function summarizeSpend(store: LedgerStore, options: ReportOptions): SpendReport {
  const filter: LedgerFilter = {
    since: options.since,
    until: options.until,
    workflow: options.workflow,
    agent: options.agent,
    runId: options.runId,
    tags: options.tags,
  };
  if (options.by.startsWith('tag:')) {
    const key = options.by.slice(4);
    // The tag grouping leaves out calls without the tag: the total reads every call, the rest is `(none)`.
    const everyCall = store.groupCalls(filter, DIMENSIONS.workflow.grouping, true);
    const tagged = store.groupCalls(filter, `${DIMENSIONS.tag.grouping}${key}`, true);
    const total = totalOf(everyCall);
    const groups = [...tagged, ...untaggedGroups(everyCall, tagged)];
    const rows = buildSpendRows(groups, DIMENSIONS.tag.key, total.costNanos);
    return { by: 'tag', key, rows, total, totalNanos: total.costNanos };
  }
  // startsWith does not narrow: what is left is a fixed grouping.
  const by = options.by as Exclude<ReportGrouping, `tag:${string}`>;
  const grouping = by === 'agent' || by === 'model' ? DIMENSIONS[by].grouping : DIMENSIONS.workflow.grouping;
  const groups = store.groupCalls(filter, grouping, true);
  const total = totalOf(groups);
  const totals = { total, totalNanos: total.costNanos };
  if (by === 'agent') return { by, rows: buildSpendRows(groups, DIMENSIONS.agent.key, total.costNanos), ...totals };
  if (by === 'model') return { by, rows: buildSpendRows(groups, DIMENSIONS.model.key, total.costNanos), ...totals };
  const anomalies = anomaliesByRun(store.queryEvents(filter));
  return by === 'workflow'
    ? { by, rows: byWorkflow(store, filter, groups, total.costNanos, anomalies), ...totals }
    : { by, rows: byRun(store, filter, groups, anomalies, options.top, options.callTree ?? true), ...totals };
}
