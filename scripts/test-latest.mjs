#!/usr/bin/env node
// The "latest" lane: copies the repository to .cache/latest/repo, installs the @latest of every SDK and store driver
// the tests use (openai, @anthropic-ai/sdk, @google/genai, ai, @ai-sdk/*, @openai/agents, @langchain/*, @mastra/*,
// ioredis, better-sqlite3 — aliased second copies such as `ai-v5` stay as pinned), then under Node 24 checks that
// each latest version is inside tokenfence's peer range and runs the contract suites there. A new major shows up
// here before users install it. The repository's own node_modules is never touched.
// Usage: node scripts/test-latest.mjs [--report-dir <dir>] [-- <vitest paths>]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countVitestReport } from './count-vitest-report.mjs';

const NODE_MAJOR = '24';
const SDK =
  /^(openai|ai|@ai-sdk\/.+|@anthropic-ai\/sdk|@google\/genai|@openai\/agents|@langchain\/.+|@mastra\/.+|ioredis|better-sqlite3)$/;
const CONTRACT_SUITES = [
  'test/sdk',
  'test/integrations',
  'test/stores',
  'test/smoke.test.ts',
  'test/acceptance.test.ts',
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = join(root, '.cache', 'latest', 'repo');
const { values, positionals } = parseArgs({ options: { 'report-dir': { type: 'string' } }, allowPositionals: true });
const reportDir = resolve(values['report-dir'] ?? mkdtempSync(join(tmpdir(), 'tokenfence-latest-')));
mkdirSync(reportDir, { recursive: true });

function fail(message) {
  console.error(`test:latest: ${message}`);
  writeFileSync(
    join(reportDir, 'latest.json'),
    `${JSON.stringify({ runs: [{ node: NODE_MAJOR, version: 'latest', passed: 0, failed: 1, skipped: 0 }] })}\n`,
  );
  process.exit(1);
}

function step(binary, args, options = {}) {
  const result = spawnSync(binary, args, {
    cwd: scratch,
    stdio: 'inherit',
    ...options,
    env: { ...process.env, PATH: `${dirname(binary)}:${process.env.PATH}`, ...options.env },
  });
  return result.status === 0;
}

const installed = spawnSync(process.execPath, [join(root, 'scripts', 'install-node.mjs'), NODE_MAJOR], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (installed.status !== 0) fail(`could not install Node ${NODE_MAJOR}`);
const node = join(installed.stdout.trim(), 'bin', 'node');
const npmCli = join(
  dirname(spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).stdout.trim()),
  'npm-cli.js',
);

// A fresh copy each time: the tracked files, and node_modules hard-linked (npm swaps whole package folders, so the
// links are never written through; the lockfile it rewrites in place is a real copy).
console.log(`::: copying the repository to ${scratch}`);
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
const tracked = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
});
if (tracked.status !== 0) fail('git ls-files failed: the latest lane copies the files git knows of');
for (const file of tracked.stdout.split('\0').filter(Boolean)) {
  if (!existsSync(join(root, file))) continue;
  mkdirSync(dirname(join(scratch, file)), { recursive: true });
  copyFileSync(join(root, file), join(scratch, file));
}
if (spawnSync('cp', ['-al', join(root, 'node_modules'), join(scratch, 'node_modules')]).status !== 0) {
  fail('could not hard-link node_modules (run npm ci first)');
}
rmSync(join(scratch, 'node_modules', '.package-lock.json'), { force: true });

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sdks = Object.entries(manifest.devDependencies)
  .filter(([name, spec]) => SDK.test(name) && !String(spec).startsWith('npm:'))
  .map(([name]) => name);
console.log(`::: installing the latest ${sdks.join(', ')}`);
// Scripts off: better-sqlite3's would try a prebuilt download first; native-addons.mjs builds it for Node 24 instead.
if (
  !step(node, [
    npmCli,
    'install',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--save-dev',
    ...sdks.map((name) => `${name}@latest`),
  ])
) {
  fail('npm install of the latest SDKs failed');
}
step(node, [join(root, 'scripts', 'native-addons.mjs'), scratch]);

const versions = {};
const outside = [];
const semver = createRequire(join(scratch, 'package.json'))('semver');
for (const name of sdks) {
  versions[name] = JSON.parse(readFileSync(join(scratch, 'node_modules', name, 'package.json'), 'utf8')).version;
  const range = manifest.peerDependencies?.[name];
  if (range && !semver.satisfies(versions[name], range))
    outside.push(`${name}@${versions[name]} is outside the peer range ${range}`);
}
console.log('::: latest versions');
for (const [name, version] of Object.entries(versions)) console.log(`  ${name} ${version}`);

console.log(`::: building, then the contract suites under Node ${NODE_MAJOR}`);
const built = step(node, [join(scratch, 'node_modules', 'tsdown', 'dist', 'run.mjs')]);
const report = join(reportDir, 'latest-vitest.json');
rmSync(report, { force: true });
if (built) {
  step(node, [
    join(scratch, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...(positionals.length > 0 ? positionals : CONTRACT_SUITES),
  ]);
}
let counts = { passed: 0, failed: 1, skipped: 0 };
if (existsSync(report)) counts = countVitestReport(report);
counts.failed += outside.length + (built ? 0 : 1);
const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
writeFileSync(
  join(reportDir, 'latest.json'),
  `${JSON.stringify({ runs: [{ node: NODE_MAJOR, version: `${version} latest SDKs`, ...counts, versions }] }, null, 2)}\n`,
);
for (const line of outside) console.log(`peer range: ${line} — test it, then widen the range in package.json`);
if (!built) console.log('the build failed in the scratch copy');
console.log(
  `latest SDKs on Node ${version}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
);
process.exitCode = counts.failed === 0 ? 0 : 1;
