import { WEBHOOK_FORMATS, type WebhookFormat } from './alerts/webhook-payload.js';
import { type ResolvedAnomalyOptions, resolveAnomalyOptions } from './anomaly/anomaly-options.js';
import type { BudgetNode } from './budget/budget-node.js';
import { WINDOW_PERIODS, type WindowPeriod } from './budget/budget-window.js';
import type { LoopLimits } from './budget/loop-guard.js';
import { type ResolvedTagBudgets, resolveTagBudgets } from './budget/tag-budgets.js';
import type { ScopeTag } from './budget/tag-scopes.js';
import { validateTags } from './budget/tags.js';
import { usdToNanos } from './core/money.js';
import type { Tags } from './core/tag-rules.js';
import { InvalidOptionsError } from './errors/invalid-options-error.js';
import type { TokenFenceEvent } from './events/events.js';
import { LedgerWriter, type LedgerWriterOptions } from './ledger/ledger-writer.js';
import { DEFAULT_PRICE_DATA, parsePriceDataOptions } from './pricing/price-data-options.js';
import { sharedPriceDataSource } from './pricing/price-data-source.js';
import { parsePriceTable, withPriceOverrides } from './pricing/price-overrides.js';
import type { PriceSource } from './pricing/price-source.js';
import { createMemoryLedgerStore } from './stores/memory/memory-ledger-store.js';
import { resolveStore } from './stores/resolve-store.js';
import { TOKEN_FENCE_MARKER, type TokenFenceOptions, type WebhookOptions, type WindowBudget } from './types.js';

/** How a TokenFence finds the budget node of another TokenFence, even one from another package copy. */
export const BUDGET_NODE = Symbol.for('tokenfence.budget-node');
const POLICY = Symbol.for('tokenfence.policy');

export interface ResolvedPolicy {
  /** Whose prices apply to a guarded client (not inherited); undefined: inferred from its base URL. */
  provider: string | undefined;
  /** Anomaly detection for runs of this fence (inherited). */
  anomaly: ResolvedAnomalyOptions | undefined;
  /** Where this scope's calls are recorded (inherited). */
  ledger: LedgerWriter;
  /** Record prompt and completion text (inherited). */
  storeContent: boolean;
  fallbacks: readonly string[];
  onLimit: 'stop' | 'warn' | 'throw';
  /** `onLimit: 'warn'`: calls that do not fit are admitted anyway. */
  overspend: boolean;
  prices: PriceSource;
  maxRetries: number | undefined;
  /** Ask the provider's free token-counting endpoint near the budget edge (inherited); false: never. */
  countTokens: { timeoutMs: number } | false;
}

/** How a scope is named and behaves in a shared store (used only when the scope's tree has one). */
export interface ResolvedSharing {
  /** The scope's own part of its id (`id`, else the label). */
  id: string;
  update: boolean;
  /** `onStoreFailure.allowUsd`, nano-USD; undefined: fail closed. */
  degradedAllowNanos: number | undefined;
  /** Set for the scope of a run (`fence.run()`): the run's id. */
  runId: string | undefined;
  /** Set for a tag budget scope: shared as `tag:<key>=<value>`. */
  tag: ScopeTag | undefined;
}

export interface ResolvedOptions {
  sharing: ResolvedSharing;
  loopLimits: LoopLimits | undefined;
  window: WindowPeriod | undefined;
  alerts: ResolvedAlerts;
  /** True when this scope records into a store of its own (`store` was given). */
  ownsLedger: boolean;
  label: string;
  limitNanos: number | null;
  threshold: number;
  parentNode: BudgetNode | undefined;
  policy: ResolvedPolicy;
  onEvent: ((event: TokenFenceEvent) => void) | undefined;
  now: () => number;
  /** The scope's own tags (`tags`), validated. */
  tags: Tags | undefined;
  /** `tagBudgets`, validated: a windowed budget per value of each key. */
  tagBudgets: ResolvedTagBudgets | undefined;
  /** Idle tag scopes kept in memory (`_internal.maxIdleTagScopes`, for tests). */
  maxIdleTagScopes: number | undefined;
}

