import { nanosToUsd } from '../core/money.js';
import type { SpendReport } from './summarize-spend.js';

export type ReportFormat = 'table' | 'json' | 'csv' | 'md';

type Cell = string | number;

/** `$1.2345` from nano-USD: how every table and CLI line shows money. */
export const formatUsd = (nanos: number, digits = 4) => `$${nanosToUsd(nanos).toFixed(digits)}`;
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

function columns(report: SpendReport): { header: string[]; rows: Cell[][] } {
  switch (report.by) {
    case 'workflow':
      return {
        header: ['Workflow', 'Runs', 'Agents', 'Avg calls', 'Avg cost', 'P50', 'P95', 'P99', 'Max', 'Anomalies'],
        rows: report.rows.map((row) => [
          row.workflow,
          row.runs,
          row.agents,
          row.avgCalls.toFixed(1),
          formatUsd(row.avgCostNanos),
          formatUsd(row.p50Nanos),
          formatUsd(row.p95Nanos),
          formatUsd(row.p99Nanos),
          formatUsd(row.maxNanos),
          row.anomalies,
        ]),
      };
    case 'agent':
      return {
        header: ['Agent', 'Calls', 'Cost', 'Tokens', 'Fees', 'Share'],
        rows: report.rows.map((row) => [
          row.agent,
          row.calls,
          formatUsd(row.costNanos),
          formatUsd(row.costNanos - row.feeNanos),
          formatUsd(row.feeNanos),
          percent(row.share),
        ]),
      };
    case 'model':
      return {
        header: ['Provider', 'Model', 'Calls', 'Input tokens', 'Output tokens', 'Cost', 'Share'],
        rows: report.rows.map((row) => [
          row.provider,
          row.model,
          row.calls,
          row.inputTokens,
          row.outputTokens,
          formatUsd(row.costNanos),
          percent(row.share),
        ]),
      };
    case 'tag':
      return {
        header: [`Tag ${report.key}`, 'Runs', 'Calls', 'Cost', 'Share', 'Avg/run', 'P50', 'P95', 'P99', 'Max'],
        rows: report.rows.map((row) => [
          row.value,
          row.runs,
          row.calls,
          formatUsd(row.costNanos),
          percent(row.share),
          formatUsd(row.avgRunNanos),
          formatUsd(row.p50Nanos),
          formatUsd(row.p95Nanos),
          formatUsd(row.p99Nanos),
          formatUsd(row.maxNanos),
        ]),
      };
    case 'run':
      return {
        header: ['Run', 'Workflow', 'Started', 'Calls', 'Cost', 'Anomalies'],
        rows: report.rows.map((row) => [
          row.runId,
          row.workflow,
          new Date(row.startedAt).toISOString(),
          row.calls,
          formatUsd(row.costNanos),
          row.anomalies,
        ]),
      };
  }
}

/** A spreadsheet would run a cell starting with =, +, -, @, tab or CR as a formula: prefix it with '. */
export function neutraliseFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function csvCell(cell: Cell): string {
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
      `${run.runId}  ${run.workflow}  ${formatUsd(run.costNanos)}  ${run.calls} calls${run.anomalies ? `  ⚠ ${run.anomalies} anomalies` : ''}`,
    );
    for (const agent of run.agents) {
      lines.push(`  ${agent.agent}  ${formatUsd(agent.costNanos)}  ${agent.calls} calls`);
      for (const call of agent.callList) {
        const model = call.model === call.modelUsed ? call.model : `${call.model} → ${call.modelUsed}`;
        lines.push(
          `    ${new Date(call.ts).toISOString()}  ${model}  in ${call.inputTokens} / out ${call.outputTokens}  ${formatUsd(call.costNanos, 6)}  ${call.outcome}${call.attempt > 1 ? ` (attempt ${call.attempt})` : ''}${call.costSource === 'estimated' ? ' (estimated)' : ''}`,
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
