import { TAG_KEY_PATTERN } from '../../core/tag-rules.js';
import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import type { BucketSpec, CallBucket } from '../../ledger/bucket-calls.js';
import { callCountsSql } from '../../ledger/count-calls.js';
import { type CallGroup, type CallGrouping, tagKeyOf } from '../../ledger/group-calls.js';
import type { CallRecord, EventRecord, KillOrder, RunRecord } from '../../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../../ledger/ledger-store.js';
import { openSqliteConnection, type SqliteDriverChoice, toSqliteConnection } from './open-sqlite-connection.js';
import {
  ADDED_CALL_COLUMNS,
  ADDED_RUN_COLUMNS,
  CALL_COLUMNS,
  CALL_FIELDS,
  type ColumnField,
  EVENT_COLUMNS,
  EVENT_FIELDS,
  INSERT_CALL,
  INSERT_CALL_TAG,
  INSERT_EVENT,
  INSERT_RUN,
  RUN_COLUMNS,
  RUN_FIELDS,
  SCHEMA,
  SCHEMA_VERSION,
} from './schema.js';
import type { SqliteConnection, SqliteDriverName } from './sqlite-connection.js';
import type { NodeSqliteDatabaseLike, SqliteDatabaseLike } from './sqlite-database-like.js';

/** The SQLite ledger, with the driver it runs on. */
export interface SqliteLedgerStore extends LedgerStore {
  readonly driver: SqliteDriverName;
}

export interface OpenSqliteLedgerStoreOptions {
  /** `auto` (default): `node:sqlite` where this Node has it (≥ 22.13), else better-sqlite3. */
  driver?: SqliteDriverChoice;
}

/** Calls to a model without a known price, counted apart: their cost is unknown, not 0. */
const UNPRICED_CALLS = "COALESCE(SUM(cost_source = 'unknown'), 0) AS unpricedCalls";

/**
 * The grouping columns per grouping, after `runId` (selected as `run_id` when grouped per run, else NULL);
 * every key of CallGroup is selected (null when not grouped on).
 */
const GROUP_KEYS: Record<Exclude<CallGrouping, `tag${string}`>, { select: string; group: string }> = {
  run: { select: 'MIN(workflow) AS workflow, NULL AS agent, NULL AS provider, NULL AS model', group: 'run_id' },
  workflow: { select: 'workflow, NULL AS agent, NULL AS provider, NULL AS model', group: 'workflow' },
  agent: { select: 'NULL AS workflow, agent, NULL AS provider, NULL AS model', group: 'agent' },
  model: { select: 'NULL AS workflow, NULL AS agent, provider, model_used AS model', group: 'provider, model_used' },
  'workflow-agent': { select: 'workflow, agent, NULL AS provider, NULL AS model', group: 'workflow, agent' },
};

/**
 * Builds a parameterised WHERE clause from the filter: values are always bound, never spliced in. Tag
 * filters read the call_tags index for calls and the JSON `tags` column for runs (`tagsOf`).
 */
function where(
  filter: LedgerFilter,
  timeColumn: string,
  tagsOf: 'calls' | 'runs' = 'calls',
): { sql: string; parameters: unknown[] } {
  const clauses: string[] = [];
  const parameters: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    clauses.push(clause);
    parameters.push(value);
  };
  if (filter.since !== undefined) add(`${timeColumn} >= ?`, filter.since);
  if (filter.until !== undefined) add(`${timeColumn} < ?`, filter.until);
  if (filter.workflow !== undefined) add('workflow = ?', filter.workflow);
  if (filter.agent !== undefined) add('agent = ?', filter.agent);
  if (filter.runId !== undefined) add('run_id = ?', filter.runId);
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    // A key that no tag can have matches nothing (and never reaches a JSON path).
    if (!TAG_KEY_PATTERN.test(key)) clauses.push('0');
    else if (tagsOf === 'runs') {
      clauses.push('json_extract(tags, ?) = ?');
      parameters.push(`$.${key}`, value);
    } else {
      clauses.push('EXISTS (SELECT 1 FROM call_tags WHERE call_id = calls.id AND tag_key = ? AND tag_value = ?)');
      parameters.push(key, value);
    }
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', parameters };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** A record's values in the order of `fields`: absent fields are NULL, flags 0/1 (neither driver binds those). */
function bindValues(fields: readonly ColumnField[], record: object): unknown[] {
  const values = new Array<unknown>(fields.length);
  for (let index = 0; index < fields.length; index += 1) {
    const value = (record as Record<string, unknown>)[(fields[index] as ColumnField)[1]];
    values[index] =
      value === undefined
        ? null
        : typeof value === 'boolean'
          ? Number(value)
          : typeof value === 'object' && value !== null
            ? JSON.stringify(value)
            : value;
  }
  return values;
}

