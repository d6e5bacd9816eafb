import { percentile } from '../core/percentile.js';
import type { Tags } from '../core/tag-rules.js';
import type { CallGroup } from '../ledger/group-calls.js';
import type { CallRecord, EventRecord } from '../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import { summarizeByTag, type TagRow } from './summarize-by-tag.js';

export type { TagRow } from './summarize-by-tag.js';

/** `tag:<key>` groups by the values of one tag (`tag:tenant`). */
export type ReportGrouping = 'workflow' | 'agent' | 'model' | 'run' | `tag:${string}`;

export interface WorkflowRow {
  workflow: string;
  runs: number;
  /** Distinct agent roles seen in the workflow's runs. */
  agents: number;
  avgCalls: number;
  avgCostNanos: number;
  p50Nanos: number;
  p95Nanos: number;
  p99Nanos: number;
  maxNanos: number;
  anomalies: number;
}

export interface AgentRow {
  agent: string;
  calls: number;
  costNanos: number;
  /** The part of `costNanos` that is per-use fees (server-side tools, grounding). */
  feeNanos: number;
  /** Share of the filtered total cost, 0–1. */
  share: number;
}

export interface ModelRow {
  provider: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costNanos: number;
  share: number;
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

export interface RunRow {
  runId: string;
  workflow: string;
  startedAt: number;
  calls: number;
  costNanos: number;
  anomalies: number;
  agents: Array<{ agent: string; calls: number; costNanos: number; callList: RunCallRow[] }>;
}

export type SpendReport =
  | { by: 'workflow'; rows: WorkflowRow[]; totalNanos: number }
  | { by: 'agent'; rows: AgentRow[]; totalNanos: number }
  | { by: 'model'; rows: ModelRow[]; totalNanos: number }
  | { by: 'run'; rows: RunRow[]; totalNanos: number }
  | { by: 'tag'; key: string; rows: TagRow[]; totalNanos: number };

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

function byWorkflow(store: LedgerStore, filter: LedgerFilter, anomalies: Map<string, number>): WorkflowRow[] {
  const runsOf = new Map<string, CallGroup[]>();
  for (const run of store.groupCalls(filter, 'run')) {
    const workflow = run.workflow ?? NO_AGENT;
    const runs = runsOf.get(workflow);
    if (runs) runs.push(run);
    else runsOf.set(workflow, [run]);
  }
  const agentsOf = new Map<string, number>();
  for (const pair of store.groupCalls(filter, 'workflow-agent')) {
    const workflow = pair.workflow ?? NO_AGENT;
    agentsOf.set(workflow, (agentsOf.get(workflow) ?? 0) + 1);
  }
  return [...runsOf]
    .map(([workflow, runs]) => {
      const costs = runs.map((run) => run.costNanos).sort((a, b) => a - b);
      const total = costs.reduce((a, b) => a + b, 0);
      return {
        workflow,
        runs: runs.length,
        agents: agentsOf.get(workflow) ?? 0,
        avgCalls: runs.reduce((sum, run) => sum + run.calls, 0) / runs.length,
        avgCostNanos: Math.round(total / runs.length),
        p50Nanos: percentile(costs, 0.5),
        p95Nanos: percentile(costs, 0.95),
        p99Nanos: percentile(costs, 0.99),
        maxNanos: costs.at(-1) ?? 0,
        anomalies: runs.reduce((sum, run) => sum + (anomalies.get(run.runId ?? '') ?? 0), 0),
      };
    })
    .sort((a, b) => b.avgCostNanos * b.runs - a.avgCostNanos * a.runs);
}

const shareOf = (part: number, total: number) => (total === 0 ? 0 : part / total);

function byAgent(groups: readonly CallGroup[], total: number): AgentRow[] {
  return groups
    .map((group) => ({
      agent: group.agent ?? NO_AGENT,
      calls: group.calls,
      costNanos: group.costNanos,
      feeNanos: group.feeNanos,
      share: shareOf(group.costNanos, total),
    }))
    .sort((a, b) => b.costNanos - a.costNanos);
}

function byModel(groups: readonly CallGroup[], total: number): ModelRow[] {
  return groups
    .map((group) => ({
      provider: group.provider ?? '',
      model: group.model ?? '',
      calls: group.calls,
      inputTokens: group.inputTokens,
      outputTokens: group.outputTokens,
      costNanos: group.costNanos,
      share: shareOf(group.costNanos, total),
    }))
    .sort((a, b) => b.costNanos - a.costNanos);
}

/** The most expensive runs, each with its agent → call tree (calls are read for those runs only). */
function byRun(
  store: LedgerStore,
  filter: LedgerFilter,
  anomalies: Map<string, number>,
  top: number | undefined,
  callTree: boolean,
): RunRow[] {
  const runs = store.groupCalls(filter, 'run').sort((a, b) => b.costNanos - a.costNanos);
  return (top === undefined ? runs : runs.slice(0, top)).map((run) => {
    const agents = new Map<string, RunRow['agents'][number]>();
    const calls = callTree ? store.queryCalls({ ...filter, runId: run.runId ?? undefined }) : [];
    for (const call of calls) {
      const agent = call.agent ?? NO_AGENT;
      const row = agents.get(agent) ?? { agent, calls: 0, costNanos: 0, callList: [] };
      row.calls += 1;
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
      runId: run.runId ?? '',
      workflow: run.workflow ?? NO_AGENT,
      startedAt: run.firstTs,
      calls: run.calls,
      costNanos: run.costNanos,
      anomalies: anomalies.get(run.runId ?? '') ?? 0,
      agents: [...agents.values()].sort((a, b) => b.costNanos - a.costNanos),
    };
  });
}

/**
 * The one query layer behind the CLI (and the dashboard): spend grouped by workflow (with exact
 * percentiles over the filtered runs), agent role, model, or run (run → agent → call tree).
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
    const totals = { costNanos: 0, calls: 0, feeNanos: 0 };
    for (const group of store.groupCalls(filter, 'agent')) {
      totals.costNanos += group.costNanos;
      totals.calls += group.calls;
      totals.feeNanos += group.feeNanos;
    }
    return { by: 'tag', key, rows: summarizeByTag(store, filter, key, totals), totalNanos: totals.costNanos };
  }
  if (options.by === 'agent' || options.by === 'model') {
    const groups = store.groupCalls(filter, options.by as 'agent' | 'model');
    const total = groups.reduce((sum, group) => sum + group.costNanos, 0);
    return options.by === 'agent'
      ? { by: 'agent', rows: byAgent(groups, total), totalNanos: total }
      : { by: 'model', rows: byModel(groups, total), totalNanos: total };
  }
  const total = store.groupCalls(filter, 'agent').reduce((sum, group) => sum + group.costNanos, 0);
  const anomalies = anomaliesByRun(store.queryEvents(filter));
  return options.by === 'workflow'
    ? { by: 'workflow', rows: byWorkflow(store, filter, anomalies), totalNanos: total }
    : { by: 'run', rows: byRun(store, filter, anomalies, options.top, options.callTree ?? true), totalNanos: total };
}
