import type { WebhookFormat } from './alerts/webhook-payload.js';
import type { AnomalyOptions } from './anomaly/anomaly-options.js';
import type { TagBudgets } from './budget/tag-budgets.js';
import type { ScopeTag } from './budget/tag-scopes.js';
import type { TokenFenceEvent } from './events/events.js';
import type { LedgerWriterOptions } from './ledger/ledger-writer.js';
import type { PriceDataOptions } from './pricing/price-data-options.js';
import type { PriceTable } from './pricing/price-overrides.js';
import type { StoreOption } from './stores/resolve-store.js';

/** What to do when a call's worst case does not fit the budget. */
export type OnLimit = 'stop' | 'warn' | 'throw' | 'raise';

/** A budget that renews every UTC hour, day or month; spend in the current window is kept in the store. */
export interface WindowBudget {
  /** USD per window: a number or a string such as "$10". */
  usd: number | string;
  per: 'hour' | 'day' | 'month';
}

/** Where `budget-alert` events are also POSTed (retried, never blocking a call). */
export interface WebhookOptions {
  url: string;
  /**
   * The body: `'json'` (`{ source, text, event }`), `'slack'` (an incoming-webhook message: `text` + Block Kit
   * `blocks`) or `'teams'` (an Adaptive Card in a message envelope, as Teams Workflows webhooks take it).
   * @default 'json'
   */
  format?: WebhookFormat;
  /** Extra request headers (e.g. authorisation for the receiver); never logged. */
  headers?: Record<string, string>;
}

/** Options of `new TokenFence(options)` and `guard(client, options)`. Validated once, at construction. */
export interface TokenFenceOptions {
  /**
   * The scope's budget, USD: a number or a string such as `"$1.50"`. Without it (and without `share`)
   * the scope has no limit of its own: it counts spend, and its ancestors' limits still apply.
   */
  budget?: number | string | WindowBudget;
  /** Name of the scope (agent role, workflow): in events, errors and reports. @default 'default' */
  label?: string;
  /** A cheaper model, or an ordered list of them, used from `threshold` on and when the asked model does not fit. */
  fallback?: string | readonly string[];
  /** Share of the budget (0–1) from which calls go to `fallback`. @default 0.8 */
  threshold?: number;
  /**
   * When a call does not fit: `'stop'` answers it locally with an SDK-shaped response (a stream for a
   * stream request) that says so, sending nothing; `'warn'` emits `budget-exceeded` and sends it anyway;
   * `'throw'` (alias `'raise'`) rejects with `BudgetExceededError`. @default 'stop'
   */
  onLimit?: OnLimit;
  /** The enclosing scope: spend here counts there too, and its limit caps this one. */
  parent?: TokenFenceLike;
  /** This scope's budget as a fraction (0, 1] of the parent's. Shares may add up to more than 1. */
  share?: number;
  /** Prices for models the dataset lacks or negotiated prices, USD per 1M tokens. Inherited by child scopes. */
  prices?: PriceTable;
  /**
   * Newer price data than the copy bundled with this release: a genai-prices v2 `data.json` (the format of its
   * `updatePrices()`) from `file` (read once, at the first priced call) or `url` (downloaded in the background from the
   * first priced call, within `timeoutMs`; the bundled data prices calls until it arrives). Models the newer data lacks
   * keep their bundled price; a file or download that fails is a process warning (TOKENFENCE_W006) and the data in use
   * stays. `maxAgeDays`: warn (TOKENFENCE_W005) when calls are priced from bundled data older than that. Nothing is
   * fetched unless `url` is given. Inherited by child scopes; a child's own `priceData` replaces its parent's price
   * data and `prices` (repeat those). @default { maxAgeDays: 60, timeoutMs: 10000 }
   */
  priceData?: PriceDataOptions;
  /** Called synchronously with every event of this scope and of the scopes below it. */
  onEvent?: (event: TokenFenceEvent) => void;
  /**
   * Caps the SDK's automatic retries per call (each attempt is reserved and charged on its own).
   * @default the SDK client's own setting (2 for openai and @anthropic-ai/sdk)
   */
  maxRetries?: number;
  /**
   * Where call records, events and run summaries are kept: `'memory'` (shared by every fence without a
   * store, bounded), `'sqlite:./tokenfence.db'` (node:sqlite on Node ≥ 22.13, nothing to install;
   * better-sqlite3 12 on older Node), an open better-sqlite3 `Database` or node:sqlite `DatabaseSync`,
   * `'redis://host:6379'` or `redisStore(…)` (budgets and ledger shared by every process on that Redis;
   * needs ioredis 5), or a LedgerStore object. Inherited by child scopes. @default the shared in-memory ledger
   */
  store?: StoreOption;
  /**
   * The scope's name in a shared store (Redis): the same id on the same store is one budget in every
   * process. Child scopes are named below their parent (`crawl/researcher`). @default the label
   */
  id?: string;
  /** Shared store: replace the limit another process stored for this scope instead of refusing. @default false */
  update?: boolean;
  /**
   * Shared store unreachable: `{ allowUsd }` lets this process admit up to that much (holds in flight
   * plus spend not yet written back), journaled and charged to the shared budget once Redis answers again.
   * @default fail closed: every call is refused with StoreUnavailableError
   */
  onStoreFailure?: { allowUsd: number };
  /** Record prompt and completion text in the ledger. Inherited. @default false */
  storeContent?: boolean;
  /**
   * Near the budget edge — when a call's local prompt bound would get it refused, downgraded or clamped —
   * ask the provider's free token-counting endpoint (Anthropic `messages/count_tokens`, Gemini `countTokens`,
   * OpenAI Responses `input_tokens`) for the exact prompt size and plan on that, waiting at most `timeoutMs`;
   * a failed or late count plans on the local bound. `false`: never count. Inherited.
   * @default { timeoutMs: 2000 }
   */
  countTokens?: { timeoutMs?: number } | boolean;
  /** Batching of ledger writes. @default { flushIntervalMs: 200, maxBatch: 1000 } */
  ledger?: LedgerWriterOptions;
  /**
   * Shares of the budget (0–1) at which a `budget-alert` event fires, each once per scope and window;
   * `{ thresholds, webhook }` also POSTs it to a URL.
   */
  alerts?:
    | readonly number[]
    | {
        thresholds: readonly number[];
        /** One webhook or several: a URL string (format `json`) or `{ url, format, headers }`. */
        webhook?: string | WebhookOptions | readonly (string | WebhookOptions)[];
      };
  /**
   * Retries allowed in this scope in all: SDK retry attempts plus calls that repeat a request which
   * failed. Past it calls are refused with RetryLimitError. (`maxRetries` caps retries per call.)
   */
  retryLimit?: number;
  /** Times the same model may get the same prompt within `repeatWindowMs`; more is refused as a loop (LoopDetectedError). */
  maxRepeats?: number;
  /** The window of `maxRepeats`, ms. @default 60000 */
  repeatWindowMs?: number;
  /**
   * Whose prices apply to the guarded client: `'deepseek'`, `'x-ai'`, `'groq'`, `'mistral'`,
   * `'together'`, `'openrouter'`, … (ids of the price dataset). @default inferred from the client's
   * base URL; the SDK's own provider for hosts it does not know (a local server, a proxy)
   */
  provider?: string;
  /**
   * Anomaly detection for the runs of this fence (`fence.run()`), from their workflow's history; `false`
   * turns it off. Inherited. @default on (action `'alert'`) when this fence has a persistent `store`
   * (SQLite, Redis, …), off otherwise
   */
  anomaly?: AnomalyOptions | false;
  /**
   * Where time comes from (windows, durations, record times, baselines): `{ now(): number }` in epoch ms,
   * e.g. `createFakeClock()` from `tokenfence/testing`. Inherited by child scopes. @default Date.now
   */
  clock?: { now(): number };
  /**
   * Tags of every call made in this scope and below (`{ tenant: 'acme', feature: 'search' }`): recorded on
   * each call and run, grouped and filtered by in reports. Merged down the tree, the innermost scope's
   * value winning (client over agent over run over fence). Keys: a letter then up to 63 letters, digits or
   * `_`; values: 1–128 letters, digits or `_ . : @ + -`; at most 16 tags (InvalidOptionsError otherwise).
   */
  tags?: Record<string, string>;
  /**
   * A windowed budget for every distinct value of a tag: `{ tenant: { usd: 50, per: 'month' } }`, or with
   * per-value overrides `{ tenant: { default: { usd: 50, per: 'month' }, values: { acme: { usd: 500, per:
   * 'month' } } } }` (without `default`, only the listed values are budgeted). A call carrying
   * `tenant=acme` must fit the `tenant=acme` scope (label `tenant=acme`, shared id `tag:tenant=acme`) and
   * every other enclosing scope. Idle scopes are evicted past 1,000 (their window's spend is kept).
   */
  tagBudgets?: TagBudgets;
  /** For tests; may change without notice. */
  _internal?: { now?: () => number; runId?: string; tag?: ScopeTag; maxIdleTagScopes?: number };
}