/** Brings a ledger of an older schema up to date in place: only columns are added, nothing is rewritten. */
function migrate(db: SqliteConnection): void {
  const existing = new Set(
    (db.prepare('PRAGMA table_info(calls)').all() as Array<{ name: string }>).map((c) => c.name),
  );
  for (const [column, type] of ADDED_CALL_COLUMNS) {
    if (!existing.has(column)) db.exec(`ALTER TABLE calls ADD COLUMN ${column} ${type}`);
  }
  const runColumns = new Set(
    (db.prepare('PRAGMA table_info(runs)').all() as Array<{ name: string }>).map((c) => c.name),
  );
  for (const [column, type] of ADDED_RUN_COLUMNS) {
    if (!runColumns.has(column)) db.exec(`ALTER TABLE runs ADD COLUMN ${column} ${type}`);
  }
}

/** A row's `tags` JSON back as the record's field: absent when the record had none. */
function readTags(row: { tags?: unknown }): void {
  if (typeof row.tags === 'string') row.tags = JSON.parse(row.tags);
  else delete row.tags;
}

/**
 * The SQLite ledger over a database the user opened: a better-sqlite3 `Database` or a `node:sqlite`
 * `DatabaseSync`. WAL, `synchronous = NORMAL`, a 5 s busy timeout, one `BEGIN IMMEDIATE` transaction per
 * batch. Several processes on one machine may share the file, whichever driver each one uses.
 */
export function createSqliteLedgerStore(
  database: SqliteDatabaseLike | NodeSqliteDatabaseLike,
  name = 'sqlite',
): SqliteLedgerStore {
  return createStore(toSqliteConnection(database), name);
}

