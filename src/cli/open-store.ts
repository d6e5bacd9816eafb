import { existsSync } from 'node:fs';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createMemoryLedgerStore } from '../stores/memory/memory-ledger-store.js';
import { redisStore } from '../stores/redis/redis-store.js';
import { SQLITE_DRIVERS, type SqliteDriverChoice } from '../stores/sqlite/open-sqlite-connection.js';
import { openSqliteLedgerStore } from '../stores/sqlite/sqlite-ledger-store.js';
import { type CliIo, UsageError } from './cli-io.js';

/** A store read by the CLI: `refresh()` pulls what the writers appended since (Redis). */
export type ReadableStore = LedgerStore & { refresh?: () => Promise<void> };

/**
 * The store named by --store or TOKENFENCE_STORE. Reading commands never create an empty ledger. A
 * Redis ledger is read in full into this process first, so the report layer reads it as it reads SQLite.
 * TOKENFENCE_SQLITE_DRIVER (`node:sqlite` or `better-sqlite3`) overrides the driver picked for the file.
 */
export async function openStoreForReading(
  option: string | undefined,
  io: CliIo,
  /** Streaming reads only (`iterateCalls`): a Redis ledger is not read into memory first. */
  options: { streaming?: boolean } = {},
): Promise<ReadableStore> {
  const store = option ?? io.env.TOKENFENCE_STORE;
  if (!store) throw new UsageError('no store: pass --store sqlite:./tokenfence.db or set TOKENFENCE_STORE');
  if (store === 'memory') return createMemoryLedgerStore();
  if (/^rediss?:\/\//.test(store)) {
    const redis = redisStore(store, { timeoutMs: 5_000, maxRecords: Number.MAX_SAFE_INTEGER });
    if (options.streaming) return redis;
    try {
      await redis.refresh();
    } catch (error) {
      redis.close();
      throw error;
    }
    return redis;
  }
  if (!store.startsWith('sqlite:')) throw new UsageError(`unknown store "${store}": use sqlite:<path> or redis://…`);
  const path = store.slice('sqlite:'.length);
  if (!existsSync(path))
    throw new UsageError(`no ledger at ${path} (run something with store: '${store}' first, e.g. tokenfence demo)`);
  const driver = io.env.TOKENFENCE_SQLITE_DRIVER || 'auto';
  if (!SQLITE_DRIVERS.includes(driver as SqliteDriverChoice)) {
    throw new UsageError(`TOKENFENCE_SQLITE_DRIVER must be node:sqlite or better-sqlite3, not "${driver}"`);
  }
  return openSqliteLedgerStore(path, { driver: driver as SqliteDriverChoice });
}