let sharedPriceSource: PriceSource | undefined;
let sharedMemoryLedger: LedgerWriter | undefined;

/** Fences without a store of their own (and no parent) share one in-memory ledger. */
function defaultLedger(): LedgerWriter {
  sharedMemoryLedger ??= new LedgerWriter(createMemoryLedgerStore());
  return sharedMemoryLedger;
}
function defaultPriceSource(): PriceSource {
  sharedPriceSource ??= sharedPriceDataSource(DEFAULT_PRICE_DATA);
  return sharedPriceSource;
}

/** Every option name `new TokenFence()` / `guard()` accepts (`_internal` is for the package's own scopes). */
export const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'budget',
  'label',
  'fallback',
  'threshold',
  'onLimit',
  'parent',
  'share',
  'prices',
  'priceData',
  'onEvent',
  'maxRetries',
  '_internal',
  'store',
  'storeContent',
  'ledger',
  'alerts',
  'anomaly',
  'retryLimit',
  'maxRepeats',
  'repeatWindowMs',
  'provider',
  'clock',
  'id',
  'update',
  'onStoreFailure',
  'countTokens',
  'tags',
  'tagBudgets',
]);
const ON_LIMIT = { stop: 'stop', warn: 'warn', throw: 'throw', raise: 'throw' } as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function resolveLabel(label: unknown): string {
  if (label === undefined) return 'default';
  if (typeof label !== 'string' || label.trim() === '' || label.length > 200 || /[\u0000-\u001f]/.test(label)) {
    throw new InvalidOptionsError(
      'label',
      `expected a non-empty string of at most 200 printable characters, got ${describe(label)}`,
    );
  }
  return label;
}

function resolveFallbacks(fallback: unknown): readonly string[] {
  if (fallback === undefined) return [];
  const list = typeof fallback === 'string' ? [fallback] : fallback;
  if (!Array.isArray(list) || list.some((model) => typeof model !== 'string' || model.trim() === '')) {
    throw new InvalidOptionsError('fallback', `expected a model id or a list of model ids, got ${describe(fallback)}`);
  }
  return Object.freeze([...list] as string[]);
}

function resolveParent(parent: unknown): { node: BudgetNode; policy: ResolvedPolicy } | undefined {
  if (parent === undefined) return undefined;
  const fence = parent as Record<symbol, unknown> | null;
  if (typeof fence !== 'object' || fence === null || fence[TOKEN_FENCE_MARKER] !== true) {
    throw new InvalidOptionsError('parent', `expected a TokenFence, got ${describe(parent)}`);
  }
  return { node: fence[BUDGET_NODE] as BudgetNode, policy: fence[POLICY] as ResolvedPolicy };
}

function isWindowBudget(budget: unknown): budget is WindowBudget {
  return typeof budget === 'object' && budget !== null && !Array.isArray(budget);
}

/** The window of `budget: { usd, per }`, validated; undefined for a plain budget. */
function resolveWindow(budget: unknown): WindowPeriod | undefined {
  if (!isWindowBudget(budget)) return undefined;
  for (const key of Object.keys(budget)) {
    if (key !== 'usd' && key !== 'per') throw new InvalidOptionsError(`budget.${key}`, 'unknown field');
  }
  if (!WINDOW_PERIODS.includes(budget.per)) {
    throw new InvalidOptionsError(
      'budget.per',
      `expected ${WINDOW_PERIODS.map((period) => `'${period}'`).join(', ')}, got ${describe(budget.per)}`,
    );
  }
  return budget.per;
}

export interface ResolvedAlerts {
  thresholds: readonly number[];
  /** Every webhook, each with its format (`json` for a plain URL). */
  webhooks: readonly (WebhookOptions & { format: WebhookFormat })[];
}

