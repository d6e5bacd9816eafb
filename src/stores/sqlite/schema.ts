/** Bumped on any incompatible change; a database written by a newer version is refused, not misread. */
export const SCHEMA_VERSION = 3;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  v INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  run_id TEXT,
  workflow TEXT,
  agent TEXT,
  scope TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  model_used TEXT NOT NULL,
  input_uncached INTEGER NOT NULL,
  input_cache_read INTEGER NOT NULL,
  input_cache_write_5m INTEGER NOT NULL,
  input_cache_write_1h INTEGER NOT NULL,
  output_text INTEGER NOT NULL,
  output_reasoning INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  fee_nanos INTEGER NOT NULL DEFAULT 0,
  usage_detail TEXT,
  reserved_nanos INTEGER NOT NULL,
  cost_source TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER,
  duration_ms INTEGER NOT NULL,
  stream INTEGER NOT NULL,
  prompt TEXT,
  completion TEXT,
  tags TEXT
);
CREATE INDEX IF NOT EXISTS calls_ts ON calls (ts);
CREATE INDEX IF NOT EXISTS calls_run ON calls (run_id);
CREATE INDEX IF NOT EXISTS calls_workflow_ts ON calls (workflow, ts);
CREATE INDEX IF NOT EXISTS calls_scope_ts ON calls (scope, ts);
CREATE TABLE IF NOT EXISTS call_tags (
  call_id TEXT NOT NULL,
  tag_key TEXT NOT NULL,
  tag_value TEXT NOT NULL,
  tag_ts INTEGER NOT NULL,
  tag_cost INTEGER NOT NULL,
  tag_scope TEXT NOT NULL,
  PRIMARY KEY (call_id, tag_key)
);
CREATE INDEX IF NOT EXISTS call_tags_value_ts ON call_tags (tag_key, tag_value, tag_ts);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  type TEXT NOT NULL,
  run_id TEXT,
  workflow TEXT,
  scope TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  anomalies INTEGER NOT NULL,
  budget_nanos INTEGER,
  tags TEXT
);
CREATE INDEX IF NOT EXISTS runs_workflow_end ON runs (workflow, ended_at);
CREATE TABLE IF NOT EXISTS kill_orders (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  run_id TEXT,
  workflow TEXT,
  reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kill_orders_ts ON kill_orders (ts);
`;

export const CALL_COLUMNS = `id, v, ts, run_id AS runId, workflow, agent, scope, provider, model, model_used AS modelUsed,
  input_uncached AS inputUncached, input_cache_read AS inputCacheRead, input_cache_write_5m AS inputCacheWrite5m,
  input_cache_write_1h AS inputCacheWrite1h, output_text AS outputText, output_reasoning AS outputReasoning,
  cost_nanos AS costNanos, fee_nanos AS feeNanos, usage_detail AS usageDetail, reserved_nanos AS reservedNanos, cost_source AS costSource, attempt, outcome, status,
  duration_ms AS durationMs, stream, prompt, completion, tags`;

export const INSERT_CALL = `INSERT OR IGNORE INTO calls (id, v, ts, run_id, workflow, agent, scope, provider, model, model_used,
  input_uncached, input_cache_read, input_cache_write_5m, input_cache_write_1h, output_text, output_reasoning,
  cost_nanos, fee_nanos, usage_detail, reserved_nanos, cost_source, attempt, outcome, status, duration_ms, stream, prompt,
  completion, tags)
  VALUES (@id, @v, @ts, @runId, @workflow, @agent, @scope, @provider, @model, @modelUsed, @inputUncached, @inputCacheRead,
  @inputCacheWrite5m, @inputCacheWrite1h, @outputText, @outputReasoning, @costNanos, @feeNanos, @usageDetail, @reservedNanos, @costSource,
  @attempt, @outcome, @status, @durationMs, @stream, @prompt, @completion, @tags)`;

/** One row per tag of a call: what tag budgets, tag filters and tag groupings read through an index. */
export const INSERT_CALL_TAG = `INSERT OR IGNORE INTO call_tags (call_id, tag_key, tag_value, tag_ts, tag_cost, tag_scope)
  VALUES (?, ?, ?, ?, ?, ?)`;

/** Columns added after schema 1, added in place to a ledger written by an older version. */
export const ADDED_CALL_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['fee_nanos', 'INTEGER NOT NULL DEFAULT 0'],
  ['usage_detail', 'TEXT'],
  ['tags', 'TEXT'],
];

/** Columns added to runs after schema 1 (schema 3: tags). */
export const ADDED_RUN_COLUMNS: ReadonlyArray<readonly [string, string]> = [['tags', 'TEXT']];

export const INSERT_EVENT = `INSERT INTO events (ts, type, run_id, workflow, scope, data)
  VALUES (@ts, @type, @runId, @workflow, @scope, @data)`;

export const INSERT_RUN = `INSERT OR REPLACE INTO runs (run_id, workflow, started_at, ended_at, cost_nanos, calls, outcome, anomalies, budget_nanos, tags)
  VALUES (@runId, @workflow, @startedAt, @endedAt, @costNanos, @calls, @outcome, @anomalies, @budgetNanos, @tags)`;

export const RUN_COLUMNS = `run_id AS runId, workflow, started_at AS startedAt, ended_at AS endedAt, cost_nanos AS costNanos,
  calls, outcome, anomalies, budget_nanos AS budgetNanos, tags`;
