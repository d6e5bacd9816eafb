// The SQLite drivers of this Node, each with the reason its tests skip when it does not load here:
// node:sqlite is absent on Node 20; the better-sqlite3 in node_modules is compiled for one Node ABI and
// does not load under another until rebuilt. Tests run per loading driver and name the reason otherwise.
import { createRequire } from 'node:module';
import { loadNodeSqlite } from '../../src/stores/sqlite/node-sqlite-connection.js';
import type { SqliteDriverName } from '../../src/stores/sqlite/sqlite-connection.js';
import type { NodeSqliteDatabaseLike, SqliteDatabaseLike } from '../../src/stores/sqlite/sqlite-database-like.js';

export interface SqliteDriverUnderTest {
  driver: SqliteDriverName;
  /** Why this driver's tests skip in this Node; undefined when it loads. */
  skipReason: string | undefined;
  /** A database of this driver on `path`, opened as a user would (for checks beside the store). */
  openDatabase(path: string): SqliteDatabaseLike | NodeSqliteDatabaseLike;
}

const require = createRequire(import.meta.url);

function betterSqlite3SkipReason(): string | undefined {
  try {
    const Database = require('better-sqlite3') as new (path: string) => SqliteDatabaseLike;
    new Database(':memory:').close();
    return undefined;
  } catch (error) {
    const line = String((error as Error).message).split('\n')[0];
    return `better-sqlite3 does not load in Node ${process.versions.node} (${line}); npm rebuild better-sqlite3 runs these`;
  }
}

const nodeSqlite = loadNodeSqlite();

export const sqliteDrivers: readonly SqliteDriverUnderTest[] = [
  {
    driver: 'node:sqlite',
    skipReason: nodeSqlite ? undefined : `Node ${process.versions.node} has no node:sqlite (22.13+)`,
    openDatabase: (path) => {
      if (!nodeSqlite) throw new Error('node:sqlite is not available');
      return new nodeSqlite.DatabaseSync(path);
    },
  },
  {
    driver: 'better-sqlite3',
    skipReason: betterSqlite3SkipReason(),
    openDatabase: (path) => new (require('better-sqlite3') as new (path: string) => SqliteDatabaseLike)(path),
  },
];

/** The drivers that load here. */
export const loadingSqliteDrivers = sqliteDrivers.filter((entry) => entry.skipReason === undefined);

/** `name`, with the skip reason appended when the driver does not load (vitest prints skipped names). */
export function titleFor(entry: SqliteDriverUnderTest, name: string): string {
  return entry.skipReason === undefined ? name : `${name} — skipped: ${entry.skipReason}`;
}

/** One value of a `PRAGMA` or single-column query, whichever driver runs it. */
export function scalar(db: SqliteDatabaseLike | NodeSqliteDatabaseLike, sql: string): unknown {
  const row = db.prepare(sql).get() as Record<string, unknown> | undefined;
  return row === undefined ? undefined : Object.values(row)[0];
}