function resolveAlerts(alerts: unknown): ResolvedAlerts {
  if (alerts === undefined) return { thresholds: [], webhooks: [] };
  const given = Array.isArray(alerts)
    ? { thresholds: alerts }
    : (alerts as { thresholds?: unknown; webhook?: unknown } | null);
  const thresholds = given?.thresholds;
  if (
    !Array.isArray(thresholds) ||
    thresholds.some((value) => typeof value !== 'number' || !(value > 0 && value <= 1))
  ) {
    throw new InvalidOptionsError(
      'alerts',
      'expected shares of the budget in (0, 1], e.g. [0.5, 0.8, 0.95], or { thresholds, webhook }',
    );
  }
  const webhook = given?.webhook;
  const list = webhook === undefined ? [] : Array.isArray(webhook) ? webhook : [webhook];
  return {
    thresholds: [...new Set(thresholds as number[])].sort((a, b) => a - b),
    webhooks: list.map((entry, index) => resolveWebhook(entry, Array.isArray(webhook) ? `[${index}]` : '')),
  };
}

function resolveWebhook(given: unknown, at: string): WebhookOptions & { format: WebhookFormat } {
  const option = `alerts.webhook${at}`;
  const webhook = (typeof given === 'string' ? { url: given } : given) as WebhookOptions | null;
  if (typeof webhook !== 'object' || webhook === null) {
    throw new InvalidOptionsError(option, "expected a URL or { url, format?: 'json' | 'slack' | 'teams', headers? }");
  }
  for (const key of Object.keys(webhook)) {
    if (key !== 'url' && key !== 'format' && key !== 'headers')
      throw new InvalidOptionsError(`${option}.${key}`, 'unknown field');
  }
  let url: URL | undefined;
  try {
    url = new URL(String(webhook.url));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InvalidOptionsError(`${option}.url`, 'expected an http(s) URL');
  }
  const format = webhook.format ?? 'json';
  if (!WEBHOOK_FORMATS.includes(format)) {
    throw new InvalidOptionsError(`${option}.format`, `expected 'json', 'slack' or 'teams', got ${describe(format)}`);
  }
  const headers = webhook.headers;
  if (
    headers !== undefined &&
    (typeof headers !== 'object' ||
      headers === null ||
      Object.values(headers).some((value) => typeof value !== 'string'))
  ) {
    throw new InvalidOptionsError(`${option}.headers`, 'expected an object of header strings');
  }
  return { ...webhook, format };
}

function resolveProvider(provider: unknown): string | undefined {
  if (provider === undefined) return undefined;
  if (typeof provider !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(provider)) {
    throw new InvalidOptionsError(
      'provider',
      `expected a provider id such as 'deepseek' or 'openrouter', got ${describe(provider)}`,
    );
  }
  return provider.toLowerCase();
}

function resolveLoopLimits(options: TokenFenceOptions): LoopLimits | undefined {
  const { retryLimit, maxRepeats, repeatWindowMs } = options;
  const count = (value: unknown, option: string, min: number) => {
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= min)) {
      throw new InvalidOptionsError(option, `expected a whole number ≥ ${min}, got ${describe(value)}`);
    }
    return value as number | undefined;
  };
  count(retryLimit, 'retryLimit', 0);
  count(maxRepeats, 'maxRepeats', 1);
  count(repeatWindowMs, 'repeatWindowMs', 1);
  if (retryLimit === undefined && maxRepeats === undefined) return undefined;
  return { maxRetries: retryLimit, maxRepeats, repeatWindowMs: repeatWindowMs ?? 60_000 };
}

function resolveLimit(options: TokenFenceOptions, parentNode: BudgetNode | undefined): number | null {
  const { budget, share } = options;
  if (budget !== undefined && share !== undefined) {
    throw new InvalidOptionsError('share', 'give either `budget` or `share`, not both');
  }
  if (budget !== undefined) {
    const nanos = usdToNanos(isWindowBudget(budget) ? budget.usd : budget);
    if (nanos === null) {
      throw new InvalidOptionsError(
        'budget',
        `expected a finite USD amount ≥ 0 such as 2.5 or "$2.50", got ${describe(budget)}`,
      );
    }
    return nanos;
  }
  if (share === undefined) return null;
  if (typeof share !== 'number' || !Number.isFinite(share) || share <= 0 || share > 1) {
    throw new InvalidOptionsError('share', `expected a fraction in (0, 1], got ${describe(share)}`);
  }
  if (!parentNode || parentNode.limitNanos === null) {
    throw new InvalidOptionsError('share', 'needs a `parent` with a budget of its own');
  }
  return Math.floor(parentNode.limitNanos * share);
}

