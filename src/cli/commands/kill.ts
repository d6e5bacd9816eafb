import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import type { CliIo } from '../cli-io.js';
import {
  describeTarget,
  type KillStore,
  type KillTarget,
  killTargetOf,
  openKillStore,
  parseKillArgs,
  printableReason,
  sharedKillPlaces,
} from '../kill-target.js';

export const KILL_HELP = `Usage: tokenfence kill --store <store> (--scope <id> | --tag <key=value> | --run <id> | --workflow <name>) [options]

Stops spending in every process using the store, and exits once the store has the kill (it outlives this
process). Workers refuse their next call (scope, tag) or stop their run within half a second (run, workflow).

Targets (exactly one):
  --scope <id>         a shared scope (Redis): a fence's id or label ("crawl"), or a scope below it
                       ("crawl/researcher"); every later call in it or below it is refused until revived
  --tag <key=value>    the budget scope of a tag value (Redis, scope id "tag:key=value"): every later call
                       carrying the tag is refused until revived
  --run <id>           a run in progress, in whichever process runs it
  --workflow <name>    every run of the workflow in progress, and the runs those processes start later

Options:
  --store <store>      redis://host:port or sqlite:<path> (default: $TOKENFENCE_STORE); sqlite: --run, --workflow
  --tree <id>          the root fence (id or label) whose tree holds the scope or tag (default: --scope's first
                       path segment; for --tag, every tree on the store)
  --reason <text>      shown in refusals and recorded (default: "killed by tokenfence kill")
  --prefix <prefix>    Redis key prefix of the fences (default: tf)
  --format <format>    text | json (default: text)
  --help               this text

Exit codes: 0 the kill is durable in the store; 1 the store could not take it in time; 2 wrong invocation.
`;

export async function killCommand(args: string[], io: CliIo): Promise<number> {
  const { values, format } = parseKillArgs(args);
  if (values.help) {
    io.stdout(KILL_HELP);
    return 0;
  }
  const target = killTargetOf(values);
  const reason = printableReason(values.reason, 'killed by tokenfence kill');
  const opened = openKillStore(values, io);
  try {
    const trees = await writeKill(opened, target, reason);
    const name = opened.name;
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ killed: describeTarget(target), store: name, trees, reason, durable: true })}\n`);
    } else {
      const where = trees.length === 0 ? '' : ` (tree${trees.length > 1 ? 's' : ''} ${trees.join(', ')})`;
      io.stdout(`killed ${describeTarget(target)}${where} on ${name}: the store has it\n`);
    }
    return 0;
  } finally {
    opened.store.close();
  }
}

/** Writes the kill and resolves once the store acknowledged it; the trees it was set in (shared scopes). */
async function writeKill(opened: KillStore, target: KillTarget, reason: string): Promise<string[]> {
  if (target.kind === 'run' || target.kind === 'workflow') {
    opened.store.appendKillOrder({
      ts: Date.now(),
      runId: target.kind === 'run' ? target.id : null,
      workflow: target.kind === 'workflow' ? target.name : null,
      reason,
    });
    if (opened.kind === 'redis' && !(await opened.store.persisted(5_000))) {
      throw new StoreUnavailableError(opened.name, 'the kill order was not acknowledged within 5000 ms');
    }
    return [];
  }
  const places = await sharedKillPlaces(opened, target);
  await Promise.all(places.trees.map((tree) => places.budgets.kill(tree, places.id, reason)));
  return places.trees;
}
