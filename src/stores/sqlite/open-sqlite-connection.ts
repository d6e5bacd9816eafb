import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import { SqliteDriverUnavailableError } from '../../errors/sqlite-driver-unavailable-error.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import { betterSqlite3Connection, isBetterSqlite3Database, openBetterSqlite3 } from './better-sqlite3-connection.js';
import {
  isNodeSqliteDatabase,
  loadNodeSqlite,
  nodeSqliteConnection,
  openNodeSqlite,
} from './node-sqlite-connection.js';
import type { SqliteConnection, SqliteDriverName } from './sqlite-connection.js';

/** Which driver opens a `sqlite:` path: `auto` is `node:sqlite` where this Node has it, else better-sqlite3. */
export type SqliteDriverChoice = SqliteDriverName | 'auto';

export const SQLITE_DRIVERS: readonly SqliteDriverChoice[] = ['auto', 'node:sqlite', 'better-sqlite3'];

/**
 * Opens (creating if needed) the file with the chosen driver. A driver that cannot load is a
 * SqliteDriverUnavailableError saying what to install; a file that cannot open is a StoreUnavailableError.
 */
export function openSqliteConnection(path: string, driver: SqliteDriverChoice = 'auto'): SqliteConnection {
  if (!SQLITE_DRIVERS.includes(driver)) {
    throw new InvalidOptionsError(
      'driver',
      `expected one of ${SQLITE_DRIVERS.join(', ')}, got ${JSON.stringify(driver)}`,
    );
  }
  const nodeSqlite = driver === 'better-sqlite3' ? undefined : loadNodeSqlite();
  if (driver === 'node:sqlite' && nodeSqlite === undefined) {
    throw new SqliteDriverUnavailableError(
      'node:sqlite',
      `Node ${process.versions.node} has no node:sqlite without a flag (it has from 22.13)`,
      'upgrade to Node ≥ 22.13, or use the better-sqlite3 driver (npm install better-sqlite3@12)',
    );
  }
  try {
    if (nodeSqlite !== undefined) return openNodeSqlite(nodeSqlite, path);
    return openBetterSqlite3(path);
  } catch (error) {
    if (SqliteDriverUnavailableError.isInstance(error)) {
      if (driver === 'auto') {
        throw new SqliteDriverUnavailableError(
          'better-sqlite3',
          `Node ${process.versions.node} has no node:sqlite (built in from 22.13), and ${error.problem}`,
          `upgrade to Node ≥ 22.13, or ${error.remedy}`,
          { cause: error.cause },
        );
      }
      throw error;
    }
    throw new StoreUnavailableError(`sqlite:${path}`, (error as Error).message, { cause: error });
  }
}

/** The connection over a database the user opened: a better-sqlite3 `Database` or a `node:sqlite` `DatabaseSync`. */
export function toSqliteConnection(db: unknown): SqliteConnection {
  if (isBetterSqlite3Database(db)) return betterSqlite3Connection(db);
  if (isNodeSqliteDatabase(db)) return nodeSqliteConnection(db);
  throw new InvalidOptionsError('store', 'expected a better-sqlite3 Database or a node:sqlite DatabaseSync');
}

/** True for an object either driver's adapter takes (so `store:` may be given the database itself). */
export function isSqliteDatabase(db: unknown): boolean {
  return isBetterSqlite3Database(db) || isNodeSqliteDatabase(db);
}
