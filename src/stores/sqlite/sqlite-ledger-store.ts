import { createRequire } from 'node:module';
import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import { callCountsSql } from '../../ledger/count-calls.js';
import type { CallGroup, CallGrouping } from '../../ledger/group-calls.js';
import type { CallRecord, EventRecord, KillOrder, RunRecord } from '../../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../../ledger/ledger-store.js';
import {
  ADDED_CALL_COLUMNS,
  CALL_COLUMNS,
  INSERT_CALL,
  INSERT_EVENT,
  INSERT_RUN,
  RUN_COLUMNS,
  SCHEMA,
  SCHEMA_VERSION,
} from './schema.js';
import type { SqliteDatabaseLike } from './sqlite-database-like.js';

/**
 * The grouping columns per grouping, after `runId` (selected as `run_id` when grouped per run, else NULL);
 * every key of CallGroup is selected (null when not grouped on).
 */
const GROUP_KEYS: Record<CallGrouping, { select: string; group: string }> = {
  run: { select: 'MIN(workflow) AS workflow, NULL AS agent, NULL AS provider, NULL AS model', group: 'run_id' },
  workflow: { select: 'workflow, NULL AS agent, NULL AS provider, NULL AS model', group: 'workflow' },
  agent: { select: 'NULL AS workflow, agent, NULL AS provider, NULL AS model', group: 'agent' },
  model: { select: 'NULL AS workflow, NULL AS agent, provider, model_used AS model', group: 'provider, model_used' },
  'workflow-agent': { select: 'workflow, agent, NULL AS provider, NULL AS model', group: 'workflow, agent' },
};

/** Builds a parameterised WHERE clause from the filter: values are always bound, never spliced in. */
function where(filter: LedgerFilter, timeColumn: string): { sql: string; parameters: unknown[] } {
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
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', parameters };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * The SQLite ledger (better-sqlite3 12): WAL, `synchronous = NORMAL`, a 5 s busy timeout, one
 * transaction per batch. Several processes on one machine may share the file.
 */
/** Brings a ledger of an older schema up to date in place: only columns are added, nothing is rewritten. */
function migrate(db: SqliteDatabaseLike): void {
  const existing = new Set(
    (db.prepare('PRAGMA table_info(calls)').all() as Array<{ name: string }>).map((c) => c.name),
  );
  for (const [column, type] of ADDED_CALL_COLUMNS) {
    if (!existing.has(column)) db.exec(`ALTER TABLE calls ADD COLUMN ${column} ${type}`);
  }
}

export function createSqliteLedgerStore(db: SqliteDatabaseLike, name = 'sqlite'): LedgerStore {
  const fail = (problem: string, cause: unknown): never => {
    throw new StoreUnavailableError(name, `${problem}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  };
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
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
  const insertEvent = db.prepare(INSERT_EVENT);
  const insertRun = db.prepare(INSERT_RUN);
  const writeCalls = db.transaction((records: readonly CallRecord[]) => {
    for (const record of records) insertCall.run({ ...record, stream: record.stream ? 1 : 0 });
  });
  const writeEvents = db.transaction((records: readonly EventRecord[]) => {
    for (const record of records) insertEvent.run(record);
  });
  const writeRuns = db.transaction((records: readonly RunRecord[]) => {
    for (const record of records) insertRun.run(record);
  });
  const sumCost = db.prepare(
    "SELECT COALESCE(SUM(cost_nanos), 0) AS total FROM calls WHERE ts >= ? AND (scope = ? OR scope LIKE ? ESCAPE '\\')",
  );
  const insertKillOrder = db.prepare('INSERT INTO kill_orders (ts, run_id, workflow, reason) VALUES (?, ?, ?, ?)');
  const queryKillOrders = db.prepare(
    'SELECT seq, ts, run_id AS runId, workflow, reason FROM kill_orders WHERE ts >= ? ORDER BY seq',
  );
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
    appendCalls: guarded('cannot write call records', (records: readonly CallRecord[]) => writeCalls(records)),
    appendEvents: guarded('cannot write events', (records: readonly EventRecord[]) => writeEvents(records)),
    appendRuns: guarded('cannot write runs', (records: readonly RunRecord[]) => writeRuns(records)),
    queryCalls: guarded('cannot read call records', (filter: LedgerFilter) => {
      const { sql, parameters } = where(filter, 'ts');
      const rows = db.prepare(`SELECT ${CALL_COLUMNS} FROM calls ${sql} ORDER BY ts, seq`).all(...parameters) as Array<
        Omit<CallRecord, 'stream'> & { stream: number }
      >;
      // Rows are fresh objects: convert the flag in place instead of copying 100k rows.
      for (const row of rows) (row as unknown as CallRecord).stream = row.stream === 1;
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
              yield record as CallRecord;
            }
          } catch (error) {
            fail('cannot read call records', error);
          }
        },
      };
    },
    queryEvents: guarded('cannot read events', (filter: LedgerFilter) => {
      const { sql, parameters } = where({ ...filter, agent: undefined }, 'ts');
      return db
        .prepare(`SELECT ts, type, run_id AS runId, workflow, scope, data FROM events ${sql} ORDER BY ts, seq`)
        .all(...parameters) as EventRecord[];
    }),
    queryRuns: guarded('cannot read runs', (filter: LedgerFilter) => {
      const { sql, parameters } = where({ ...filter, agent: undefined }, 'ended_at');
      return db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ${sql} ORDER BY ended_at`).all(...parameters) as RunRecord[];
    }),
    groupCalls: guarded('cannot read call records', (filter: LedgerFilter, by: CallGrouping, perRun = false) => {
      const { sql, parameters } = where(filter, 'ts');
      const keys = GROUP_KEYS[by];
      const byRun = by === 'run' || perRun;
      // run_id first: the scan walks the run index, leaving less to sort.
      const onlyRuns =
        by === 'run' || by === 'workflow-agent' ? `${sql ? `${sql} AND` : 'WHERE'} run_id IS NOT NULL` : sql;
      return db
        .prepare(
          `SELECT ${byRun ? 'run_id' : 'NULL'} AS runId, ${keys.select}, ${callCountsSql()},
             SUM(cost_nanos) AS costNanos, SUM(fee_nanos) AS feeNanos,
             SUM(input_uncached + input_cache_read + input_cache_write_5m + input_cache_write_1h) AS inputTokens,
             SUM(output_text + output_reasoning) AS outputTokens, MIN(ts) AS firstTs
           FROM calls ${onlyRuns} GROUP BY ${byRun && by !== 'run' ? 'run_id, ' : ''}${keys.group}`,
        )
        .all(...parameters) as CallGroup[];
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
      if (db.open) db.close();
    },
  };
}

/** Opens (creating if needed) a SQLite ledger file with the user's `better-sqlite3`. */
export function openSqliteLedgerStore(path: string): LedgerStore {
  let Database: new (file: string) => SqliteDatabaseLike;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  } catch (error) {
    throw new InvalidOptionsError(
      'store',
      `'sqlite:' needs the better-sqlite3 package (npm install better-sqlite3@12): ${(error as Error).message}`,
    );
  }
  let db: SqliteDatabaseLike;
  try {
    db = new Database(path);
  } catch (error) {
    throw new StoreUnavailableError(`sqlite:${path}`, (error as Error).message, { cause: error });
  }
  return createSqliteLedgerStore(db, `sqlite:${path}`);
}