/** Validates every option before anything else happens; throws InvalidOptionsError naming the option. */
export function resolveOptions(options: TokenFenceOptions | undefined): ResolvedOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidOptionsError('options', `expected an options object, got ${describe(options)}`);
  }
  const given = options ?? {};
  for (const key of Object.keys(given)) {
    if (!KNOWN_OPTIONS.has(key)) throw new InvalidOptionsError(key, 'unknown option');
  }
  const parent = resolveParent(given.parent);
  const threshold = given.threshold ?? 0.8;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new InvalidOptionsError('threshold', `expected a number from 0 to 1, got ${describe(given.threshold)}`);
  }
  // Only a string may index the table: an object key would be coerced, and a null-prototype one throws.
  const onLimitName: unknown = given.onLimit ?? 'stop';
  const onLimit =
    typeof onLimitName === 'string' && Object.hasOwn(ON_LIMIT, onLimitName)
      ? ON_LIMIT[onLimitName as keyof typeof ON_LIMIT]
      : undefined;
  if (!onLimit) {
    throw new InvalidOptionsError(
      'onLimit',
      `expected 'stop', 'warn' or 'throw' ('raise'), got ${describe(given.onLimit)}`,
    );
  }
  if (given.onEvent !== undefined && typeof given.onEvent !== 'function') {
    throw new InvalidOptionsError('onEvent', `expected a function, got ${describe(given.onEvent)}`);
  }
  const maxRetries = given.maxRetries;
  if (maxRetries !== undefined && !(Number.isSafeInteger(maxRetries) && maxRetries >= 0 && maxRetries <= 100)) {
    throw new InvalidOptionsError('maxRetries', `expected a whole number from 0 to 100, got ${describe(maxRetries)}`);
  }
  const resolvedOnLimit = given.onLimit === undefined ? (parent?.policy.onLimit ?? 'stop') : onLimit;
  const overrides = parsePriceTable(given.prices);
  const priceData = parsePriceDataOptions(given.priceData);
  const inheritedPrices = priceData
    ? sharedPriceDataSource(priceData)
    : (parent?.policy.prices ?? defaultPriceSource());
  const clock = given.clock;
  if (clock !== undefined && (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')) {
    throw new InvalidOptionsError('clock', 'expected an object with now(): number (e.g. createFakeClock())');
  }
  // Child scopes keep their parent's clock, so one fake clock drives a whole tree.
  const parentNode = parent?.node;
  const now = clock ? () => clock.now() : (given._internal?.now ?? (parentNode ? () => parentNode.now() : Date.now));
  const label = resolveLabel(given.label);
  const ledger = resolveLedger(given, parent?.policy.ledger);
  return {
    sharing: resolveSharing(given, label),
    ownsLedger: given.store !== undefined,
    label,
    limitNanos: resolveLimit(given, parent?.node),
    window: resolveWindow(given.budget),
    loopLimits: resolveLoopLimits(given),
    alerts: resolveAlerts(given.alerts),
    threshold,
    parentNode: parent?.node,
    onEvent: given.onEvent,
    now,
    tags: validateTags(given.tags),
    tagBudgets: resolveTagBudgets(given.tagBudgets),
    maxIdleTagScopes: given._internal?.maxIdleTagScopes,
    policy: {
      fallbacks: resolveFallbacks(given.fallback),
      onLimit: resolvedOnLimit,
      overspend: resolvedOnLimit === 'warn',
      prices: withPriceOverrides(overrides, inheritedPrices),
      maxRetries: maxRetries ?? parent?.policy.maxRetries,
      ledger,
      provider: resolveProvider(given.provider),
      anomaly: resolveAnomalyPolicy(given, parent?.policy.anomaly, ledger),
      storeContent: resolveStoreContent(given.storeContent, parent?.policy.storeContent),
      countTokens: resolveCountTokens(given.countTokens, parent?.policy.countTokens),
    },
  };
}

/**
 * Anomaly detection is on by default (its defaults, action `'alert'`) for a fence with a persistent store of
 * its own: run history is there to learn baselines from. `anomaly: false` turns it off; children inherit.
 */