function createStore(db: SqliteConnection, name: string): SqliteLedgerStore {
  const fail = (problem: string, cause: unknown): never => {
    throw new StoreUnavailableError(name, `${problem}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  };
  try {
    // busy_timeout first: switching to WAL waits on a writer that another process has open.
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec(SCHEMA);
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: string }
      | undefined;
    if (version && Number(version.value) > SCHEMA_VERSION) {
      throw new Error(`written by a newer TokenFence (schema ${version.value} > ${SCHEMA_VERSION})`);
    }
    if (version && Number(version.value) < SCHEMA_VERSION) migrate(db);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  } catch (error) {
    fail('cannot open the ledger', error);
  }
  const insertCall = db.prepare(INSERT_CALL);
  const insertCallTag = db.prepare(INSERT_CALL_TAG);
  const insertEvent = db.prepare(INSERT_EVENT);
  const insertRun = db.prepare(INSERT_RUN);
  const writeCalls = db.transaction((records: readonly CallRecord[]) => {
    for (const record of records) {
      const { tags } = record;
      const written = insertCall.run(...bindValues(CALL_FIELDS, record));
      if (!tags || Number((written as { changes?: number | bigint }).changes) !== 1) continue;
      for (const key of Object.keys(tags)) {
        insertCallTag.run(record.id, key, tags[key], record.ts, record.costNanos, record.scope);
      }
    }
  });
  const writeEvents = db.transaction((records: readonly EventRecord[]) => {
    for (const record of records) insertEvent.run(...bindValues(EVENT_FIELDS, record));
  });
  const writeRuns = db.transaction((records: readonly RunRecord[]) => {
    for (const record of records) insertRun.run(...bindValues(RUN_FIELDS, record));
  });
  const sumCost = db.prepare(
    "SELECT COALESCE(SUM(cost_nanos), 0) AS total FROM calls WHERE ts >= ? AND (scope = ? OR scope LIKE ? ESCAPE '\\')",
  );
  const sumTagCost = db.prepare(
    `SELECT COALESCE(SUM(tag_cost), 0) AS total FROM call_tags WHERE tag_key = ? AND tag_value = ? AND tag_ts >= ?
       AND (tag_scope = ? OR tag_scope LIKE ? ESCAPE '\\')`,
  );
  const insertKillOrder = db.prepare('INSERT INTO kill_orders (ts, run_id, workflow, reason) VALUES (?, ?, ?, ?)');
  const queryKillOrders = db.prepare(
    'SELECT seq, ts, run_id AS runId, workflow, reason FROM kill_orders WHERE ts >= ? ORDER BY seq',
  );
  /**
   * Calls grouped per value of one tag, through the call_tags index; split per run for `tag-run:` (calls
   * outside any run left out) or `perRun` (calls outside any run kept, as their own group).
   */
  const groupByTag = (
    key: string,
    onlyRuns: boolean,
    perRun: boolean,
    sql: string,
    parameters: unknown[],
  ): CallGroup[] => {
    const runs = onlyRuns ? `${sql ? `${sql} AND` : 'WHERE'} run_id IS NOT NULL` : sql;
    const byRun = onlyRuns || perRun;
    return db
      .prepare(
        `SELECT ${byRun ? 'run_id AS runId' : 'NULL AS runId'}, NULL AS workflow, NULL AS agent, NULL AS provider,
           NULL AS model, tag_value AS tag, ${callCountsSql()}, SUM(cost_nanos) AS costNanos, SUM(fee_nanos) AS feeNanos,
           SUM(input_uncached + input_cache_read + input_cache_write_5m + input_cache_write_1h) AS inputTokens,
           SUM(output_text + output_reasoning) AS outputTokens, ${UNPRICED_CALLS}, MIN(ts) AS firstTs
         FROM calls JOIN call_tags ON call_id = calls.id AND tag_key = ? ${runs}
         GROUP BY tag_value${byRun ? ', run_id' : ''}`,
      )
      .all(key, ...parameters) as CallGroup[];
  };
  const guarded =
    <A extends unknown[], R>(problem: string, run: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return run(...args);
      } catch (error) {
        return fail(problem, error);
      }
    };

  return {
    kind: 'sqlite',
    driver: db.driver,
    appendCalls: guarded('cannot write call records', (records: readonly CallRecord[]) => writeCalls(records)),
    appendEvents: guarded('cannot write events', (records: readonly EventRecord[]) => writeEvents(records)),
    appendRuns: guarded('cannot write runs', (records: readonly RunRecord[]) => writeRuns(records)),
    queryCalls: guarded('cannot read call records', (filter: LedgerFilter) => {
      const { sql, parameters } = where(filter, 'ts');
      const rows = db.prepare(`SELECT ${CALL_COLUMNS} FROM calls ${sql} ORDER BY ts, seq`).all(...parameters) as Array<
        Omit<CallRecord, 'stream'> & { stream: number }
      >;
      // Rows are fresh objects: convert the flag in place instead of copying 100k rows.
      for (const row of rows) {
        (row as unknown as CallRecord).stream = row.stream === 1;
        readTags(row);
      }
      return rows as unknown as CallRecord[];
    }),
    iterateCalls(filter: LedgerFilter): Iterable<CallRecord> {
      const { sql, parameters } = where(filter, 'ts');
      let rows: IterableIterator<unknown>;
      try {
        rows = db.prepare(`SELECT ${CALL_COLUMNS} FROM calls ${sql} ORDER BY ts, seq`).iterate(...parameters);
      } catch (error) {
        return fail('cannot read call records', error);
      }
      return {
        *[Symbol.iterator]() {
          try {
            for (const row of rows) {
              const record = row as Omit<CallRecord, 'stream'> & { stream: number | boolean };
              record.stream = record.stream === 1;
              readTags(record);
              yield record as CallRecord;
            }
          } catch (error) {
            fail('cannot read call records', error);
          }
        },
      };
    },
    queryEvents: guarded('cannot read events', (filter: LedgerFilter) => {
      const { sql, parameters } = where({ ...filter, agent: undefined, tags: undefined }, 'ts');
      return db
        .prepare(`SELECT ${EVENT_COLUMNS} FROM events ${sql} ORDER BY ts, seq`)
        .all(...parameters) as EventRecord[];
    }),
    queryRuns: guarded('cannot read runs', (filter: LedgerFilter) => {
      const { sql, parameters } = where({ ...filter, agent: undefined }, 'ended_at', 'runs');
      const rows = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ${sql} ORDER BY ended_at`).all(...parameters);
      for (const row of rows as Array<{ tags?: unknown }>) readTags(row);
      return rows as RunRecord[];
    }),
    groupCalls: guarded('cannot read call records', (filter: LedgerFilter, by: CallGrouping, perRun = false) => {
      const { sql, parameters } = where(filter, 'ts');
      const tagKey = tagKeyOf(by);
      if (tagKey !== undefined) return groupByTag(tagKey, by.startsWith('tag-run:'), perRun, sql, parameters);
      const keys = GROUP_KEYS[by as keyof typeof GROUP_KEYS];
      const byRun = by === 'run' || perRun;
      // run_id first: the scan walks the run index, leaving less to sort.
      const onlyRuns =
        by === 'run' || by === 'workflow-agent' ? `${sql ? `${sql} AND` : 'WHERE'} run_id IS NOT NULL` : sql;
      return db
        .prepare(
          `SELECT ${byRun ? 'run_id' : 'NULL'} AS runId, ${keys.select}, ${callCountsSql()},
             SUM(cost_nanos) AS costNanos, SUM(fee_nanos) AS feeNanos,
             SUM(input_uncached + input_cache_read + input_cache_write_5m + input_cache_write_1h) AS inputTokens,
             SUM(output_text + output_reasoning) AS outputTokens, ${UNPRICED_CALLS}, MIN(ts) AS firstTs
           FROM calls ${onlyRuns} GROUP BY ${byRun && by !== 'run' ? 'run_id, ' : ''}${keys.group}`,
        )
        .all(...parameters) as CallGroup[];
    }),
    bucketCalls: guarded('cannot read call records', (filter: LedgerFilter, spec: BucketSpec) => {
      const { sql, parameters } = where(filter, 'ts');
      // Integer division floors for the non-negative epoch ms the ledger holds; offsetMs moves the edges.
      const start = 'CAST((ts + ?) / ? AS INTEGER) * ? - ?';
      const shift = [spec.offsetMs, spec.bucketMs, spec.bucketMs, spec.offsetMs];
      if (spec.by.startsWith('tag:')) {
        return db
          .prepare(
            `SELECT ${start} AS start, tag_value AS key, COUNT(*) AS calls, SUM(cost_nanos) AS costNanos
             FROM calls LEFT JOIN call_tags ON call_id = calls.id AND tag_key = ? ${sql} GROUP BY 1, 2 ORDER BY 1`,
          )
          .all(...shift, spec.by.slice(4), ...parameters) as CallBucket[];
      }
      const column = spec.by === 'agent' ? 'agent' : spec.by === 'model' ? 'model_used' : 'workflow';
      return db
        .prepare(
          `SELECT ${start} AS start, ${column} AS key, COUNT(*) AS calls, SUM(cost_nanos) AS costNanos
           FROM calls ${sql} GROUP BY 1, 2 ORDER BY 1`,
        )
        .all(...shift, ...parameters) as CallBucket[];
    }),
    sumTagCost: guarded('cannot read spend', (scope: string, key: string, value: string, since: number) => {
      const row = sumTagCost.get(key, value, since, scope, `${escapeLike(scope)}/%`) as { total: number };
      return row.total;
    }),
    sumCost: guarded('cannot read spend', (scope: string, since: number) => {
      const row = sumCost.get(since, scope, `${escapeLike(scope)}/%`) as { total: number };
      return row.total;
    }),
    appendKillOrder: guarded('cannot write a kill order', (order: Omit<KillOrder, 'seq'>) => {
      insertKillOrder.run(order.ts, order.runId, order.workflow, order.reason);
    }),
    queryKillOrders: guarded('cannot read kill orders', (since: number) => {
      return queryKillOrders.all(since) as KillOrder[];
    }),
    close() {
      db.close();
    },
  };
}

/**
 * Opens (creating if needed) a SQLite ledger file: with `node:sqlite` where this Node has it (nothing to
 * install), else with the user's better-sqlite3, or with the driver `options.driver` names.
 */
export function openSqliteLedgerStore(path: string, options: OpenSqliteLedgerStoreOptions = {}): SqliteLedgerStore {
  return createStore(openSqliteConnection(path, options.driver), `sqlite:${path}`);
}
