#!/usr/bin/env node
// Installs an official Node.js binary of one major from the npm registry (the `node-<platform>-<arch>` package that
// the `node` package itself installs from) into .cache/node<major>, and prints the package folder: its bin/node runs
// the tests, its include/ holds the headers node-gyp needs to build native add-ons without downloading them.
// Reused when present, so CI pays for the download once. Usage: node scripts/install-node.mjs <major>
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = process.argv[2];
if (!/^\d+$/.test(major ?? '')) {
  console.error('usage: node scripts/install-node.mjs <major>');
  process.exit(2);
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.cache', `node${major}`);
const packageName = `node-${process.platform}-${process.arch}`;
const folder = join(prefix, 'node_modules', packageName);
const binary = join(folder, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

function installedMajor() {
  if (!existsSync(binary)) return undefined;
  const result = spawnSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().split('.')[0] : undefined;
}

if (installedMajor() !== major) {
  console.error(`installing ${packageName}@${major} into ${prefix}`);
  const result = spawnSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--prefix',
      prefix,
      `${packageName}@${major}`,
    ],
    { stdio: ['ignore', 2, 'inherit'] },
  );
  if (result.status !== 0 || installedMajor() !== major) {
    console.error(`could not install ${packageName}@${major} from the npm registry`);
    process.exit(1);
  }
}
console.log(folder);
