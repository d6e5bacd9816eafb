import { createRequire } from 'node:module';
import { SqliteDriverUnavailableError } from '../../errors/sqlite-driver-unavailable-error.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { SqliteDatabaseLike } from './sqlite-database-like.js';

export const BETTER_SQLITE3_INSTALL = 'npm install better-sqlite3@12';

/** A better-sqlite3 `Database`: the only driver with `pragma` and `transaction` methods. */
export function isBetterSqlite3Database(db: unknown): db is SqliteDatabaseLike {
  const candidate = db as Partial<SqliteDatabaseLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.pragma === 'function' &&
    typeof candidate.transaction === 'function'
  );
}

export function betterSqlite3Connection(db: SqliteDatabaseLike): SqliteConnection {
  return {
    driver: 'better-sqlite3',
    prepare: (source) => db.prepare(source),
    exec: (source) => {
      db.exec(source);
    },
    transaction: (fn) => {
      const transaction = db.transaction(fn);
      return transaction.immediate ?? transaction;
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}

/**
 * The native add-on itself failed to load (built for another Node's ABI, or never built), as opposed to
 * the file failing to open. better-sqlite3 loads the add-on in the first `new Database`.
 */
function isAddonFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_DLOPEN_FAILED' ||
    /NODE_MODULE_VERSION|Could not locate the bindings file|invalid ELF header/.test(String(message))
  );
}

/** Opens `path` with the user's better-sqlite3; a missing or unloadable add-on is a typed error. */
export function openBetterSqlite3(path: string): SqliteConnection {
  let Database: new (file: string) => SqliteDatabaseLike;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  } catch (error) {
    throw new SqliteDriverUnavailableError(
      'better-sqlite3',
      'better-sqlite3 is not installed',
      BETTER_SQLITE3_INSTALL,
      { cause: error },
    );
  }
  try {
    return betterSqlite3Connection(new Database(path));
  } catch (error) {
    if (!isAddonFailure(error)) throw error;
    throw new SqliteDriverUnavailableError(
      'better-sqlite3',
      `better-sqlite3's native add-on does not load in Node ${process.versions.node} (${firstLine(error)})`,
      'npm rebuild better-sqlite3',
      { cause: error },
    );
  }
}

function firstLine(error: unknown): string {
  return String((error as Error).message).split('\n')[0] ?? '';
}
