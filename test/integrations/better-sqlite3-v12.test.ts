import { type BetterSqlite3Module, describeBetterSqlite3Contract } from './contracts/better-sqlite3-contract.js';

describeBetterSqlite3Contract({
  name: 'better-sqlite3 12',
  load: async () => (await import('better-sqlite3')) as unknown as BetterSqlite3Module,
});
