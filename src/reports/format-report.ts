import { nanosToUsd } from '../core/money.js';
import { describeCalls } from '../ledger/count-calls.js';
import type { AgentRow, ModelRow, SpendReport, SpendStats, TagRow, WorkflowRow } from './summarize-spend.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'md';

type Cell = string | number;

/** USD from nano-USD, for the CLI (which reads money through the report layer). */
export const usdOf = (nanos: number): number => nanosToUsd(nanos);

/** `$1.2345` from nano-USD: how every table and CLI line shows money. */
export const formatUsd = (nanos: number, digits = 4) => `$${nanosToUsd(nanos).toFixed(digits)}`;
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The columns every grouped row and every total share, after the row's own key columns. */
const STAT_HEADER = [
  'Runs',
  'Calls',
  'Sent',
  'Blocked',
  'Killed',
  'Cost',
  'Share',
  'Avg/run',
  'P50',
  'P95',
  'P99',
  'Max',
];

function statCells(stats: SpendStats): Cell[] {
  return [
    stats.runs,
    stats.calls,
    stats.sentCalls,
    stats.blockedCalls,
    stats.killedCalls,
    formatUsd(stats.costNanos),
    percent(stats.share),
    formatUsd(stats.avgCostNanos),
    formatUsd(stats.p50Nanos),
    formatUsd(stats.p95Nanos),
    formatUsd(stats.p99Nanos),
    formatUsd(stats.maxNanos),
  ];
}

interface GroupedColumns<R> {
  key: string[];
  extra: string[];
  cells: (row: R) => { key: Cell[]; extra: Cell[] };
  totalExtra: (total: SpendStats) => Cell[];
}

/**
 * Key columns of a grouped report, and any columns of its own at the end: a grouping's table is one entry
 * (`cells` gives a row's key cells; the total row shows "Total" in the first key column).
 */
const GROUPED_COLUMNS: {
  workflow: GroupedColumns<WorkflowRow>;
  agent: GroupedColumns<AgentRow>;
  model: GroupedColumns<ModelRow>;
  tag: GroupedColumns<TagRow>;
} = {
  workflow: {
    key: ['Workflow'],
    extra: ['Agents', 'Avg calls', 'Anomalies'],
    cells: (row) => ({ key: [row.workflow], extra: [row.agents, row.avgCalls.toFixed(1), row.anomalies] }),
    totalExtra: () => ['', '', ''],
  },
  agent: {
    key: ['Agent'],
    extra: ['Tokens', 'Fees'],
    cells: (row) => ({ key: [row.agent], extra: [formatUsd(row.costNanos - row.feeNanos), formatUsd(row.feeNanos)] }),
    totalExtra: (total) => [formatUsd(total.costNanos - total.feeNanos), formatUsd(total.feeNanos)],
  },
  model: {
    key: ['Provider', 'Model'],
    extra: ['Input tokens', 'Output tokens'],
    cells: (row) => ({ key: [row.provider, row.model], extra: [row.inputTokens, row.outputTokens] }),
    totalExtra: (total) => [total.inputTokens, total.outputTokens],
  },
  // The header names the tag key (`Tag tenant`): see groupedColumns.
  tag: {
    key: ['Tag'],
    extra: ['Fees'],
    cells: (row) => ({ key: [row.value], extra: [formatUsd(row.feeNanos)] }),
    totalExtra: (total) => [formatUsd(total.feeNanos)],
  },
};

function groupedColumns(report: Exclude<SpendReport, { by: 'run' }>): { header: string[]; rows: Cell[][] } {
  // Each entry is typed by its own row; the report's `by` picks the entry of its rows.
  const columns = GROUPED_COLUMNS[report.by] as unknown as GroupedColumns<SpendStats>;
  const rows = (report.rows as SpendStats[]).map((row) => {
    const { key, extra } = columns.cells(row);
    return [...key, ...statCells(row), ...extra];
  });
  const totalKey = columns.key.map((_, index) => (index === 0 ? 'Total' : ''));
  rows.push([...totalKey, ...statCells(report.total), ...columns.totalExtra(report.total)]);
  const keyHeader = report.by === 'tag' ? [`Tag ${report.key}`] : columns.key;
  return { header: [...keyHeader, ...STAT_HEADER, ...columns.extra], rows };
}

function columns(report: SpendReport): { header: string[]; rows: Cell[][] } {
  if (report.by !== 'run') return groupedColumns(report);
  const rows: Cell[][] = report.rows.map((row) => [
    row.runId,
    row.workflow,
    new Date(row.startedAt).toISOString(),
    row.calls,
    row.sentCalls,
    row.blockedCalls,
    row.killedCalls,
    formatUsd(row.costNanos),
    row.anomalies,
  ]);
  const { total } = report;
  rows.push([
    `Total (${total.runs} runs)`,
    '',
    '',
    total.calls,
    total.sentCalls,
    total.blockedCalls,
    total.killedCalls,
    formatUsd(total.costNanos),
    '',
  ]);
  return { header: ['Run', 'Workflow', 'Started', 'Calls', 'Sent', 'Blocked', 'Killed', 'Cost', 'Anomalies'], rows };
}

/** A spreadsheet would run a cell starting with =, +, -, @, tab or CR as a formula: prefix it with '. */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** A CSV cell: quoted when it must be, and never read as a formula by a spreadsheet. */
export function csvCell(cell: Cell): string {
  const text = typeof cell === 'number' ? String(cell) : neutraliseFormula(cell);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function alignedTable(header: string[], rows: Cell[][]): string {
  const text = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  return text
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

function runTree(report: Extract<SpendReport, { by: 'run' }>): string {
  const lines: string[] = [];
  for (const run of report.rows) {
    lines.push(
      `${run.runId}  ${run.workflow}  ${formatUsd(run.costNanos)}  ${describeCalls(run)}${run.anomalies ? `  ⚠ ${run.anomalies} anomalies` : ''}`,
    );
    for (const agent of run.agents) {
      lines.push(`  ${agent.agent}  ${formatUsd(agent.costNanos)}  ${describeCalls(agent)}`);
      for (const call of agent.callList) {
        const model = call.model === call.modelUsed ? call.model : `${call.model} → ${call.modelUsed}`;
        lines.push(
          `    ${new Date(call.ts).toISOString()}  ${model}  in ${call.inputTokens} / out ${call.outputTokens}  ${formatUsd(call.costNanos, 6)}  ${call.outcome}${call.attempt > 1 ? ` (attempt ${call.attempt})` : ''}${call.costSource === 'estimated' ? ' (estimated)' : call.costSource === 'unknown' ? ' (price unknown)' : ''}`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** Renders a report as an aligned table, JSON, CSV (formula-safe) or Markdown. */
export function formatReport(report: SpendReport, format: ReportFormat, options: { tree?: boolean } = {}): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const { header, rows } = columns(report);
  if (format === 'csv') return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n')}\n`;
  if (format === 'md') {
    const markdownCell = (cell: Cell) => String(cell).replace(/\|/g, '\\|');
    return `${[`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`)].join('\n')}\n`;
  }
  if (report.by === 'run' && options.tree) return `${runTree(report)}\n`;
  return `${alignedTable(header, rows)}\n`;
}
