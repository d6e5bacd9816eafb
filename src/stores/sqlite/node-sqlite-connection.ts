import type { SqliteConnection } from './sqlite-connection.js';
import type { NodeSqliteDatabaseLike } from './sqlite-database-like.js';

interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeSqliteDatabaseLike;
}

let loaded: NodeSqliteModule | null | undefined;

/**
 * `node:sqlite` when this Node has it without a flag (22.13+, 23.4+, 24), else `undefined`. Loaded on the
 * first SQLite ledger only. Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" on
 * load, on every run, although the store uses none of what may still change; that one warning, emitted
 * synchronously while the module loads, is dropped, and every other warning passes through untouched.
 */
export function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  // getBuiltinModule (Node ≥ 20.16) returns undefined for a built-in this Node lacks or keeps behind a flag.
  if (typeof process.getBuiltinModule !== 'function') {
    loaded = null;
    return undefined;
  }
  const emitWarning = process.emitWarning;
  process.emitWarning = function dropSqliteExperimentalWarning(warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (type === 'ExperimentalWarning' && String(warning).startsWith('SQLite')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const module = process.getBuiltinModule('node:sqlite') as Partial<NodeSqliteModule> | undefined;
    loaded = typeof module?.DatabaseSync === 'function' ? (module as NodeSqliteModule) : null;
  } catch {
    loaded = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded ?? undefined;
}

/** A `node:sqlite` `DatabaseSync`: `prepare` and `exec`, but none of better-sqlite3's `pragma`/`transaction`. */
export function isNodeSqliteDatabase(db: unknown): db is NodeSqliteDatabaseLike {
  const candidate = db as Partial<NodeSqliteDatabaseLike> & { pragma?: unknown };
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.exec === 'function' &&
    typeof candidate.close === 'function' &&
    candidate.pragma === undefined
  );
}

export function nodeSqliteConnection(db: NodeSqliteDatabaseLike): SqliteConnection {
  let closed = false;
  return {
    driver: 'node:sqlite',
    prepare: (source) => db.prepare(source),
    exec: (source) => {
      db.exec(source);
    },
    transaction:
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        db.exec('BEGIN IMMEDIATE');
        try {
          fn(...args);
          db.exec('COMMIT');
        } catch (error) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // SQLite already rolled back (some errors end the transaction themselves); the first error counts.
          }
          throw error;
        }
      },
    close: () => {
      // isOpen tells whether the user closed it already (Node ≥ 22.15); before that, only our own close is known.
      if (closed || db.isOpen === false) return;
      closed = true;
      db.close();
    },
  };
}

/** Opens `path` with `node:sqlite`; the caller has checked that it loads. */
export function openNodeSqlite(module: NodeSqliteModule, path: string): SqliteConnection {
  return nodeSqliteConnection(new module.DatabaseSync(path));
}
