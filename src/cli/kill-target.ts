import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { type RedisStore, redisStore } from '../stores/redis/redis-store.js';
import { openSqliteLedgerStore } from '../stores/sqlite/sqlite-ledger-store.js';
import { type CliIo, UsageError } from './cli-io.js';

/** What `tokenfence kill` / `revive` act on: exactly one of these. */
export type KillTarget =
  | { kind: 'scope'; id: string; tree: string | undefined }
  | { kind: 'tag'; key: string; value: string; tree: string | undefined }
  | { kind: 'run'; id: string }
  | { kind: 'workflow'; name: string };

export const KILL_TARGET_OPTIONS = {
  store: { type: 'string' },
  scope: { type: 'string' },
  tag: { type: 'string' },
  run: { type: 'string' },
  workflow: { type: 'string' },
  tree: { type: 'string' },
  prefix: { type: 'string' },
  reason: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export type KillArgs = ReturnType<typeof parseKillArgs>;

const PRINTABLE = /^[^\u0000-\u001f\u007f]{1,200}$/;

function printable(value: string, option: string): string {
  if (!PRINTABLE.test(value) || value.trim() === '') {
    throw new UsageError(`--${option} takes 1–200 printable characters, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return value;
}

/** The shared id of a tag value's budget scope: the contract with tag budgets (`tagBudgets`). */
export function tagScopeId(key: string, value: string): string {
  return `tag:${key}=${value}`;
}

export function parseKillArgs(args: string[]) {
  const { values } = parseArgs({ args, options: KILL_TARGET_OPTIONS, strict: true });
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format takes text or json, got "${format}"`);
  return { values, format };
}

/** The one target named on the command line, validated. */
export function killTargetOf(values: KillArgs['values']): KillTarget {
  const given = (['scope', 'tag', 'run', 'workflow'] as const).filter((option) => values[option] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? 'name what to act on: --scope <id>, --tag <key=value>, --run <id> or --workflow <name>'
        : `give one of --scope, --tag, --run, --workflow (got ${given.map((option) => `--${option}`).join(', ')})`,
    );
  }
  const tree = values.tree === undefined ? undefined : printable(values.tree, 'tree');
  if (values.scope !== undefined) return { kind: 'scope', id: printable(values.scope, 'scope'), tree };
  if (values.tag !== undefined) {
    const split = values.tag.indexOf('=');
    if (split <= 0 || split === values.tag.length - 1) {
      throw new UsageError(`--tag takes key=value (e.g. tenant=acme), got ${JSON.stringify(values.tag.slice(0, 40))}`);
    }
    return {
      kind: 'tag',
      key: printable(values.tag.slice(0, split), 'tag'),
      value: printable(values.tag.slice(split + 1), 'tag'),
      tree,
    };
  }
  if (tree !== undefined) throw new UsageError('--tree goes with --scope or --tag');
  if (values.run !== undefined) return { kind: 'run', id: printable(values.run, 'run') };
  return { kind: 'workflow', name: printable(values.workflow as string, 'workflow') };
}

/** A store opened for writing a kill: Redis (shared budgets and ledger) or a SQLite ledger; `name` for messages. */
export type KillStore =
  | { kind: 'redis'; store: RedisStore; name: string }
  | { kind: 'sqlite'; store: LedgerStore; name: string };

export function printableReason(reason: string | undefined, fallback: string): string {
  return reason === undefined ? fallback : printable(reason, 'reason');
}

/** Opens the store of --store / TOKENFENCE_STORE; never creates an empty SQLite ledger. */
export function openKillStore(values: KillArgs['values'], io: CliIo): KillStore {
  const name = values.store ?? io.env.TOKENFENCE_STORE;
  if (!name) throw new UsageError('no store: pass --store redis://host:6379 or sqlite:<path>, or set TOKENFENCE_STORE');
  if (/^rediss?:\/\//.test(name)) {
    const store = redisStore(name, { timeoutMs: 5_000, ...(values.prefix !== undefined && { prefix: values.prefix }) });
    return { kind: 'redis', store, name: store.name };
  }
  if (values.prefix !== undefined) throw new UsageError('--prefix goes with a redis:// store');
  if (name.startsWith('sqlite:') && name.length > 'sqlite:'.length) {
    const path = name.slice('sqlite:'.length);
    // A kill written to a new, empty file would reach nobody: a typo'd path must fail.
    if (!existsSync(path)) throw new UsageError(`no ledger at ${path}: give the path the workers use`);
    return { kind: 'sqlite', store: openSqliteLedgerStore(path), name };
  }
  if (name === 'memory')
    throw new UsageError('a memory store lives in one process: kill from that process (fence.kill())');
  throw new UsageError(`unknown store "${name}": use redis://… or sqlite:<path>`);
}

/** The tree (root scope id) a scope id lives in: given, else its first path segment. */
export function treeOfScope(id: string, tree: string | undefined): string {
  if (tree !== undefined) {
    if (id !== tree && !id.startsWith(`${tree}/`)) {
      throw new UsageError(`--scope ${id} is not in --tree ${tree} (scope ids start with their tree's id)`);
    }
    return tree;
  }
  return id.split('/')[0] as string;
}

/** Where a scope or tag kill flag goes: the shared id, and every tree it is set in. */
export async function sharedKillPlaces(
  opened: KillStore,
  target: Extract<KillTarget, { kind: 'scope' | 'tag' }>,
): Promise<{ budgets: RedisStore['budgets']; id: string; trees: string[] }> {
  if (opened.kind !== 'redis') {
    throw new UsageError(
      `--${target.kind} needs the shared store (redis://…) the fences use; a SQLite ledger carries kill orders for --run and --workflow`,
    );
  }
  const budgets = opened.store.budgets;
  if (target.kind === 'scope') return { budgets, id: target.id, trees: [treeOfScope(target.id, target.tree)] };
  const trees = target.tree === undefined ? await budgets.trees() : [target.tree];
  if (trees.length === 0) {
    throw new UsageError('no fence has used this store yet: give --tree <root fence id> to set the kill ahead of them');
  }
  return { budgets, id: tagScopeId(target.key, target.value), trees };
}

/** How a target is named in the command's output. */
export function describeTarget(target: KillTarget): string {
  switch (target.kind) {
    case 'scope':
      return `scope ${target.id}`;
    case 'tag':
      return `tag ${target.key}=${target.value}`;
    case 'run':
      return `run ${target.id}`;
    case 'workflow':
      return `workflow ${target.name}`;
  }
}
