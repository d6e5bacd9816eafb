import { createRequire } from 'node:module';
import { type BetterSqlite3Module, describeBetterSqlite3Contract } from './contracts/better-sqlite3-contract.js';

describeBetterSqlite3Contract({
  name: 'better-sqlite3 13',
  // A prebuilt N-API add-on for Node ≥ 22 (it crashes the process on Node 20). Required, not imported: the
  // @types/better-sqlite3 declarations are for the unaliased name only.
  load: async () => ({
    default: createRequire(import.meta.url)('better-sqlite3-v13') as BetterSqlite3Module['default'],
  }),
  node: { major: 22 },
});
