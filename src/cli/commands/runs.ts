import { parseArgs } from 'node:util';
import { formatReport } from '../../reports/format-report.js';
import { summarizeSpend } from '../../reports/summarize-spend.js';
import { type CliIo, UsageError } from '../cli-io.js';
import { noteEmpty } from '../note-empty.js';
import { openStoreForReading } from '../open-store.js';
import { parseTagFilters } from '../parse-tag-options.js';
import { parseTime } from '../parse-time.js';
import { oneOf, REPORT_OPTIONS } from './report.js';

export const RUNS_HELP = `Usage: tokenfence runs [options]

The most expensive runs, each with its run → agent → call tree.

Options:
  --store <store>      sqlite:<path> or redis://host:port (default: $TOKENFENCE_STORE)
  --workflow <name>    only this workflow
  --tag <key=value>    only calls carrying this tag; repeatable (AND)
  --top <n>            how many runs (default: 10)
  --since <when>       24h, 7d, 30m or an ISO date
  --until <when>       same forms
  --format <format>    tree | table | json | csv | md (default: tree)
  --help               this text
`;

export async function runsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: REPORT_OPTIONS, strict: true });
  if (values.help) {
    io.stdout(RUNS_HELP);
    return 0;
  }
  const top = values.top === undefined ? 10 : Number(values.top);
  if (!Number.isSafeInteger(top) || top < 1)
    throw new UsageError(`--top takes a whole number ≥ 1, got "${values.top}"`);
  const format = oneOf(values.format, ['tree', 'table', 'json', 'csv', 'md'] as const, 'format', 'tree');
  const now = Date.now();
  const store = await openStoreForReading(values.store, io);
  try {
    const report = summarizeSpend(store, {
      by: 'run',
      top,
      workflow: values.workflow,
      since: parseTime(values.since, 'since', now),
      until: parseTime(values.until, 'until', now),
      tags: parseTagFilters(values.tag),
    });
    io.stdout(formatReport(report, format === 'tree' ? 'table' : format, { tree: format === 'tree' }));
    if (report.rows.length === 0)
      noteEmpty(io, 'runs', 'runs', { workflow: values.workflow, since: values.since, until: values.until });
  } finally {
    store.close();
  }
  return 0;
}
