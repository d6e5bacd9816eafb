import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a new user does: `npm install tokenfence` under Node 24 into a project that already holds today's SDKs — the
 * packed package (what npm publishes), no `--force`, no `--legacy-peer-deps`, and no better-sqlite3. The project of
 * latest SDKs is kept in .cache/package-install/base for a day (TOKENFENCE_REFRESH_LATEST=1 renews it); each run
 * copies it to a temp dir and installs the fresh tarball there. Skipped, saying so, only when the npm registry cannot
 * be reached and nothing is cached.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const base = join(root, '.cache', 'package-install', 'base');
const marker = join(base, 'tokenfence-base.json');
const LATEST_SDKS = ['openai', 'ai', '@ai-sdk/openai', '@google/genai', '@anthropic-ai/sdk', 'ioredis'];
const DAY_MS = 24 * 3_600_000;
const NODE_MAJOR = '24';

function npmCli(): string {
  // `npm test` says where its npm lives; otherwise the npm on PATH.
  const fromNpm = process.env.npm_execpath;
  if (fromNpm?.endsWith('npm-cli.js')) return fromNpm;
  const onPath = spawnSync('sh', ['-c', 'readlink -f "$(command -v npm)"'], { encoding: 'utf8' }).stdout.trim();
  return join(dirname(onPath), 'npm-cli.js');
}

function run(binary: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(binary, args, {
    cwd,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, PATH: `${dirname(binary)}:${process.env.PATH}`, npm_config_update_notifier: 'false' },
  });
}

function baseIsFresh(): boolean {
  if (process.env.TOKENFENCE_REFRESH_LATEST === '1' || !existsSync(marker)) return false;
  const { createdAt, sdks } = JSON.parse(readFileSync(marker, 'utf8')) as { createdAt: number; sdks: string[] };
  return Date.now() - createdAt < DAY_MS && sdks.join() === LATEST_SDKS.join();
}

function registryReachable(): boolean {
  return run(process.execPath, [npmCli(), 'ping'], root, 20_000).status === 0;
}

const online = registryReachable();
const skipReason = !online && !existsSync(marker) ? 'the npm registry is unreachable and nothing is cached' : undefined;
if (skipReason) console.warn(`package install test skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(
  `npm install tokenfence under Node ${NODE_MAJOR} beside the latest SDKs`,
  () => {
    let node: string;
    let project: string;
    let install: SpawnSyncReturns<string>;

    beforeAll(() => {
      node = process.versions.node.split('.')[0] === NODE_MAJOR ? process.execPath : installNode();
      if (online && !baseIsFresh()) createBase(node);
      const scratch = mkdtempSync(join(tmpdir(), 'tokenfence-install-'));
      const packed = run(
        process.execPath,
        [npmCli(), 'pack', '--ignore-scripts', '--json', '--pack-destination', scratch],
        root,
      );
      expect(packed.status, packed.stderr).toBe(0);
      const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
      project = join(scratch, 'project');
      copyProject(base, project);
      install = run(
        node,
        [
          npmCli(),
          'install',
          '--no-audit',
          '--no-fund',
          online ? '--prefer-offline' : '--offline',
          join(scratch, filename),
        ],
        project,
      );
      for (const program of ['guarded-calls.mjs', 'guarded-calls.cjs', 'ai-sdk-middleware.mjs']) {
        copyFileSync(join(root, 'test', 'fixtures', 'package-install', program), join(project, program));
      }
    }, 900_000);

    afterAll(() => {
      if (project) rmSync(dirname(project), { recursive: true, force: true });
    }, 120_000);

    it('installs without --force or --legacy-peer-deps: every peer range takes the latest majors', () => {
      expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0);
      expect(install.stderr).not.toMatch(/ERESOLVE|peer dep/i);
      const listed = run(node, [npmCli(), 'ls', 'tokenfence', ...LATEST_SDKS], project);
      expect(listed.status, `${listed.stdout}\n${listed.stderr}`).toBe(0);
      const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'tokenfence', 'package.json'), 'utf8'));
      const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      expect(installed.version).toBe(ours.version);
      // Optional peers stay optional: nothing native is pulled in for a user who never opens a SQLite ledger.
      expect(existsSync(join(project, 'node_modules', 'better-sqlite3'))).toBe(false);
    });

    // Each program prints what it spent on its gpt-4o-mini call and in all, and the paths the mock was asked for.
    const PROGRAMS = [
      {
        program: 'guarded-calls.mjs',
        paths: ['/v1/chat/completions', '/v1/messages', 'gemini-2.5-flash:generateContent'],
      },
      { program: 'guarded-calls.cjs', paths: ['/v1/chat/completions', '/v1/messages'] },
      { program: 'ai-sdk-middleware.mjs', paths: ['/v1/chat/completions'] },
    ];
    it.each(PROGRAMS)('$program makes guarded calls against the bundled mock', ({ program, paths }) => {
      const result = run(node, [program], project, 60_000);
      expect(result.status, result.stderr).toBe(0);
      const output = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
        openaiSpent: number;
        spent: number;
        requests: string[];
      };
      // gpt-4o-mini: 1,000 prompt tokens at $0.15/M + 100 completion tokens at $0.60/M.
      expect(Math.round(output.openaiSpent * 1e9)).toBe(1_000 * 150 + 100 * 600);
      // @google/genai 3 asks /v1/models/…, 2 asked /v1beta/models/…: only the method matters here.
      expect(output.requests.map((path) => path.replace(/^\/v1(beta)?\/models\//, ''))).toEqual(paths);
      if (paths.length > 1) expect(output.spent).toBeGreaterThan(output.openaiSpent);
    });
  },
);

/**
 * The base project, hard-linked where the file system allows (a plain copy of 13k files is a minute on a busy
 * machine): npm replaces package folders rather than writing into them, but it rewrites the lockfiles and the
 * manifest in place, so those are real copies and the cached base never changes.
 */
function copyProject(from: string, to: string): void {
  if (spawnSync('cp', ['-al', from, to]).status !== 0) {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
    return;
  }
  for (const file of ['package.json', 'package-lock.json', join('node_modules', '.package-lock.json')]) {
    rmSync(join(to, file));
    copyFileSync(join(from, file), join(to, file));
  }
}

function installNode(): string {
  const result = run(process.execPath, [join(root, 'scripts', 'install-node.mjs'), NODE_MAJOR], root);
  expect(result.status, result.stderr).toBe(0);
  return join(result.stdout.trim(), 'bin', 'node');
}

/** A project as a user has it before adding tokenfence: the latest of each SDK, installed with Node 24's npm. */
function createBase(node: string): void {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, 'package.json'), `${JSON.stringify({ name: 'scratch-app', private: true }, null, 2)}\n`);
  const installed = run(
    node,
    [npmCli(), 'install', '--no-audit', '--no-fund', ...LATEST_SDKS.map((name) => `${name}@latest`)],
    base,
  );
  expect(installed.status, installed.stderr).toBe(0);
  writeFileSync(marker, JSON.stringify({ createdAt: Date.now(), sdks: LATEST_SDKS }));
}
