import type { CliIo } from '../cli-io.js';
import { UsageError } from '../cli-io.js';
import { describeTarget, killTargetOf, openKillStore, parseKillArgs, sharedKillPlaces } from '../kill-target.js';

export const REVIVE_HELP = `Usage: tokenfence revive --store <redis://…> (--scope <id> | --tag <key=value>) [options]

Lifts a kill given with tokenfence kill (or fence.kill()) on a shared scope or a tag value: every process
admits calls there again. Spend and budgets are unchanged.

Options:
  --store <store>      redis://host:port (default: $TOKENFENCE_STORE)
  --scope <id>         the shared scope ("crawl", "crawl/researcher")
  --tag <key=value>    the tag value's budget scope ("tag:key=value")
  --tree <id>          the root fence whose tree holds it (default: --scope's first path segment; for --tag,
                       every tree on the store)
  --prefix <prefix>    Redis key prefix of the fences (default: tf)
  --format <format>    text | json (default: text)
  --help               this text

A kill order for a run or a workflow is not revived: the killed runs are over, and processes that stopped a
workflow admit it again after fence.reset() or a restart.

Exit codes: 0 the store has the revive; 1 the store could not take it in time; 2 wrong invocation.
`;

export async function reviveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, format } = parseKillArgs(args);
  if (values.help) {
    io.stdout(REVIVE_HELP);
    return 0;
  }
  if (values.reason !== undefined) throw new UsageError('--reason goes with tokenfence kill');
  const target = killTargetOf(values);
  if (target.kind === 'run' || target.kind === 'workflow') {
    throw new UsageError(`a ${target.kind} kill order is not revived (see below); revive takes --scope or --tag`);
  }
  const opened = openKillStore(values, io);
  try {
    const places = await sharedKillPlaces(opened, target);
    await Promise.all(places.trees.map((tree) => places.budgets.revive(tree, places.id)));
    if (format === 'json') {
      io.stdout(`${JSON.stringify({ revived: describeTarget(target), store: opened.name, trees: places.trees })}\n`);
    } else {
      io.stdout(
        `revived ${describeTarget(target)} (tree${places.trees.length > 1 ? 's' : ''} ${places.trees.join(', ')}) on ${opened.name}\n`,
      );
    }
    return 0;
  } finally {
    opened.store.close();
  }
}
