import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSqliteDriverUnavailableError, isTokenFenceError } from '../../src/index.js';
import type { CallRecord } from '../../src/ledger/ledger-records.js';
import { resolveStore } from '../../src/stores/resolve-store.js';
import { createSqliteLedgerStore, openSqliteLedgerStore } from '../../src/stores/sqlite/sqlite-ledger-store.js';
import { sampleCallRecord } from '../../src/testing/index.js';
import { loadingSqliteDrivers, scalar, sqliteDrivers, titleFor } from '../support/sqlite-drivers.js';

const folder = mkdtempSync(join(tmpdir(), 'tokenfence-drivers-'));
let files = 0;
const freshFile = () => join(folder, `ledger-${files++}.db`);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
/** Independent of the loader: the Node releases that ship node:sqlite without a flag. */
const nodeHasSqlite = major > 22 || (major === 22 && minor >= 13);
const root = new URL('../..', import.meta.url).pathname;

function writeEverything(store: ReturnType<typeof openSqliteLedgerStore>, prefix: string): CallRecord[] {
  const calls = [
    sampleCallRecord({ id: `${prefix}-1`, ts: 10, feeNanos: 7, usageDetail: '{"fees":{"webSearch":1}}' }),
    sampleCallRecord({ id: `${prefix}-2`, ts: 11, stream: true, agent: 'écrivain ✍', status: null }),
  ];
  store.appendCalls(calls);
  store.appendEvents([{ ts: 12, type: 'budget-warning', runId: 'run-1', workflow: 'w', scope: 's', data: '{}' }]);
  store.appendRuns([
    {
      runId: `${prefix}-run`,
      workflow: 'w',
      startedAt: 1,
      endedAt: 13,
      costNanos: 14_500_000,
      calls: 2,
      outcome: 'ok',
      anomalies: 0,
      budgetNanos: null,
    },
  ]);
  store.appendKillOrder({ ts: 14, runId: null, workflow: 'w', reason: `${prefix} stop` });
  return calls;
}

describe('choosing the SQLite driver', () => {
  it(`opens 'sqlite:' paths with ${nodeHasSqlite ? 'node:sqlite' : 'better-sqlite3'} on Node ${process.versions.node}`, () => {
    const store = resolveStore(`sqlite:${freshFile()}`) as ReturnType<typeof openSqliteLedgerStore>;
    expect(store.kind).toBe('sqlite');
    expect(store.driver).toBe(nodeHasSqlite ? 'node:sqlite' : 'better-sqlite3');
    store.close();
  });

  for (const entry of sqliteDrivers) {
    it.skipIf(entry.skipReason !== undefined)(
      titleFor(entry, `takes a ${entry.driver} database the user opened, as createSqliteLedgerStore or as store:`),
      () => {
        const file = freshFile();
        const direct = createSqliteLedgerStore(entry.openDatabase(file));
        expect(direct.driver).toBe(entry.driver);
        direct.appendCalls([sampleCallRecord({ id: 'direct' })]);
        direct.close();
        const given = resolveStore(entry.openDatabase(file)) as ReturnType<typeof openSqliteLedgerStore>;
        expect(given.driver).toBe(entry.driver);
        expect(given.queryCalls({}).map((record) => record.id)).toEqual(['direct']);
        given.close();
      },
    );

    it.skipIf(entry.skipReason === undefined)(
      `refuses ${entry.driver} where it does not load with SQLITE_DRIVER_UNAVAILABLE saying what to do${entry.skipReason === undefined ? ' — skipped: it loads here' : ''}`,
      () => {
        let thrown: unknown;
        try {
          openSqliteLedgerStore(freshFile(), { driver: entry.driver });
        } catch (error) {
          thrown = error;
        }
        expect(isTokenFenceError(thrown)).toBe(true);
        expect(isSqliteDriverUnavailableError(thrown)).toBe(true);
        expect(thrown).toMatchObject({
          code: 'SQLITE_DRIVER_UNAVAILABLE',
          driver: entry.driver,
          remedy:
            entry.driver === 'node:sqlite' ? expect.stringMatching(/Node ≥ 22\.13/) : 'npm rebuild better-sqlite3',
        });
        expect((thrown as Error).message).toContain((thrown as { remedy: string }).remedy);
      },
    );
  }

  it('refuses an unknown driver name and a store object of neither driver', () => {
    expect(() => openSqliteLedgerStore(freshFile(), { driver: 'sqlite3' as 'auto' })).toThrow(/driver.*auto/);
    expect(() => resolveStore({ prepare() {}, exec() {} })).toThrow(/better-sqlite3 or node:sqlite/);
  });
});

