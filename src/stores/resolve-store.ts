import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createMemoryLedgerStore } from './memory/memory-ledger-store.js';
import { redisStore } from './redis/redis-store.js';
import { isSqliteDatabase } from './sqlite/open-sqlite-connection.js';
import type { NodeSqliteDatabaseLike, SqliteDatabaseLike } from './sqlite/sqlite-database-like.js';
import { createSqliteLedgerStore, openSqliteLedgerStore } from './sqlite/sqlite-ledger-store.js';

/**
 * A store given as `'memory'`, `'sqlite:<path>'`, `'redis://…'`, a LedgerStore object, or an open SQLite
 * database (a better-sqlite3 `Database` or a `node:sqlite` `DatabaseSync`) to keep the ledger in.
 */
export type StoreOption =
  | 'memory'
  | `sqlite:${string}`
  | `redis://${string}`
  | `rediss://${string}`
  | LedgerStore
  | SqliteDatabaseLike
  | NodeSqliteDatabaseLike;

export function resolveStore(store: unknown): LedgerStore {
  if (store === undefined || store === 'memory') return createMemoryLedgerStore();
  if (typeof store === 'string') {
    if (store.startsWith('sqlite:') && store.length > 'sqlite:'.length)
      return openSqliteLedgerStore(store.slice('sqlite:'.length));
    if (/^rediss?:\/\//.test(store)) return redisStore(store);
    throw new InvalidOptionsError(
      'store',
      // Only the scheme is echoed: whatever follows may be a credential.
      `expected 'memory', 'sqlite:<path>', 'redis://…' or a store object, got a string starting ${JSON.stringify(`${store.split(/[:/@]/, 1)[0]?.slice(0, 12) ?? ''}…`)}`,
    );
  }
  const candidate = store as Partial<LedgerStore> | null;
  if (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.appendCalls === 'function' &&
    typeof candidate.queryCalls === 'function'
  ) {
    return candidate as LedgerStore;
  }
  if (isSqliteDatabase(store)) return createSqliteLedgerStore(store as SqliteDatabaseLike | NodeSqliteDatabaseLike);
  throw new InvalidOptionsError(
    'store',
    'expected a store object with appendCalls / queryCalls / … (see LedgerStore), or a SQLite database (better-sqlite3 or node:sqlite)',
  );
}