/** Options of `fence.guard(client, options)`: a child scope of `fence`. */
export type GuardOptions = Omit<TokenFenceOptions, 'parent'>;

/** The read-only view a guarded client carries as `client.tokenfence`. All money in USD. */
export interface SpendView {
  readonly label: string;
  /** The limit, USD (`Infinity` for a scope without one). */
  readonly budget: number;
  /** Settled spend, USD, exact to the nano-dollar. */
  readonly spent: number;
  /** Settled spend in integer nano-USD (1e-9 USD): the exact ledger value, for sums and comparisons. */
  readonly spentNanos: number;
  /** Held by in-flight calls, USD. */
  readonly reserved: number;
  /** What the scope can still admit, USD: budget − spent − reserved, capped by every ancestor. */
  readonly remaining: number;
  /** Settled HTTP attempts (SDK retries count one each). */
  readonly calls: number;
  /**
   * Of `calls`, those to a model without a known price, let through because no scope up the tree has a
   * budget: their cost is unknown and not in `spent` (recorded with `costSource: 'unknown'`).
   */
  readonly unpricedCalls: number;
  /** spent / budget. */
  readonly usageRatio: number;
  /** True from the threshold on: calls go to the fallback. */
  readonly shouldDowngrade: boolean;
  /** True once a call was refused for budget, or spend reached the budget. */
  readonly budgetExceeded: boolean;
  readonly killed: boolean;
  /**
   * Refuses every later call of this scope and its children and aborts their in-flight calls, at once.
   * Resolves when the kill is durable in the store (rejects with StoreUnavailableError if it cannot be
   * within the store's timeout); awaiting it is optional.
   */
  kill(reason?: string): Promise<void>;
  /** Starts a fresh period: clears spend, calls, flags and the kill. In-flight holds stay. Resolves as `kill()` does. */
  reset(): Promise<void>;
}

/** Marks a TokenFence across copies of the package (ESM and CJS in one process). */
export const TOKEN_FENCE_MARKER = Symbol.for('tokenfence.fence');

/** Anything that is a TokenFence (possibly from another copy of the package). */
export interface TokenFenceLike extends SpendView {
  readonly [TOKEN_FENCE_MARKER]: true;
}

export type Guarded<T> = T & { readonly tokenfence: SpendView };
