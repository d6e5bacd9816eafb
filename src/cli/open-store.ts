import { existsSync } from 'node:fs';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createMemoryLedgerStore } from '../stores/memory/memory-ledger-store.js';
import { openSqliteLedgerStore } from '../stores/sqlite/sqlite-ledger-store.js';
import { type CliIo, UsageError } from './cli-io.js';

/** The store named by --store or TOKENFENCE_STORE. Reading commands never create an empty ledger. */
export function openStoreForReading(option: string | undefined, io: CliIo): LedgerStore {
  const store = option ?? io.env.TOKENFENCE_STORE;
  if (!store) throw new UsageError('no store: pass --store sqlite:./tokenfence.db or set TOKENFENCE_STORE');
  if (store === 'memory') return createMemoryLedgerStore();
  if (!store.startsWith('sqlite:')) throw new UsageError(`unknown store "${store}": use sqlite:<path>`);
  const path = store.slice('sqlite:'.length);
  if (!existsSync(path))
    throw new UsageError(`no ledger at ${path} (run something with store: '${store}' first, e.g. tokenfence demo)`);
  return openSqliteLedgerStore(path);
}
