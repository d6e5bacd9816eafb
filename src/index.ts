export type { WebhookFormat } from './alerts/webhook-payload.js';
export type { AnomalyOptions } from './anomaly/anomaly-options.js';
export { detectAnomalies } from './anomaly/detect-anomalies.js';
export type { TagBudget, TagBudgets, TagWindowBudget } from './budget/tag-budgets.js';
export type { ScopeTag } from './budget/tag-scopes.js';
export type { BudgetForecast } from './budget-forecasts.js';
export type { Tags } from './core/tag-rules.js';
export type { NormalizedUsage } from './core/usage.js';
export { type Dashboard, type DashboardOptions, startDashboard } from './dashboard/index.js';
export { BudgetExceededError, isBudgetExceededError } from './errors/budget-exceeded-error.js';
export { InvalidOptionsError, isInvalidOptionsError } from './errors/invalid-options-error.js';
export { isKillSwitchError, KillSwitchError } from './errors/kill-switch-error.js';
export { isLoopDetectedError, LoopDetectedError } from './errors/loop-detected-error.js';
export { isRetryLimitError, RetryLimitError } from './errors/retry-limit-error.js';
export { isSharedBudgetConflictError, SharedBudgetConflictError } from './errors/shared-budget-conflict-error.js';
export {
  isSqliteDriverUnavailableError,
  SqliteDriverUnavailableError,
} from './errors/sqlite-driver-unavailable-error.js';
export { isStoreUnavailableError, StoreUnavailableError } from './errors/store-unavailable-error.js';
export { isTokenFenceError, TokenFenceError, type TokenFenceErrorCode } from './errors/token-fence-error.js';
export { isUnbudgetedEndpointError, UnbudgetedEndpointError } from './errors/unbudgeted-endpoint-error.js';
export { isUnknownModelError, UnknownModelError } from './errors/unknown-model-error.js';
export { isUnsupportedClientError, UnsupportedClientError } from './errors/unsupported-client-error.js';
export type {
  AgentStartedEvent,
  AnomalyDetectedEvent,
  BudgetAlertEvent,
  BudgetExceededEvent,
  BudgetForecastEvent,
  CallOutcome,
  CallSettledEvent,
  CostSource,
  FenceKilledEvent,
  LoopDetectedEvent,
  MaxTokensClampedEvent,
  ModelDowngradedEvent,
  ModelUnpricedEvent,
  RetryEscalatedEvent,
  RunEndedEvent,
  RunStartedEvent,
  ThresholdCrossedEvent,
  TokenFenceEvent,
  TokenFenceEventListener,
  TokenFenceEventType,
} from './events/events.js';
export { type GuardedFetchProvider, type GuardFetchOptions, guardFetch } from './integrations/guarded-fetch/index.js';
export {
  type AgentLike,
  type AgentModelLike,
  type AgentModelProviderLike,
  fenceAgentModel,
  type GuardAgentModelsOptions,
  guardAgentModels,
} from './integrations/openai-agents/index.js';
export {
  type MeterLike,
  type OpenTelemetryApiLike,
  type OpenTelemetryOptions,
  openTelemetryInstrumentation,
  type SpanLike,
  type TracerLike,
} from './integrations/opentelemetry/index.js';
export {
  type PromClientLike,
  type PrometheusMetricsOptions,
  prometheusMetrics,
} from './integrations/prometheus/index.js';
export { type CallKind, callKind } from './ledger/count-calls.js';
export type { CallRecord, EventRecord, LedgerCostSource, LedgerOutcome, RunRecord } from './ledger/ledger-records.js';
export type { LedgerFilter, LedgerStore } from './ledger/ledger-store.js';
export { GENAI_PRICES_VERSION } from './pricing/genai-prices-source.js';
export type { PriceDataOptions } from './pricing/price-data-options.js';
export type { ModelPriceOverride, PriceTable } from './pricing/price-overrides.js';
export { isBudgetStop } from './proxy/budget-stop.js';
export { type ExportFormat, exportCalls, exportRow } from './reports/export-calls.js';
export { formatReport, type ReportFormat } from './reports/format-report.js';
export type {
  AgentRow,
  ModelRow,
  ReportGrouping,
  ReportOptions,
  RunRow,
  SpendReport,
  SpendStats,
  TagRow,
  WorkflowRow,
} from './reports/summarize-spend.js';
export { summarizeSpend } from './reports/summarize-spend.js';
export { createMemoryLedgerStore } from './stores/memory/memory-ledger-store.js';
export type { RedisBudgetStore, SettleResult } from './stores/redis/redis-budget-store.js';
export type { RedisClientLike } from './stores/redis/redis-connection.js';
export { RedisStore, type RedisStoreOptions, redisStore } from './stores/redis/redis-store.js';
export type { StoreOption } from './stores/resolve-store.js';
export type { SqliteDatabaseLike, SqliteStatementLike } from './stores/sqlite/sqlite-database-like.js';
export { createSqliteLedgerStore, openSqliteLedgerStore } from './stores/sqlite/sqlite-ledger-store.js';
export { type AgentOptions, guard, RunHandle, type RunOptions, type SharedTotals, TokenFence } from './token-fence.js';
export type {
  Guarded,
  GuardOptions,
  OnLimit,
  SpendView,
  TokenFenceLike,
  TokenFenceOptions,
  WebhookOptions,
} from './types.js';
