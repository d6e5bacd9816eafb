import { hasCode, TokenFenceError } from './token-fence-error.js';

/**
 * A `sqlite:` store was asked for but no SQLite driver loads in this process: `node:sqlite` is not built
 * into this Node (it is from 22.13) and better-sqlite3 is missing or was compiled for another Node.
 * `remedy` says what to install or run; the message says it too.
 */
export class SqliteDriverUnavailableError extends TokenFenceError {
  /** The driver that was tried last: `node:sqlite` or `better-sqlite3`. */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
  /** What went wrong, without the fix. */
  readonly problem: string;
  /** What makes it load, e.g. `npm install better-sqlite3@12` or `npm rebuild better-sqlite3`. */
  readonly remedy: string;

  constructor(
    driver: 'node:sqlite' | 'better-sqlite3',
    problem: string,
    remedy: string,
    options?: { cause?: unknown },
  ) {
    super('SQLITE_DRIVER_UNAVAILABLE', `TokenFence cannot open a SQLite ledger: ${problem}. Fix: ${remedy}`, options);
    this.driver = driver;
    this.problem = problem;
    this.remedy = remedy;
  }

  static override isInstance(error: unknown): error is SqliteDriverUnavailableError {
    return hasCode(error, 'SQLITE_DRIVER_UNAVAILABLE');
  }
}

export const isSqliteDriverUnavailableError = (error: unknown): error is SqliteDriverUnavailableError =>
  SqliteDriverUnavailableError.isInstance(error);
