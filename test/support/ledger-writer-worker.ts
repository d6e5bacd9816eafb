// A process that writes ledger records through a LedgerWriter as fast as it can, printing how many are
// committed, until it is killed. Used by the kill -9 test.
import { LedgerWriter } from '../../src/ledger/ledger-writer.js';
import { openSqliteLedgerStore } from '../../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../../src/testing/index.js';

const file = process.argv[2] as string;
const exitAfter = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const writer = new LedgerWriter(openSqliteLedgerStore(file), {
  flushIntervalMs: exitAfter === undefined ? 10 : 60_000,
  maxBatch: 1_000_000,
});
if (exitAfter !== undefined) {
  // Normal exit with everything still buffered: the exit hook must write it.
  for (let index = 0; index < exitAfter; index += 1) writer.call(sampleCallRecord({ id: `r${index}`, ts: index }));
  process.exit(0);
}
let next = 0;
setInterval(() => {
  for (let index = 0; index < 100; index += 1) {
    writer.call(sampleCallRecord({ id: `r${next}`, ts: next }));
    next += 1;
  }
}, 2);
setInterval(() => process.stdout.write(`${writer.written}\n`), 5);
