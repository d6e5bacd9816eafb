import { nanosToUsd } from '../core/money.js';
import type { CallRecord } from '../ledger/ledger-records.js';
import type { LedgerFilter, LedgerStore } from '../ledger/ledger-store.js';
import { csvCell } from './format-report.js';

export type ExportFormat = 'ndjson' | 'csv';

interface UsageDetail {
  modalities?: Record<string, number>;
  fees?: Record<string, number>;
  tiers?: string[];
}

function detailOf(record: CallRecord): UsageDetail {
  if (record.usageDetail === null) return {};
  try {
    return JSON.parse(record.usageDetail) as UsageDetail;
  } catch {
    return {};
  }
}

/**
 * One exported call, flat and in a fixed column order: what a warehouse table or a spreadsheet gets.
 * Refused calls are exported too (`outcome` blocked / killed, cost 0 unless a kill cut one off in flight).
 */
export function exportRow(record: CallRecord): Record<string, unknown> {
  const detail = detailOf(record);
  return {
    id: record.id,
    time: new Date(record.ts).toISOString(),
    ts: record.ts,
    runId: record.runId,
    workflow: record.workflow,
    agent: record.agent,
    scope: record.scope,
    provider: record.provider,
    model: record.model,
    modelUsed: record.modelUsed,
    outcome: record.outcome,
    attempt: record.attempt,
    status: record.status,
    stream: record.stream,
    durationMs: record.durationMs,
    tags: record.tags ?? {},
    inputUncached: record.inputUncached,
    inputCacheRead: record.inputCacheRead,
    inputCacheWrite5m: record.inputCacheWrite5m,
    inputCacheWrite1h: record.inputCacheWrite1h,
    outputText: record.outputText,
    outputReasoning: record.outputReasoning,
    modalities: detail.modalities ?? {},
    fees: detail.fees ?? {},
    tiers: detail.tiers ?? [],
    costUsd: nanosToUsd(record.costNanos),
    costNanos: record.costNanos,
    feeNanos: record.feeNanos,
    reservedNanos: record.reservedNanos,
    costSource: record.costSource,
  };
}

/** The CSV header: the keys of `exportRow`, in its order. */
export const EXPORT_COLUMNS: readonly string[] = Object.keys(
  exportRow({
    v: 1,
    id: '',
    ts: 0,
    runId: null,
    workflow: null,
    agent: null,
    scope: '',
    provider: '',
    model: '',
    modelUsed: '',
    inputUncached: 0,
    inputCacheRead: 0,
    inputCacheWrite5m: 0,
    inputCacheWrite1h: 0,
    outputText: 0,
    outputReasoning: 0,
    costNanos: 0,
    feeNanos: 0,
    usageDetail: null,
    reservedNanos: 0,
    costSource: 'provider',
    attempt: 0,
    outcome: 'ok',
    status: null,
    durationMs: 0,
    stream: false,
    prompt: null,
    completion: null,
  }),
);

/** One CSV line: objects (tags, fees, modalities, tiers) as JSON text; every text cell formula-safe. */
function csvLine(row: Record<string, unknown>): string {
  return EXPORT_COLUMNS.map((column) => {
    const value = row[column];
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return csvCell(value);
    if (typeof value === 'string') return csvCell(value);
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    return csvCell(JSON.stringify(value));
  }).join(',');
}

/** The store's call records matching `filter`, one at a time (`queryCalls` for a store that cannot stream). */
export function callRecordsOf(
  store: LedgerStore,
  filter: LedgerFilter,
): Iterable<CallRecord> | AsyncIterable<CallRecord> {
  return store.iterateCalls ? store.iterateCalls(filter) : store.queryCalls(filter);
}

/**
 * The export as text chunks of up to `batch` lines (ndjson: one JSON object a line; CSV: a header, then
 * one line a call): records are read, formatted and handed on a batch at a time, never all held.
 */
export async function* exportCalls(
  store: LedgerStore,
  filter: LedgerFilter,
  format: ExportFormat,
  batch = 1_000,
): AsyncGenerator<string, number> {
  let lines: string[] = format === 'csv' ? [EXPORT_COLUMNS.map((column) => csvCell(column)).join(',')] : [];
  let count = 0;
  for await (const record of callRecordsOf(store, filter)) {
    const row = exportRow(record);
    lines.push(format === 'csv' ? csvLine(row) : JSON.stringify(row));
    count += 1;
    if (lines.length >= batch) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
  return count;
}
