import { percentile } from '../core/percentile.js';
import type { CallRecord, EventRecord } from '../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';

export type ReportGrouping = 'workflow' | 'agent' | 'model' | 'run';

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
  | { by: 'run'; rows: RunRow[]; totalNanos: number };

export interface ReportOptions extends LedgerFilter {
  by: ReportGrouping;
  /** `by: 'run'`: only the most expensive N runs. */
  top?: number | undefined;
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

function groupByRun(calls: readonly CallRecord[]): Map<string, CallRecord[]> {
  const runs = new Map<string, CallRecord[]>();
  for (const call of calls) {
    if (!call.runId) continue;
    let list = runs.get(call.runId);
    if (!list) {
      list = [];
      runs.set(call.runId, list);
    }
    list.push(call);
  }
  return runs;
}

const sum = (calls: readonly CallRecord[]) => calls.reduce((total, call) => total + call.costNanos, 0);

function byWorkflow(calls: readonly CallRecord[], anomalies: Map<string, number>): WorkflowRow[] {
  const workflows = new Map<string, CallRecord[][]>();
  for (const runCalls of groupByRun(calls).values()) {
    const workflow = runCalls[0]?.workflow ?? NO_AGENT;
    const runs = workflows.get(workflow);
    if (runs) runs.push(runCalls);
    else workflows.set(workflow, [runCalls]);
  }
  return [...workflows]
    .map(([workflow, runs]) => {
      const costs = runs.map(sum).sort((a, b) => a - b);
      const agents = new Set(runs.flat().map((call) => call.agent ?? NO_AGENT));
      const totalCalls = runs.reduce((total, run) => total + run.length, 0);
      return {
        workflow,
        runs: runs.length,
        agents: agents.size,
        avgCalls: totalCalls / runs.length,
        avgCostNanos: Math.round(costs.reduce((a, b) => a + b, 0) / runs.length),
        p50Nanos: percentile(costs, 0.5),
        p95Nanos: percentile(costs, 0.95),
        p99Nanos: percentile(costs, 0.99),
        maxNanos: costs.at(-1) ?? 0,
        anomalies: runs.reduce((total, run) => total + (anomalies.get(run[0]?.runId ?? '') ?? 0), 0),
      };
    })
    .sort((a, b) => b.avgCostNanos * b.runs - a.avgCostNanos * a.runs);
}

function byAgent(calls: readonly CallRecord[], total: number): AgentRow[] {
  const agents = new Map<string, AgentRow>();
  for (const call of calls) {
    const agent = call.agent ?? NO_AGENT;
    const row = agents.get(agent) ?? { agent, calls: 0, costNanos: 0, share: 0 };
    row.calls += 1;
    row.costNanos += call.costNanos;
    agents.set(agent, row);
  }
  return [...agents.values()]
    .map((row) => ({ ...row, share: total === 0 ? 0 : row.costNanos / total }))
    .sort((a, b) => b.costNanos - a.costNanos);
}

function byModel(calls: readonly CallRecord[], total: number): ModelRow[] {
  const models = new Map<string, ModelRow>();
  for (const call of calls) {
    const key = `${call.provider}\u0000${call.modelUsed}`;
    const row = models.get(key) ?? {
      provider: call.provider,
      model: call.modelUsed,
      calls: 0,
      inputTokens: 0,
      outputTokens: 0,
      costNanos: 0,
      share: 0,
    };
    row.calls += 1;
    row.inputTokens += inputTokens(call);
    row.outputTokens += outputTokens(call);
    row.costNanos += call.costNanos;
    models.set(key, row);
  }
  return [...models.values()]
    .map((row) => ({ ...row, share: total === 0 ? 0 : row.costNanos / total }))
    .sort((a, b) => b.costNanos - a.costNanos);
}

function byRun(calls: readonly CallRecord[], anomalies: Map<string, number>, top: number | undefined): RunRow[] {
  const rows: RunRow[] = [];
  for (const [runId, runCalls] of groupByRun(calls)) {
    const agents = new Map<string, RunRow['agents'][number]>();
    for (const call of runCalls) {
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
    rows.push({
      runId,
      workflow: runCalls[0]?.workflow ?? NO_AGENT,
      startedAt: runCalls[0]?.ts ?? 0,
      calls: runCalls.length,
      costNanos: sum(runCalls),
      anomalies: anomalies.get(runId) ?? 0,
      agents: [...agents.values()].sort((a, b) => b.costNanos - a.costNanos),
    });
  }
  rows.sort((a, b) => b.costNanos - a.costNanos);
  return top === undefined ? rows : rows.slice(0, top);
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
  };
  const calls = store.queryCalls(filter);
  const total = sum(calls);
  switch (options.by) {
    case 'workflow':
      return { by: 'workflow', rows: byWorkflow(calls, anomaliesByRun(store.queryEvents(filter))), totalNanos: total };
    case 'agent':
      return { by: 'agent', rows: byAgent(calls, total), totalNanos: total };
    case 'model':
      return { by: 'model', rows: byModel(calls, total), totalNanos: total };
    case 'run':
      return {
        by: 'run',
        rows: byRun(calls, anomaliesByRun(store.queryEvents(filter)), options.top),
        totalNanos: total,
      };
  }
}
