import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SqliteDatabaseLike } from '../../../src/stores/sqlite/sqlite-database-like.js';
import { createSqliteLedgerStore } from '../../../src/stores/sqlite/sqlite-ledger-store.js';
import { runLedgerStoreConformance, sampleCallRecord } from '../../../src/testing/index.js';
import { describeSdkLine, type SdkLine } from '../../support/sdk-line.js';

/** The `better-sqlite3` package as the contract uses it: its Database class. */
export interface BetterSqlite3Module {
  default: new (file: string, options?: { readonly?: boolean }) => SqliteDatabaseLike;
}

/**
 * The SQLite ledger's contract with one better-sqlite3 major (a native add-on: the suite runs only on a Node
 * it supports): the ledger store conformance suite on a file database, and a file that reopens intact.
 */
export function describeBetterSqlite3Contract(line: SdkLine<BetterSqlite3Module>): void {
  describeSdkLine(line, (sdk) => {
    const folder = mkdtempSync(join(tmpdir(), 'tokenfence-better-sqlite3-'));
    let files = 0;
    const database = (file = join(folder, `ledger-${files++}.db`)) => new (sdk().default)(file);

    runLedgerStoreConformance(`sqlite (${line.name})`, () => createSqliteLedgerStore(database()), {
      describe,
      it,
      expect,
    });

    it('keeps the records across a reopen, in WAL mode, passing integrity_check', () => {
      const file = join(folder, 'reopened.db');
      const store = createSqliteLedgerStore(database(file));
      store.appendCalls([sampleCallRecord({ id: 'kept', costNanos: 7_250_000 })]);
      store.close();
      const reopened = createSqliteLedgerStore(database(file));
      expect(reopened.queryCalls({})).toMatchObject([{ id: 'kept', costNanos: 7_250_000 }]);
      reopened.close();
      const check = new (sdk().default)(file, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
      check.close();
    });
  });
}
