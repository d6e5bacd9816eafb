import { randomUUID } from 'node:crypto';
import type { AlertForecast } from './alerts/alert-message.js';
import { postWebhook } from './alerts/post-webhook.js';
import { type AnomalyOptions, type ResolvedAnomalyOptions, resolveAnomalyOptions } from './anomaly/anomaly-options.js';
import { loadBaseline } from './anomaly/load-baseline.js';
import { RunAnomalyMonitor } from './anomaly/run-anomaly-monitor.js';
import type { RunBaseline } from './anomaly/run-baseline.js';
import { BudgetNode } from './budget/budget-node.js';
import type { WindowPeriod } from './budget/budget-window.js';
import { LoopGuard } from './budget/loop-guard.js';
import { sharedScopeOf } from './budget/shared-admission.js';
import { type ScopeTag, TagScopes } from './budget/tag-scopes.js';
import { validateTags } from './budget/tags.js';
import { type BudgetForecast, type ForecastSource, forecastBudgets } from './budget-forecasts.js';
import { MAX_NANOS, nanosToUsd } from './core/money.js';
import type { Tags } from './core/tag-rules.js';
import { InvalidOptionsError } from './errors/invalid-options-error.js';
import { StoreUnavailableError } from './errors/store-unavailable-error.js';
import type {
  BudgetAlertEvent,
  TokenFenceEvent,
  TokenFenceEventListener,
  TokenFenceEventType,
} from './events/events.js';
import type { RunRecord } from './ledger/ledger-records.js';
import type { LedgerStore } from './ledger/ledger-store.js';
import { guardClient } from './proxy/guard-client.js';
import { BUDGET_NODE, POLICY, type ResolvedPolicy, resolveOptions } from './resolve-options.js';
import { currentCallContext, runInContext } from './runs/call-context.js';
import { eventRecord } from './runs/event-record.js';
import { KillOrderWatch } from './runs/kill-order-watch.js';
import { listenForKills, shareKill, shareNode } from './shared-scopes.js';
import {
  type Guarded,
  type GuardOptions,
  type SpendView,
  TOKEN_FENCE_MARKER,
  type TokenFenceLike,
  type TokenFenceOptions,
} from './types.js';

/**
 * A budget scope: a workflow run, an agent role, or both nested. Spend in a child scope counts in
 * every ancestor; every call is admitted only if its worst case fits every enclosing budget.
 */
