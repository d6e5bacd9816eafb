import type { SqliteStatementLike } from './sqlite-database-like.js';

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/**
 * The seam between the one SQLite ledger store and a driver: what both drivers can do alike. Each driver
 * has its adapter (better-sqlite3-connection.ts, node-sqlite-connection.ts); the store sees only this.
 * Statements take positional parameters only: the drivers bind named ones differently.
 */
export interface SqliteConnection {
  readonly driver: SqliteDriverName;
  prepare(source: string): SqliteStatementLike;
  exec(source: string): void;
  /** `fn` inside `BEGIN IMMEDIATE` … `COMMIT`, rolled back when it throws. */
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  /** Closes the database unless it is closed already. */
  close(): void;
}
