#!/usr/bin/env node
// Runs the suite under several Node majors (default 20, 22, 24): each Node comes from the npm registry into
// .cache/node<major> (scripts/install-node.mjs) unless it is the one running this script; native add-ons are
// switched to its ABI (scripts/native-addons.mjs) and switched back at the end. The slow suites whose outcome does
// not depend on the Node major (Redis processes and outages, property runs, the big fuzz, the Chromium dashboard,
// the pack-and-install check, which drives Node 24 itself) run once, under the last Node; the rest, the contract
// and unit suites, under every Node. Prints one line per Node and writes <report dir>/matrix.json.
// Usage: node scripts/test-matrix.mjs [--nodes 20,22,24] [--report-dir <dir>] [-- <extra vitest arguments>]
// Expects a built dist/ (npm run build), as `npm test` does.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countVitestReport } from './count-vitest-report.mjs';

/** Suites that run under one Node only; everything else runs under each. */
const RUN_ONCE = [
  // Processes, outages, crashes, property runs and fuzzes: what they prove does not depend on the Node major.
  'test/reliability/**',
  'test/dashboard/dashboard.browser.test.ts',
  'test/dashboard/dashboard-other-process.test.ts',
  'test/package-install.test.ts',
  // End to end through spawned CLI processes (the CLI's commands are also unit-tested under every Node).
  'test/cli.test.ts',
  'test/kill-that-lasts.test.ts',
  'test/export.test.ts',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  options: { nodes: { type: 'string', default: '20,22,24' }, 'report-dir': { type: 'string' } },
  allowPositionals: true,
});
const majors = values.nodes.split(',').map((major) => major.trim());
const reportDir = resolve(values['report-dir'] ?? mkdtempSync(join(tmpdir(), 'tokenfence-matrix-')));
mkdirSync(reportDir, { recursive: true });

function nodeBinary(major) {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const installed = spawnSync(process.execPath, [join(root, 'scripts', 'install-node.mjs'), major], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (installed.status !== 0) return undefined;
  return join(installed.stdout.trim(), 'bin', 'node');
}

function withNodeFirst(binary) {
  // Tests that start `node` by name (CLI, second processes) must get the Node under test.
  return { ...process.env, PATH: `${dirname(binary)}:${process.env.PATH}` };
}

function useNativeAddons(binary) {
  return spawnSync(binary, [join(root, 'scripts', 'native-addons.mjs'), root], {
    stdio: 'inherit',
    env: withNodeFirst(binary),
  }).status;
}

function formatSeconds(seconds) {
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

// Keeps the running Node's own build in .cache/native before any switch, so switching back costs a copy.
useNativeAddons(process.execPath);
const runs = [];
try {
  for (const [index, major] of majors.entries()) {
    const binary = nodeBinary(major);
    if (binary === undefined) {
      runs.push({ node: major, version: 'not installed', passed: 0, failed: 1, skipped: 0, seconds: 0, once: false });
      continue;
    }
    const version = spawnSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    const once = index === majors.length - 1;
    console.log(`::: tests under Node ${version}${once ? ' (all suites)' : ' (contract and unit suites)'}`);
    useNativeAddons(binary);
    const report = join(reportDir, `node${major}.json`);
    const excluded = once ? [] : RUN_ONCE.flatMap((file) => ['--exclude', file]);
    const started = Date.now();
    spawnSync(
      binary,
      [
        join(root, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${report}`,
        ...excluded,
        ...positionals,
      ],
      { cwd: root, stdio: 'inherit', env: withNodeFirst(binary) },
    );
    const seconds = (Date.now() - started) / 1000;
    let counts;
    try {
      counts = countVitestReport(report);
    } catch {
      counts = { passed: 0, failed: 1, skipped: 0 };
    }
    runs.push({ node: major, version, ...counts, seconds, once });
  }
} finally {
  useNativeAddons(process.execPath);
}

writeFileSync(join(reportDir, 'matrix.json'), `${JSON.stringify({ runs }, null, 2)}\n`);
for (const run of runs) {
  console.log(
    `node ${run.version}: ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped in ${formatSeconds(run.seconds)}` +
      (run.once ? ' (all suites)' : ' (without the run-once suites)'),
  );
}
process.exitCode = runs.every((run) => run.failed === 0) ? 0 : 1;
