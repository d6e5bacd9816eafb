import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadingSqliteDrivers, scalar } from '../support/sqlite-drivers.js';

const worker = new URL('../support/ledger-writer-worker.ts', import.meta.url).pathname;
// The worker writes with the driver this Node picks; the file is checked with a driver that loads here.
const openDatabase = (file: string) => {
  const [checker] = loadingSqliteDrivers;
  if (!checker) throw new Error(`no SQLite driver loads in Node ${process.versions.node}`);
  return checker.openDatabase(file);
};

describe('SQLite ledger on exit and under kill -9', () => {
  it('writes every buffered record when the process exits normally', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-exit-')), 'ledger.db');
    const child = spawn(process.execPath, ['--import', 'tsx', worker, file, '2500'], { stdio: 'inherit' });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    const db = openDatabase(file);
    expect((db.prepare('SELECT COUNT(*) AS count FROM calls').get() as { count: number }).count).toBe(2_500);
    db.close();
  });

  it('opens cleanly, passes integrity_check, and has lost no committed record', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-crash-')), 'ledger.db');
    const child = spawn(process.execPath, ['--import', 'tsx', worker, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        for (const line of text.trim().split('\n')) committed = Math.max(committed, Number(line) || 0);
        if (committed >= 5_000) resolve();
      });
      child.on('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('close', resolve));

    const db = openDatabase(file);
    expect(scalar(db, 'PRAGMA integrity_check')).toBe('ok');
    const { count, maxTs } = db.prepare('SELECT COUNT(*) AS count, MAX(ts) AS maxTs FROM calls').get() as {
      count: number;
      maxTs: number;
    };
    db.close();
    expect(count).toBeGreaterThanOrEqual(committed);
    // Records are written in order: what is there is a gap-free prefix of what was recorded.
    expect(maxTs).toBe(count - 1);
  });
});
