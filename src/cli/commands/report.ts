import { parseArgs } from 'node:util';
import { formatReport, type ReportFormat } from '../../reports/format-report.js';
import { type ReportGrouping, summarizeSpend } from '../../reports/summarize-spend.js';
import { type CliIo, UsageError } from '../cli-io.js';
import { noteEmpty } from '../note-empty.js';
import { openStoreForReading } from '../open-store.js';
import { parseTagFilters, tagGroupingKey } from '../parse-tag-options.js';
import { parseTime } from '../parse-time.js';

export const REPORT_HELP = `Usage: tokenfence report [options]

Spend from the ledger, grouped.

Options:
  --store <store>      sqlite:<path> or redis://host:port (default: $TOKENFENCE_STORE)
  --by <grouping>      workflow | agent | model | run | tag:<key> (default: workflow)
  --workflow <name>    only this workflow
  --agent <label>      only this agent role
  --run <id>           only this run
  --tag <key=value>    only calls carrying this tag; repeat to require several (AND)
  --since <when>       24h, 7d, 30m or an ISO date
  --until <when>       same forms
  --format <format>    table | json | csv | md (default: table). Every format ends with the total;
                       json: { by, rows, total, totalNanos }
  --help               this text
`;

const GROUPINGS: readonly ReportGrouping[] = ['workflow', 'agent', 'model', 'run'];
const FORMATS: readonly ReportFormat[] = ['table', 'json', 'csv', 'md'];

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  option: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export const REPORT_OPTIONS = {
  store: { type: 'string' },
  by: { type: 'string' },
  workflow: { type: 'string' },
  agent: { type: 'string' },
  run: { type: 'string' },
  tag: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  format: { type: 'string' },
  top: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: REPORT_OPTIONS, strict: true });
  if (values.help) {
    io.stdout(REPORT_HELP);
    return 0;
  }
  const now = Date.now();
  const by: ReportGrouping = values.by?.startsWith('tag:')
    ? `tag:${tagGroupingKey(values.by)}`
    : oneOf(values.by, GROUPINGS, 'by', 'workflow');
  const tags = parseTagFilters(values.tag);
  const format = oneOf(values.format, FORMATS, 'format', 'table');
  const store = await openStoreForReading(values.store, io);
  try {
    const report = summarizeSpend(store, {
      by,
      since: parseTime(values.since, 'since', now),
      until: parseTime(values.until, 'until', now),
      workflow: values.workflow,
      agent: values.agent,
      runId: values.run,
      tags,
    });
    io.stdout(formatReport(report, format));
    if (report.total.calls === 0) {
      const { workflow, agent, run, since, until } = values;
      noteEmpty(io, 'report', 'calls', { workflow, agent, run, since, until });
    }
  } finally {
    store.close();
  }
  return 0;
}
