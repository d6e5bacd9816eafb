import { nanosToUsd } from '../core/money.js';
import type { Tags } from '../core/tag-rules.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import { summarizeSpend } from '../reports/summarize-spend.js';
import { BUDGET_NODE } from '../resolve-options.js';
import type { RunHandle, TokenFence } from '../token-fence.js';

export interface DashboardQuery {
  since: number | undefined;
  workflow: string | undefined;
  /** Only calls carrying every one of these tags. */
  tags?: Tags | undefined;
  /** The tag key of the "by tag" panel. @default the first key of the fence's `tagBudgets`, else `tenant` */
  tagKey?: string | undefined;
}

/** Tag value budgets shown in the budgets panel: the most spent first, at most this many. */
const TAG_BUDGETS_SHOWN = 20;

/** What the page shows for a time range and workflow: all from the one report layer and the store. */
export function dashboardSummary(store: LedgerStore, fence: TokenFence | undefined, query: DashboardQuery) {
  const filter: LedgerFilter = { since: query.since, workflow: query.workflow, tags: query.tags };
  const workflows = summarizeSpend(store, { by: 'workflow', since: query.since, tags: query.tags });
  const tagKey = query.tagKey ?? fence?.tagScopes[0]?.tag?.key ?? 'tenant';
  const byTag = summarizeSpend(store, { by: `tag:${tagKey}`, ...filter });
  const agents = summarizeSpend(store, { by: 'agent', ...filter });
  const models = summarizeSpend(store, { by: 'model', ...filter });
  // The list needs no call trees: one run's tree is read when it is opened.
  const runs = summarizeSpend(store, { by: 'run', ...filter, top: 500, callTree: false });
  const selected =
    workflows.by === 'workflow' ? workflows.rows.find((row) => row.workflow === query.workflow) : undefined;
  const active: RunHandle[] = fence ? [...fence.activeRuns] : [];
  const finished = new Map(store.queryRuns(filter).map((run) => [run.runId, run]));
  return {
    generatedAt: Date.now(),
    totalUsd: nanosToUsd(agents.totalNanos),
    workflows: workflows.by === 'workflow' ? workflows.rows.map((row) => ({ ...row })) : [],
    agents:
      agents.by === 'agent'
        ? agents.rows.map((row) => ({
            agent: row.agent,
            runs: row.runs,
            calls: row.calls,
            sentCalls: row.sentCalls,
            blockedCalls: row.blockedCalls,
            killedCalls: row.killedCalls,
            costUsd: nanosToUsd(row.costNanos),
            share: row.share,
            p50Usd: nanosToUsd(row.p50Nanos),
            p99Usd: nanosToUsd(row.p99Nanos),
          }))
        : [],
    models: models.by === 'model' ? models.rows.map((row) => ({ ...row, costUsd: nanosToUsd(row.costNanos) })) : [],
    tags: query.tags ?? {},
    byTag: {
      key: tagKey,
      rows:
        byTag.by === 'tag'
          ? byTag.rows.map((row) => ({
              value: row.value,
              runs: row.runs,
              calls: row.calls,
              costUsd: row.costUsd,
              share: row.share,
              p99Usd: nanosToUsd(row.p99Nanos),
            }))
          : [],
    },
    runs:
      runs.by === 'run'
        ? runs.rows.map((row) => ({
            runId: row.runId,
            workflow: row.workflow,
            startedAt: row.startedAt,
            calls: row.calls,
            sentCalls: row.sentCalls,
            blockedCalls: row.blockedCalls,
            killedCalls: row.killedCalls,
            costUsd: nanosToUsd(row.costNanos),
            anomalies: row.anomalies,
            outcome: finished.get(row.runId)?.outcome ?? 'running',
            budgetUsd: nullableUsd(finished.get(row.runId)?.budgetNanos ?? null),
          }))
        : [],
    baseline: selected ? { p50Usd: nanosToUsd(selected.p50Nanos), p99Usd: nanosToUsd(selected.p99Nanos) } : undefined,
    budgets: fence ? budgetsWithForecast(fence, active) : [],
    activeRuns: active.map((run) => ({
      runId: run.id,
      workflow: run.workflow,
      spentUsd: run.spent,
      budgetUsd: finite(run.budget),
      killed: run.killed,
    })),
  };
}

const nullableUsd = (nanos: number | null) => (nanos === null ? null : nanosToUsd(nanos));
const finite = (value: number) => (Number.isFinite(value) ? value : null);

/**
 * Each budget bar with its forecast (`fence.forecast()`): projected spend at the window's end, when it runs
 * out. The fence, its budgeted clients, the active runs, then the dearest tag values in memory.
 */
function budgetsWithForecast(fence: TokenFence, active: readonly RunHandle[]) {
  const forecasts = fence.forecast();
  const tagScopes = [...fence.tagScopes].sort((a, b) => b.spentNanos - a.spentNanos).slice(0, TAG_BUDGETS_SHOWN);
  const scopes: Array<{ scope: TokenFence; runId: string | null }> = [
    ...[fence, ...fence.budgetedClients].map((scope) => ({ scope, runId: null })),
    ...active.map((run) => ({ scope: run, runId: run.id })),
    ...tagScopes.map((scope) => ({ scope, runId: null })),
  ];
  return scopes.map(({ scope, runId }) => {
    const node = scope[BUDGET_NODE];
    const name = node.shared?.id ?? node.pathString;
    const forecast = forecasts.find((row) => row.runId === runId && row.scope === name);
    return {
      ...budgetOf(scope),
      forecast: forecast
        ? {
            projectedUsd: forecast.projectedUsd,
            windowEndsAt: forecast.windowEndsAt?.getTime() ?? null,
            exhaustsAt: forecast.exhaustsAt?.getTime() ?? null,
          }
        : null,
    };
  });
}

function budgetOf(scope: TokenFence) {
  return {
    label: scope.label,
    budgetUsd: finite(scope.budget),
    spentUsd: scope.spent,
    reservedUsd: scope.reserved,
    remainingUsd: finite(scope.remaining),
    killed: scope.killed,
    window: scope.window,
  };
}

/** One run's agent → call tree, with what each call asked for and got. */
export function dashboardRun(store: LedgerStore, runId: string) {
  const report = summarizeSpend(store, { by: 'run', runId, top: 1 });
  const run = report.by === 'run' ? report.rows[0] : undefined;
  if (!run) return undefined;
  return {
    ...run,
    costUsd: nanosToUsd(run.costNanos),
    agents: run.agents.map((agent) => ({
      agent: agent.agent,
      calls: agent.calls,
      sentCalls: agent.sentCalls,
      blockedCalls: agent.blockedCalls,
      killedCalls: agent.killedCalls,
      costUsd: nanosToUsd(agent.costNanos),
      callList: agent.callList.map((call) => ({
        ...call,
        costUsd: nanosToUsd(call.costNanos),
        downgraded: call.model !== call.modelUsed,
      })),
    })),
  };
}