function resolveAnomalyPolicy(
  options: TokenFenceOptions,
  inherited: ResolvedAnomalyOptions | undefined,
  ledger: LedgerWriter,
): ResolvedAnomalyOptions | undefined {
  if (options.anomaly !== undefined) return resolveAnomalyOptions(options.anomaly);
  if (options.store !== undefined && ledger.store.kind !== 'memory') return resolveAnomalyOptions({});
  return inherited;
}

function resolveLedger(options: TokenFenceOptions, inherited: LedgerWriter | undefined): LedgerWriter {
  const { ledger } = options;
  if (ledger !== undefined) {
    const { flushIntervalMs, maxBatch } = (
      typeof ledger === 'object' && ledger !== null ? ledger : {}
    ) as LedgerWriterOptions;
    const valid = (value: unknown, max: number) =>
      value === undefined || (Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= max);
    if (
      typeof ledger !== 'object' ||
      ledger === null ||
      !valid(flushIntervalMs, 60_000) ||
      !valid(maxBatch, 1_000_000)
    ) {
      throw new InvalidOptionsError('ledger', 'expected { flushIntervalMs?: 1–60000, maxBatch?: 1–1000000 }');
    }
  }
  if (options.store === undefined) return inherited ?? defaultLedger();
  return LedgerWriter.forStore(resolveStore(options.store), options.ledger ?? {});
}

function resolveSharing(options: TokenFenceOptions, label: string): ResolvedSharing {
  const { id, update, onStoreFailure } = options;
  if (id !== undefined && (typeof id !== 'string' || !/^[^\u0000-\u001f{}]{1,200}$/.test(id))) {
    throw new InvalidOptionsError('id', 'expected 1–200 printable characters without braces');
  }
  if (update !== undefined && typeof update !== 'boolean')
    throw new InvalidOptionsError('update', 'expected true or false');
  let degradedAllowNanos: number | undefined;
  if (onStoreFailure !== undefined) {
    const allow = usdToNanos((onStoreFailure as { allowUsd?: unknown } | null)?.allowUsd);
    if (
      allow === null ||
      typeof onStoreFailure !== 'object' ||
      Object.keys(onStoreFailure).some((key) => key !== 'allowUsd')
    ) {
      throw new InvalidOptionsError('onStoreFailure', 'expected { allowUsd: <USD ≥ 0> }');
    }
    degradedAllowNanos = allow;
  }
  return {
    id: id ?? label,
    update: update ?? false,
    degradedAllowNanos,
    runId: options._internal?.runId,
    tag: options._internal?.tag,
  };
}

function resolveStoreContent(storeContent: unknown, inherited: boolean | undefined): boolean {
  if (storeContent === undefined) return inherited ?? false;
  if (typeof storeContent !== 'boolean') throw new InvalidOptionsError('storeContent', 'expected true or false');
  return storeContent;
}

/** How long a count may take by default: a prompt near the budget edge waits at most this long before its call. */
const DEFAULT_COUNT_TIMEOUT_MS = 2_000;

function resolveCountTokens(
  countTokens: unknown,
  inherited: ResolvedPolicy['countTokens'] | undefined,
): ResolvedPolicy['countTokens'] {
  if (countTokens === undefined) return inherited ?? { timeoutMs: DEFAULT_COUNT_TIMEOUT_MS };
  if (countTokens === false) return false;
  if (countTokens === true) return { timeoutMs: DEFAULT_COUNT_TIMEOUT_MS };
  const given = countTokens as { timeoutMs?: unknown } | null;
  const timeoutMs = given?.timeoutMs ?? DEFAULT_COUNT_TIMEOUT_MS;
  const valid =
    typeof given === 'object' &&
    given !== null &&
    Object.keys(given).every((key) => key === 'timeoutMs') &&
    Number.isSafeInteger(timeoutMs) &&
    (timeoutMs as number) >= 1 &&
    (timeoutMs as number) <= 60_000;
  if (!valid) throw new InvalidOptionsError('countTokens', 'expected true, false or { timeoutMs?: 1–60000 }');
  return { timeoutMs: timeoutMs as number };
}

export { POLICY };