describe.skipIf(loadingSqliteDrivers.length < 2)(
  `one ledger file, both drivers${loadingSqliteDrivers.length < 2 ? ` — skipped: ${sqliteDrivers.map((entry) => entry.skipReason).find(Boolean)}` : ''}`,
  () => {
    for (const [writer, reader] of [
      ['node:sqlite', 'better-sqlite3'],
      ['better-sqlite3', 'node:sqlite'],
    ] as const) {
      it(`${reader} reads and extends what ${writer} wrote`, () => {
        const file = freshFile();
        const first = openSqliteLedgerStore(file, { driver: writer });
        const calls = writeEverything(first, writer);
        first.close();

        const second = openSqliteLedgerStore(file, { driver: reader });
        expect(second.queryCalls({})).toEqual(calls);
        expect(second.queryRuns({}).map((run) => run.runId)).toEqual([`${writer}-run`]);
        expect(second.queryEvents({}).map((event) => event.type)).toEqual(['budget-warning']);
        expect(second.queryKillOrders(0).map((order) => order.reason)).toEqual([`${writer} stop`]);
        expect(second.sumCost('service', 0)).toBe(2 * 7_250_000);
        writeEverything(second, reader);
        second.close();

        const again = openSqliteLedgerStore(file, { driver: writer });
        // In time order, then in write order: both wrote at ts 10 and 11.
        expect(again.queryCalls({}).map((record) => record.id)).toEqual([
          `${writer}-1`,
          `${reader}-1`,
          `${writer}-2`,
          `${reader}-2`,
        ]);
        again.close();
        const check = sqliteDrivers.find((entry) => entry.driver === reader)?.openDatabase(file);
        expect(check && scalar(check, 'PRAGMA integrity_check')).toBe('ok');
        check?.close();
      });
    }

    it('both drivers open the file at once (WAL): each sees what the other committed', () => {
      const file = freshFile();
      const viaNode = openSqliteLedgerStore(file, { driver: 'node:sqlite' });
      const viaAddon = openSqliteLedgerStore(file, { driver: 'better-sqlite3' });
      viaNode.appendCalls([sampleCallRecord({ id: 'from-node', ts: 1 })]);
      expect(viaAddon.queryCalls({}).map((record) => record.id)).toEqual(['from-node']);
      viaAddon.appendCalls([sampleCallRecord({ id: 'from-addon', ts: 2 })]);
      expect(viaNode.queryCalls({}).map((record) => record.id)).toEqual(['from-node', 'from-addon']);
      viaNode.close();
      viaAddon.close();
    });
  },
);

describe('the built package in a project without better-sqlite3', () => {
  // A scratch project holding the built package and its runtime dependencies only, as a user installs it.
  const project = mkdtempSync(join(tmpdir(), 'tokenfence-no-addon-'));
  const installed = join(project, 'node_modules', 'tokenfence');
  mkdirSync(join(project, 'node_modules', '@pydantic'), { recursive: true });
  cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(installed, 'package.json'));
  for (const dependency of ['@pydantic/genai-prices', 'gpt-tokenizer']) {
    symlinkSync(join(root, 'node_modules', dependency), join(project, 'node_modules', dependency));
  }
  const ledger = join(project, 'ledger.db');
  const run = (source: string, type: 'module' | 'commonjs') =>
    spawnSync(process.execPath, [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', source], {
      cwd: project,
      encoding: 'utf8',
    });
  const script = (load: string) => `${load}
    try {
      const store = openSqliteLedgerStore(${JSON.stringify(ledger)});
      store.appendCalls([{ ...${JSON.stringify(sampleCallRecord({ id: 'zero-install' }))} }]);
      console.log(store.driver, store.queryCalls({}).length);
      store.close();
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, driver: error.driver, remedy: error.remedy, message: error.message }));
    }`;

  it.each([
    ['ESM', "import { openSqliteLedgerStore } from 'tokenfence';", 'module'],
    ['CJS', "const { openSqliteLedgerStore } = require('tokenfence');", 'commonjs'],
  ] as const)(
    nodeHasSqlite
      ? '%s: records into a sqlite: ledger with nothing installed, and prints no ExperimentalWarning'
      : '%s: says to upgrade Node or install better-sqlite3, with a typed error',
    (_name, load, type) => {
      const { stdout, stderr, status } = run(script(load), type);
      expect(status).toBe(0);
      expect(stderr).toBe('');
      if (nodeHasSqlite) {
        expect(stdout.trim()).toMatch(/^node:sqlite [12]$/);
      } else {
        expect(JSON.parse(stdout)).toMatchObject({
          code: 'SQLITE_DRIVER_UNAVAILABLE',
          driver: 'better-sqlite3',
          remedy: 'upgrade to Node ≥ 22.13, or npm install better-sqlite3@12',
        });
      }
    },
  );

  it('asked for better-sqlite3 that is not installed, says npm install better-sqlite3@12', () => {
    const { stdout } = run(
      script(`import { openSqliteLedgerStore as open } from 'tokenfence';
        const openSqliteLedgerStore = (path) => open(path, { driver: 'better-sqlite3' });`),
      'module',
    );
    expect(JSON.parse(stdout)).toMatchObject({
      code: 'SQLITE_DRIVER_UNAVAILABLE',
      remedy: 'npm install better-sqlite3@12',
      message: expect.stringContaining('better-sqlite3 is not installed'),
    });
  });

  it.skipIf(!nodeHasSqlite)(
    `the CLI reports on that ledger with nothing installed, silently on stderr${nodeHasSqlite ? '' : ' — skipped: needs node:sqlite'}`,
    () => {
      const bin = join(installed, 'dist', 'cli', 'bin.mjs');
      const out = execFileSync(process.execPath, [bin, 'report', '--store', `sqlite:${ledger}`, '--by', 'agent'], {
        cwd: project,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toMatch(/researcher/);
      const { stderr } = spawnSync(process.execPath, [bin, 'runs', '--store', `sqlite:${ledger}`], {
        cwd: project,
        encoding: 'utf8',
      });
      expect(stderr).toBe('');
    },
  );
});
