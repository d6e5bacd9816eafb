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

/** A table column and the record field it holds; one list per table gives its SELECT and INSERT. */
export type ColumnField = readonly [column: string, field: string];

const same = (name: string): ColumnField => [name, name];

export const CALL_FIELDS: readonly ColumnField[] = [
  same('id'),
  same('v'),
  same('ts'),
  ['run_id', 'runId'],
  same('workflow'),
  same('agent'),
  same('scope'),
  same('provider'),
  same('model'),
  ['model_used', 'modelUsed'],
  ['input_uncached', 'inputUncached'],
  ['input_cache_read', 'inputCacheRead'],
  ['input_cache_write_5m', 'inputCacheWrite5m'],
  ['input_cache_write_1h', 'inputCacheWrite1h'],
  ['output_text', 'outputText'],
  ['output_reasoning', 'outputReasoning'],
  ['cost_nanos', 'costNanos'],
  ['fee_nanos', 'feeNanos'],
  ['usage_detail', 'usageDetail'],
  ['reserved_nanos', 'reservedNanos'],
  ['cost_source', 'costSource'],
  same('attempt'),
  same('outcome'),
  same('status'),
  ['duration_ms', 'durationMs'],
  same('stream'),
  same('prompt'),
  same('completion'),
  same('tags'),
];

export const EVENT_FIELDS: readonly ColumnField[] = [
  same('ts'),
  same('type'),
  ['run_id', 'runId'],
  same('workflow'),
  same('scope'),
  same('data'),
];

export const RUN_FIELDS: readonly ColumnField[] = [
  ['run_id', 'runId'],
  same('workflow'),
  ['started_at', 'startedAt'],
  ['ended_at', 'endedAt'],
  ['cost_nanos', 'costNanos'],
  same('calls'),
  same('outcome'),
  same('anomalies'),
  ['budget_nanos', 'budgetNanos'],
  same('tags'),
];

/** `column AS field, …`: rows come back shaped as records. */
export function selectList(fields: readonly ColumnField[]): string {
  return fields.map(([column, field]) => (column === field ? column : `${column} AS ${field}`)).join(', ');
}

/** An INSERT with positional parameters in the order of `fields` (both drivers bind those alike). */
export function insertInto(verb: string, table: string, fields: readonly ColumnField[]): string {
  return `${verb} INTO ${table} (${fields.map(([column]) => column).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`;
}

export const CALL_COLUMNS = selectList(CALL_FIELDS);
export const INSERT_CALL = insertInto('INSERT OR IGNORE', 'calls', CALL_FIELDS);
export const EVENT_COLUMNS = selectList(EVENT_FIELDS);
export const INSERT_EVENT = insertInto('INSERT', 'events', EVENT_FIELDS);
export const RUN_COLUMNS = selectList(RUN_FIELDS);
export const INSERT_RUN = insertInto('INSERT OR REPLACE', 'runs', RUN_FIELDS);

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