export class TokenFence implements TokenFenceLike {
  readonly [TOKEN_FENCE_MARKER] = true as const;
  readonly [BUDGET_NODE]: BudgetNode;
  readonly [POLICY]: ResolvedPolicy;
  readonly #ownsLedger: boolean;
  /** close() gives this fence's share of its ledger back once, however often it is called. */
  #closing: Promise<void> | undefined;
  readonly #activeRuns = new Map<string, RunHandle>();
  /** Guarded clients of this fence with a budget of their own; weak, so a dropped client is not kept alive. */
  readonly #budgetedClients = new Set<WeakRef<TokenFence>>();
  readonly #forgetClient = new FinalizationRegistry<WeakRef<TokenFence>>((ref) => this.#budgetedClients.delete(ref));
  readonly #killedWorkflows = new Map<string, string | undefined>();
  /** Set on the root of a shared tree: stops hearing kills from other processes. */
  #stopListening: (() => void) | undefined;
  readonly #killOrders = new KillOrderWatch(
    () => this.store,
    (order) => {
      if (order.runId !== null) this.#activeRuns.get(order.runId)?.kill(order.reason);
      else if (order.workflow !== null) this.killWorkflow(order.workflow, order.reason);
    },
  );

  constructor(options?: TokenFenceOptions) {
    const resolved = resolveOptions(options);
    this[POLICY] = resolved.policy;
    const ledger = resolved.policy.ledger;
    const scopePath = [...(resolved.parentNode?.path ?? []), resolved.label].join('/');
    const node = new BudgetNode({
      label: resolved.label,
      parent: resolved.parentNode,
      limitNanos: resolved.limitNanos,
      threshold: resolved.threshold,
      onEvent: resolved.onEvent,
      now: resolved.now,
      alertThresholds: resolved.alerts.thresholds,
      tags: resolved.tags,
      tag: resolved.sharing.tag,
      window: resolved.window && {
        period: resolved.window,
        // Spend in the window survives restarts: it is read back from the store.
        loadSpent: resolved.sharing.tag
          ? tagSpentLoader(resolved.sharing.tag, resolved.parentNode, ledger)
          : (start) => {
              ledger.flush();
              return ledger.store.sumCost(scopePath, start);
            },
      },
    });
    this[BUDGET_NODE] = node;
    node.fallbacks = resolved.policy.fallbacks;
    node.shared = shareNode(node, resolved, ledger.store);
    if (resolved.tagBudgets) {
      const { alerts, update } = options ?? {};
      node.tagScopes = new TagScopes({
        budgets: resolved.tagBudgets,
        now: resolved.now,
        // On a shared store the store counts every value's spend; in-process, an evicted scope's is kept.
        keepRemnants: node.shared === undefined,
        maxIdle: resolved.maxIdleTagScopes,
        create: (tag, window) => {
          const scope = new TokenFence({
            label: `${tag.key}=${tag.value}`,
            parent: this,
            budget: { usd: window.usd, per: window.period },
            threshold: resolved.threshold,
            ...(alerts !== undefined && { alerts }),
            ...(update !== undefined && { update }),
            _internal: { tag },
          });
          return { node: scope[BUDGET_NODE], owner: scope };
        },
      });
    }
    if (node.shared && resolved.ownsLedger) this.#stopListening = listenForKills(node.shared);
    if (resolved.loopLimits) node.loopGuard = new LoopGuard(resolved.loopLimits);
    this.#ownsLedger = resolved.ownsLedger;
    if (resolved.ownsLedger || !resolved.parentNode) {
      node.eventSink = (event, scope) => ledger.event(eventRecord(event, scope));
    }
    const webhooks = resolved.alerts.webhooks;
    if (webhooks.length > 0) {
      node.events.on('budget-alert', (event) => {
        if (event.path !== node.path) return;
        const forecast = this.#alertForecast(event);
        for (const webhook of webhooks) void postWebhook(webhook, event, globalThis.fetch, forecast);
      });
    }
  }

  /**
   * Runs `fn` as one run of a workflow: every guarded call made inside it — through any guarded client,
   * across awaits, with other runs interleaved — counts in the run's budget (and the fence's) and is
   * recorded with the run's id and workflow. Resolves with what `fn` returns.
   */
  async run<T>(options: RunOptions, fn: (run: RunHandle) => T | Promise<T>): Promise<T> {
    const { workflow, runId, anomaly, budget, ...scope } = validateRunOptions(options);
    const detection = anomaly === undefined ? this[POLICY].anomaly : resolveAnomalyOptions(anomaly);
    const ledger = this[POLICY].ledger;
    let baseline: RunBaseline | null = null;
    if (detection || budget === 'auto') {
      ledger.flush();
      baseline = loadBaseline(ledger.store, workflow, detection ?? DEFAULT_ANOMALY, this[BUDGET_NODE].now());
    }
    const runBudget = budget === 'auto' ? autoBudget(baseline, detection ?? DEFAULT_ANOMALY) : budget;
    const run = new RunHandle(
      {
        ...scopeOptions(scope),
        ...(runBudget !== undefined && { budget: runBudget }),
        label: workflow,
        // In a shared store, every process running this run id shares the run's budget.
        _internal: { runId },
        parent: this,
      },
      runId,
      workflow,
    );
    const node = run[BUDGET_NODE];
    node.attribution = { runId, workflow, agent: undefined };
    const monitor = detection && baseline ? new RunAnomalyMonitor(node, baseline, detection) : undefined;
    if (monitor) {
      node.admissionHook = (amount) => monitor.beforeAdmit(amount);
      node.settlementHook = (cost, now) => monitor.afterSettle(cost, now);
    }
    const startedAt = node.now();
    node.emit({ type: 'run-started', budgetUsd: run.budget });
    this.#activeRuns.set(runId, run);
    this.#killOrders.start();
    if (this.#killedWorkflows.has(workflow) && !run.killed)
      run.kill(this.#killedWorkflows.get(workflow) ?? `workflow ${workflow} was killed`);
    let outcome: RunRecord['outcome'] = 'ok';
    try {
      return await runInContext({ node, owner: run }, () => fn(run));
    } catch (error) {
      outcome = 'error';
      throw error;
    } finally {
      // Another run may have taken the same id meanwhile: only this run's entry is removed.
      if (this.#activeRuns.get(runId) === run) this.#activeRuns.delete(runId);
      if (this.#activeRuns.size === 0) this.#killOrders.stop();
      if (run.killed) outcome = 'killed';
      const anomalies = monitor?.anomalies ?? 0;
      node.emit({ type: 'run-ended', outcome, spentUsd: run.spent, calls: node.calls, anomalies });
      run[POLICY].ledger.run({
        runId,
        workflow,
        startedAt,
        endedAt: node.now(),
        costNanos: node.spentNanos,
        calls: node.calls,
        outcome,
        anomalies,
        budgetNanos: node.limitNanos,
        ...(node.tags && { tags: node.tags }),
      });
    }
  }

  /**
   * Runs `fn` as an agent role: calls inside it count in the agent's budget, within the current run (or
   * this fence outside any run). Parallel invocations of one role in one run share one agent budget;
   * the first invocation's options define it.
   */
  async agent<T>(
    label: string,
    options: AgentOptions | ((agent: SpendView) => T | Promise<T>),
    fn?: (agent: SpendView) => T | Promise<T>,
  ): Promise<T> {
    const body = typeof options === 'function' ? options : fn;
    if (typeof body !== 'function') throw new InvalidOptionsError('fn', 'agent(label, options, fn) needs a function');
    const context = currentCallContext();
    const parent = (context?.owner as TokenFence | undefined) ?? this;
    const agent = agentScope(parent, label, typeof options === 'function' ? {} : options);
    return runInContext({ node: agent[BUDGET_NODE], owner: agent }, () => body(agent));
  }

  /** Set on the scope of one tag value (`tagBudgets`): that tag, e.g. `{ key: 'tenant', value: 'acme' }`; else null. */
  get tag(): ScopeTag | null {
    return this[BUDGET_NODE].tag ?? null;
  }

  /** Tags of the calls made in this scope: its own (`tags`) merged over its parents'. */
  get tags(): Tags {
    return this[BUDGET_NODE].tags ?? NO_TAGS;
  }

  /**
   * The budget scope of one tag value under this fence's `tagBudgets` (made if not in memory), e.g. to
   * read its spend or kill it; undefined when that value has no budget here. Do not keep it: an idle
   * scope is evicted and made again (with its window's spend) when next used.
   */
  tagScope(key: string, value: string): TokenFence | undefined {
    validateTags({ [key]: value }, 'tag');
    return this[BUDGET_NODE].tagScopes?.get(key, value)?.owner as TokenFence | undefined;
  }

  /** The tag value scopes in memory now (`tagBudgets`), e.g. to show or forecast each tenant's budget. */
  get tagScopes(): readonly TokenFence[] {
    return (this[BUDGET_NODE].tagScopes?.entries ?? []).map((entry) => entry.owner as TokenFence);
  }

  /** Runs of this fence in progress (`fence.run()`), e.g. for a dashboard's kill buttons. */
  get activeRuns(): readonly RunHandle[] {
    return [...this.#activeRuns.values()];
  }

  /** Clients guarded by this fence with a budget of their own, still in use (e.g. for a dashboard's budget bars). */
  get budgetedClients(): readonly TokenFence[] {
    return [...this.#budgetedClients].flatMap((ref) => ref.deref() ?? []);
  }

  /** The current period of a windowed budget (`budget: { usd, per }`), else undefined. */
  get window(): { period: WindowPeriod; startedAt: number } | undefined {
    const node = this.#current;
    return node.window ? { period: node.window.period, startedAt: node.windowStart } : undefined;
  }

  /**
   * Kills every run of `workflow` in progress and refuses the runs of it started later (until
   * `reset()`). Returns how many running runs were killed.
   */
  killWorkflow(workflow: string, reason?: string): number {
    this.#killedWorkflows.set(workflow, reason);
    let killed = 0;
    for (const run of this.#activeRuns.values()) {
      if (run.workflow !== workflow || run.killed) continue;
      run.kill(reason ?? `workflow ${workflow} was killed`);
      killed += 1;
    }
    return killed;
  }

  /**
   * The projection an alert's message quotes (spend at window end, when the budget runs out), or null. A
   * windowed budget's forecast is cheap (its node has the window's spend; the previous window's rate is read
   * once per window); a lifetime budget's projection is only its spend, so none is quoted.
   */
  #alertForecast(event: BudgetAlertEvent): AlertForecast | null {
    const node = this[BUDGET_NODE];
    if (event.path !== node.path || !node.window) return null;
    const [forecast] = forecastBudgets([{ node, tag: this.tag }], this.store);
    return forecast ? { projectedUsd: forecast.projectedUsd, exhaustsAt: forecast.exhaustsAt } : null;
  }

  /**
   * Projected spend per budget of this fence — its own, its budgeted clients', its runs in progress, its tag
   * values' in memory (`tagScopes`, with their tag) — at the end of each one's period (a window's end; a run's
   * expected end) and when each runs out, from the spend rate so far and the previous window's where the
   * ledger has it. Scopes without a budget are left out.
   */
  forecast(): BudgetForecast[] {
    this[POLICY].ledger.flush();
    const sources: ForecastSource[] = [
      { node: this[BUDGET_NODE], tag: this.tag },
      ...this.budgetedClients.map((client) => ({ node: client[BUDGET_NODE] })),
      ...this.activeRuns.map((run) => ({ node: run[BUDGET_NODE], run: { workflow: run.workflow, runId: run.id } })),
      ...this.tagScopes.map((scope) => ({ node: scope[BUDGET_NODE], tag: scope.tag })),
    ];
    return forecastBudgets(sources, this.store);
  }

  /** Writes every buffered ledger record now. */
  flush(): void {
    this[POLICY].ledger.flush();
  }

  /**
   * Flushes the ledger and closes this fence's store (when it has its own `store`, and no other open
   * fence was given the same store object). A Redis store is first given up to 5 s to acknowledge every
   * settlement and record (StoreUnavailableError if not).
   */
  async close(): Promise<void> {
    const ledger = this[POLICY].ledger;
    ledger.flush();
    if (!this.#ownsLedger) return;
    this.#closing ??= this.#closeLedger(ledger);
    return this.#closing;
  }

  async #closeLedger(ledger: ResolvedPolicy['ledger']): Promise<void> {
    this.#stopListening?.();
    // A store object given to several fences stays open for the others until the last one closes.
    if (!ledger.release()) return;
    const store = ledger.store as { shutdown?: () => Promise<void> };
    try {
      await store.shutdown?.();
    } finally {
      ledger.close();
    }
  }

  /**
   * This scope as the shared store counts it — every process's spend and holds — or null when the scope
   * is not shared. Rejects with StoreUnavailableError when the store cannot answer.
   */
  async sharedTotals(): Promise<SharedTotals | null> {
    const node = this.#current;
    const shared = node.shared;
    if (!shared) return null;
    const totals = await shared.store.totals(shared.tree, sharedScopeOf(node, node.windowStart));
    return {
      spent: nanosToUsd(totals.spentNanos),
      spentNanos: totals.spentNanos,
      reserved: nanosToUsd(totals.heldNanos),
      budget: totals.limitNanos === null ? Number.POSITIVE_INFINITY : nanosToUsd(totals.limitNanos),
      calls: totals.calls,
      killed: totals.killed,
    };
  }

  /** The ledger store this fence records into (for reports: `summarizeSpend(fence.store, …)`). */
  get store(): LedgerStore {
    return this[POLICY].ledger.store;
  }

  /** Guards `client` in a child scope of this one: returns the same client, with `client.tokenfence`. */
  guard<T extends object>(client: T, options?: GuardOptions): Guarded<T> {
    const child = new TokenFence({ ...options, parent: this });
    if (options?.budget !== undefined) {
      const ref = new WeakRef(child);
      this.#budgetedClients.add(ref);
      this.#forgetClient.register(child, ref);
    }
    return guardClient(client, child);
  }

  /** Listens to this scope's events and those of every scope below it. Returns an unsubscribe function. */
  on<T extends TokenFenceEventType>(type: T | '*', listener: TokenFenceEventListener<T>): () => void {
    return this[BUDGET_NODE].events.on(type, listener);
  }

  off<T extends TokenFenceEventType>(type: T | '*', listener: TokenFenceEventListener<T>): void {
    this[BUDGET_NODE].events.off(type, listener);
  }

  get label(): string {
    return this[BUDGET_NODE].label;
  }
  get budget(): number {
    const limit = this[BUDGET_NODE].limitNanos;
    return limit === null ? Number.POSITIVE_INFINITY : nanosToUsd(limit);
  }
  /** The node, moved on to the current window first (a windowed budget renews on its own). */
  get #current(): BudgetNode {
    const node = this[BUDGET_NODE];
    node.rollWindow();
    return node;
  }
  get spent(): number {
    return nanosToUsd(this.#current.spentNanos);
  }
  /** Settled spend in nano-USD (1e-9 USD), exact. */
  get spentNanos(): number {
    return this.#current.spentNanos;
  }
  get reserved(): number {
    return nanosToUsd(this[BUDGET_NODE].heldNanos);
  }
  get remaining(): number {
    const headroom = this.#current.effectiveHeadroomNanos;
    return headroom === MAX_NANOS ? Number.POSITIVE_INFINITY : nanosToUsd(headroom);
  }
  get calls(): number {
    return this.#current.calls;
  }
  get unpricedCalls(): number {
    return this[BUDGET_NODE].unpricedCalls;
  }
  get usageRatio(): number {
    return this.#current.usageRatio;
  }
  get shouldDowngrade(): boolean {
    return this[BUDGET_NODE].scope.pastThreshold;
  }
  get budgetExceeded(): boolean {
    return this.#current.exceeded;
  }
  get killed(): boolean {
    return this[BUDGET_NODE].kill !== null;
  }
  /**
   * Refuses every later call here and below and aborts those in flight, at once; on a shared store, in
   * every process. Resolves when the kill is durable in the store (Redis acknowledged it; a local ledger
   * wrote it; memory: at once), rejects with StoreUnavailableError when it could not be made durable within
   * the store's timeout (the local kill stands, and a shared store is still tried in the background).
   * Ignoring the promise is safe: a rejection nobody awaits is not reported as unhandled.
   */
  kill(reason?: string): Promise<void> {
    const node = this[BUDGET_NODE];
    const error = node.engageKill(typeof reason === 'string' ? reason : undefined);
    const durable = node.shared
      ? shareKill(node.shared, error.reason ?? `${node.label} was killed`, () => node.killedBy === error)
      : this.#written('the kill');
    return settledQuietly(durable);
  }
  /**
   * Starts a fresh period in this process; on a shared store it also lifts the scope's kill everywhere.
   * Resolves when the store has the revive (as `kill()` does), rejects with StoreUnavailableError if not.
   */
  reset(): Promise<void> {
    const node = this[BUDGET_NODE];
    const revived = node.shared ? node.shared.store.revive(node.shared.tree, node.shared.id) : Promise.resolve();
    node.reset();
    this.#killedWorkflows.clear();
    return settledQuietly(revived);
  }
  /** Writes what the ledger holds now (the kill's event among it); a ledger that cannot write rejects. */
  #written(what: string): Promise<void> {
    const ledger = this[POLICY].ledger;
    if (ledger.flush()) return Promise.resolve();
    return Promise.reject(new StoreUnavailableError(ledger.store.kind, `${what} could not be written to the ledger`));
  }
}

/** A promise callers may await or ignore: an ignored rejection is not an unhandled rejection. */
function settledQuietly(promise: Promise<void>): Promise<void> {
  promise.catch(() => {});
  return promise;
}

/** Options of `fence.run()`: the workflow, an optional run id, and the run's budget. */
export interface RunOptions {
  /** The workflow this run belongs to: runs are grouped, reported and baselined by it. */
  workflow: string;
  /** The run's id. @default a random UUID */
  runId?: string;
  /**
   * The run's budget, USD (number or "$5"), or `'auto'`: `anomaly.autoBudgetMultiple` × the workflow's
   * p99 run cost from history (on a cold start `anomaly.coldStartBudget`, else no limit of its own).
   */
  budget?: number | string | 'auto';
  /** Anomaly detection for this run, `false` for none (default: the fence's `anomaly` option). */
  anomaly?: AnomalyOptions | false;
  /** Tags of the run's calls and of its run record, merged over the fence's (see TokenFenceOptions.tags). */
  tags?: Record<string, string>;
  /** Retries allowed in the whole run (SDK retries and repeats of failed requests). */
  maxRetries?: number;
  /** Times the same model may get the same prompt within `repeatWindowMs` in this run. */
  maxRepeats?: number;
  /** @default 60000 */
  repeatWindowMs?: number;
  /** The run's budget as a share (0, 1] of the fence's. */
  share?: number;
  /** @default 0.8 */
  threshold?: number;
  onEvent?: (event: TokenFenceEvent) => void;
}

/** Options of `fence.agent()`: the agent role's budget within its run. */
export type AgentOptions = Pick<
  RunOptions,
  'share' | 'threshold' | 'onEvent' | 'maxRetries' | 'maxRepeats' | 'repeatWindowMs' | 'tags'
> & {
  budget?: number | string;
  /**
   * Cheaper models for this role's calls from `threshold` on and when the asked model does not fit (a
   * guarded client's own `fallback` wins). Priced at the role's first call: UnknownModelError then.
   */
  fallback?: string | readonly string[];
};

const LOOP_OPTIONS = ['maxRetries', 'maxRepeats', 'repeatWindowMs'];
const RUN_OPTIONS = new Set([
  'workflow',
  'runId',
  'budget',
  'share',
  'threshold',
  'onEvent',
  'anomaly',
  'tags',
  ...LOOP_OPTIONS,
]);
const AGENT_OPTIONS = new Set(['budget', 'share', 'threshold', 'onEvent', 'tags', 'fallback', ...LOOP_OPTIONS]);
const NO_TAGS: Tags = Object.freeze({});

/**
 * How a tag value's scope reads the spend of its window: what this process kept when it evicted the
 * scope, else the ledger's record of calls carrying the tag under the fence (a restart loses nothing).
 */
function tagSpentLoader(
  tag: ScopeTag,
  fence: BudgetNode | undefined,
  ledger: ResolvedPolicy['ledger'],
): (start: number) => number {
  const scope = fence?.pathString ?? '';
  return (start) => {
    const kept = fence?.tagScopes?.remnantSpent(tag.key, tag.value, start);
    if (kept !== undefined) return kept;
    ledger.flush();
    const { store } = ledger;
    if (store.sumTagCost) return store.sumTagCost(scope, tag.key, tag.value, start);
    const tags = { [tag.key]: tag.value };
    return store.queryCalls({ since: start, tags }).reduce((sum, call) => sum + call.costNanos, 0);
  };
}

/** Run and agent options as TokenFence options: their `maxRetries` is the scope's total (`retryLimit`). */
function scopeOptions<T extends { maxRetries?: number }>(options: T): Omit<T, 'maxRetries'> & { retryLimit?: number } {
  const { maxRetries, ...rest } = options;
  return maxRetries === undefined ? rest : { ...rest, retryLimit: maxRetries };
}

function checkKeys(options: object, allowed: Set<string>): void {
  for (const key of Object.keys(options)) if (!allowed.has(key)) throw new InvalidOptionsError(key, 'unknown option');
}

function validateRunOptions(options: RunOptions): RunOptions & { runId: string } {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('options', 'expected { workflow, … }');
  checkKeys(options, RUN_OPTIONS);
  const printable = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' && value.length <= 200 && !/[\u0000-\u001f]/.test(value);
  if (!printable(options.workflow))
    throw new InvalidOptionsError('workflow', 'expected a non-empty name of at most 200 printable characters');
  if (options.runId !== undefined && !printable(options.runId)) {
    throw new InvalidOptionsError('runId', 'expected a non-empty id of at most 200 printable characters');
  }
  return { ...options, runId: options.runId ?? randomUUID() };
}

const DEFAULT_ANOMALY = resolveAnomalyOptions({}) as ResolvedAnomalyOptions;

/** `budget: 'auto'`, USD: a multiple of the workflow's p99 run cost, or the cold-start budget. */
function autoBudget(baseline: RunBaseline | null, options: ResolvedAnomalyOptions): number | undefined {
  if (baseline) return nanosToUsd(Math.ceil(baseline.p99Nanos * options.autoBudgetMultiple));
  return options.coldStartBudget;
}

/** Agent scopes made under each scope, by label: parallel invocations of one role share one budget. */
const agentScopes = new WeakMap<BudgetNode, Map<string, TokenFence>>();

function agentScope(parent: TokenFence, label: string, options: AgentOptions): TokenFence {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('options', 'expected agent options');
  checkKeys(options, AGENT_OPTIONS);
  const parentNode = parent[BUDGET_NODE];
  let agents = agentScopes.get(parentNode);
  if (!agents) {
    agents = new Map();
    agentScopes.set(parentNode, agents);
  }
  // An agent role with tags of its own is one scope per distinct tag set (e.g. per tenant outside a run).
  const key = options.tags === undefined ? label : `${label}\u0000${JSON.stringify(options.tags)}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new TokenFence({ ...scopeOptions(options), label, parent });
    const attribution = parentNode.attribution;
    agent[BUDGET_NODE].attribution = { runId: attribution?.runId, workflow: attribution?.workflow, agent: label };
    agents.set(key, agent);
    agent[BUDGET_NODE].emit({ type: 'agent-started', budgetUsd: agent.budget });
  }
  return agent;
}

/** The scope of one run (`fence.run()`): a TokenFence with the run's id and workflow. */
export class RunHandle extends TokenFence {
  readonly id: string;
  readonly workflow: string;

  constructor(options: TokenFenceOptions, id: string, workflow: string) {
    super(options);
    this.id = id;
    this.workflow = workflow;
  }

  /** Spend of each agent role of this run so far, USD. */
  byAgent(): Record<string, { spent: number; calls: number; budget: number }> {
    const result: Record<string, { spent: number; calls: number; budget: number }> = {};
    for (const agent of agentScopes.get(this[BUDGET_NODE])?.values() ?? []) {
      result[agent.label] = { spent: agent.spent, calls: agent.calls, budget: agent.budget };
    }
    return result;
  }
}

/**
 * Wraps an SDK client (`new OpenAI()`, `new Anthropic()`) in its own budget scope. The returned value
 * is the same client with the same types, plus a read-only `tokenfence` handle.
 */
export function guard<T extends object>(client: T, options?: TokenFenceOptions): Guarded<T> {
  return guardClient(client, new TokenFence(options));
}

export type { SpendView };

/** A shared scope's totals across every process (`fence.sharedTotals()`), USD unless named nanos. */
export interface SharedTotals {
  spent: number;
  spentNanos: number;
  reserved: number;
  budget: number;
  calls: number;
  /** The kill's reason when the scope was killed (in any process), else null. */
  killed: string | null;
}
