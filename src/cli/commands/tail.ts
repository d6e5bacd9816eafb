import { parseArgs } from 'node:util';
import type { CallRecord, EventRecord } from '../../ledger/ledger-records.js';
import { formatUsd, usdOf } from '../../reports/format-report.js';
import { type CliIo, UsageError } from '../cli-io.js';
import { openStoreForReading } from '../open-store.js';
import { parseTime } from '../parse-time.js';
import { oneOf } from './report.js';

export const TAIL_HELP = `Usage: tokenfence tail [options]

Prints settled calls and events as they land in the ledger, until interrupted.

Options:
  --store <store>      sqlite:<path> or redis://host:port (default: $TOKENFENCE_STORE)
  --workflow <name>    only this workflow
  --since <when>       start this far back (default: now)
  --interval <ms>      how often to look (default: 500)
  --limit <n>          stop after n lines
  --format <format>    text | json (default: text). json: one object a line (ndjson), {"kind":"call", …the
                       call record, costUsd} or {"kind":"event", ts, type, runId, workflow, scope, data}
  --help               this text
`;

export function formatCallLine(call: CallRecord): string {
  const where = [call.workflow, call.agent].filter(Boolean).join('/') || call.scope;
  const model = call.model === call.modelUsed ? call.model : `${call.model}→${call.modelUsed}`;
  const tokens = call.inputUncached + call.inputCacheRead + call.inputCacheWrite5m + call.inputCacheWrite1h;
  return `${new Date(call.ts).toISOString()}  call   ${where}  ${model}  in ${tokens} out ${call.outputText + call.outputReasoning}  ${formatUsd(call.costNanos, 6)}  ${call.outcome}${call.costSource === 'estimated' ? ' (estimated)' : ''}`;
}

/** A call as one ndjson line: the record as the ledger keeps it, with its cost in USD beside the nanos. */
function callJson(call: CallRecord): string {
  return JSON.stringify({ kind: 'call', ...call, costUsd: usdOf(call.costNanos) });
}

/** An event as one ndjson line; its fields (kept as JSON text in the ledger) as an object. */
function eventJson(event: EventRecord): string {
  let data: unknown = event.data;
  try {
    data = JSON.parse(event.data);
  } catch {
    // A field the ledger could not parse stays the text it was.
  }
  return JSON.stringify({ kind: 'event', ...event, data });
}

function formatEventLine(event: EventRecord): string {
  return `${new Date(event.ts).toISOString()}  event  ${event.workflow ?? event.scope}  ${event.type}  ${event.data}`;
}

export async function tailCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: 'string' },
      workflow: { type: 'string' },
      since: { type: 'string' },
      interval: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(TAIL_HELP);
    return 0;
  }
  const interval = values.interval === undefined ? 500 : Number(values.interval);
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!Number.isFinite(interval) || interval < 10) throw new UsageError('--interval takes milliseconds ≥ 10');
  if (!(limit > 0)) throw new UsageError('--limit takes a whole number ≥ 1');
  const json = oneOf(values.format, ['text', 'json'] as const, 'format', 'text') === 'json';
  const store = await openStoreForReading(values.store, io);
  let since = parseTime(values.since, 'since', Date.now()) ?? Date.now();
  const seen = new Set<string>();
  let printed = 0;
  try {
    while (!io.signal?.aborted && printed < limit) {
      const filter = { since, workflow: values.workflow };
      const lines: Array<{ ts: number; key: string; text: string }> = [
        ...store
          .queryCalls(filter)
          .map((call) => ({ ts: call.ts, key: call.id, text: json ? callJson(call) : formatCallLine(call) })),
        ...store.queryEvents(filter).map((event) => ({
          ts: event.ts,
          key: `${event.ts}|${event.type}|${event.scope}|${event.data}`,
          text: json ? eventJson(event) : formatEventLine(event),
        })),
      ].sort((a, b) => a.ts - b.ts);
      for (const line of lines) {
        if (seen.has(line.key) || printed >= limit) continue;
        seen.add(line.key);
        io.stdout(`${line.text}\n`);
        printed += 1;
        since = Math.max(since, line.ts);
      }
      if (printed < limit) {
        await new Promise((resolve) => setTimeout(resolve, interval));
        await store.refresh?.();
      }
    }
  } finally {
    store.close();
  }
  return 0;
}
