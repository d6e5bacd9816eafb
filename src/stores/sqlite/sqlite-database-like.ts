/**
 * The parts of the two SQLite drivers the store uses, typed structurally so no declaration file of ours
 * names a package (or a Node built-in) the user may not have.
 */
export interface SqliteStatementLike {
  run(...parameters: unknown[]): unknown;
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  iterate(...parameters: unknown[]): IterableIterator<unknown>;
}

/** A better-sqlite3 `Database`. */
export interface SqliteDatabaseLike {
  prepare(source: string): SqliteStatementLike;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[]>(
    fn: (...args: A) => void,
  ): ((...args: A) => void) & { immediate?: (...args: A) => void };
  close(): unknown;
  readonly open: boolean;
}

/** A `node:sqlite` `DatabaseSync` (Node ≥ 22.13 without a flag). */
export interface NodeSqliteDatabaseLike {
  prepare(source: string): SqliteStatementLike;
  exec(source: string): unknown;
  close(): unknown;
  /** Node ≥ 22.15; absent before. */
  readonly isOpen?: boolean;
}
