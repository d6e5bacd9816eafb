import { parseArgs } from 'node:util';
import { type ExportFormat, exportCalls } from '../../reports/export-calls.js';
import type { CliIo } from '../cli-io.js';
import { noteEmpty } from '../note-empty.js';
import { openStoreForReading } from '../open-store.js';
import { parseTime } from '../parse-time.js';
import { oneOf } from './report.js';

export const EXPORT_HELP = `Usage: tokenfence export [options]

Streams raw call records out of the ledger — refused calls too, with their outcome — for a warehouse or a
spreadsheet, without reading the ledger into memory. One line per call attempt:
  id, time (ISO), ts (epoch ms), runId, workflow, agent, scope, provider, model (asked), modelUsed, outcome,
  attempt, status, stream, durationMs, tags, the token buckets (inputUncached … outputReasoning),
  modalities, fees (units per kind), tiers, costUsd, costNanos, feeNanos, reservedNanos, costSource

Options:
  --store <store>      sqlite:<path> or redis://host:port (default: $TOKENFENCE_STORE)
  --since <when>       24h, 7d, 30m or an ISO date (default: the first record)
  --until <when>       same forms (exclusive; default: now)
  --workflow <name>    only this workflow
  --agent <label>      only this agent role
  --run <id>           only this run
  --format <format>    ndjson | csv (default: ndjson). csv: objects (tags, fees, modalities, tiers) as JSON
                       text; cells a spreadsheet would run as a formula are prefixed with '
  --help               this text

Time order (SQLite, memory); a Redis ledger in the order the records were written.
`;

export async function exportCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      workflow: { type: 'string' },
      agent: { type: 'string' },
      run: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(EXPORT_HELP);
    return 0;
  }
  const format = oneOf<ExportFormat>(values.format, ['ndjson', 'csv'], 'format', 'ndjson');
  const now = Date.now();
  const filter = {
    since: parseTime(values.since, 'since', now),
    until: parseTime(values.until, 'until', now),
    workflow: values.workflow,
    agent: values.agent,
    runId: values.run,
  };
  const store = await openStoreForReading(values.store, io, { streaming: true });
  try {
    const chunks = exportCalls(store, filter, format);
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        if (next.value === 0) {
          const { since, until, workflow, agent, run } = values;
          noteEmpty(io, 'export', 'calls', { since, until, workflow, agent, run });
        }
        break;
      }
      io.stdout(next.value);
      await io.drain?.();
      if (io.signal?.aborted) break;
    }
  } finally {
    store.close();
  }
  return 0;
}
