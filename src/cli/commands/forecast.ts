import { parseArgs } from 'node:util';
import { forecastFromLedger } from '../../budget-forecasts.js';
import { formatUsd } from '../../reports/format-report.js';
import { type CliIo, UsageError } from '../cli-io.js';
import { noteEmpty } from '../note-empty.js';
import { openStoreForReading } from '../open-store.js';
import { oneOf } from './report.js';

export const FORECAST_HELP = `Usage: tokenfence forecast --per hour|day|month [options]

Projected spend of budget scopes at the end of the current window, and when each budget runs out, from the
ledger: the window's spend rate so far, blended with the previous window's early in the window. In a
process, fence.forecast() also covers runs, tag budgets and shared (Redis) spend.

Options:
  --store <store>      sqlite:<path> or redis://host:port (default: $TOKENFENCE_STORE)
  --scope <path>       a scope as the ledger names it (its label path, e.g. default or api/researcher);
                       repeatable (default: default)
  --per <period>       hour | day | month: the window
  --budget <usd>       the budget per window (without it: projections only, nothing runs out)
  --format <format>    table | json (default: table). json: [{ scope, tag, spentUsd, projectedUsd, budgetUsd,
                       windowEndsAt, exhaustsAt }] (ISO dates, null when none)
  --help               this text
`;

export async function forecastCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: 'string' },
      scope: { type: 'string', multiple: true },
      per: { type: 'string' },
      budget: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(FORECAST_HELP);
    return 0;
  }
  if (values.per === undefined) throw new UsageError('--per is needed: hour, day or month');
  const period = oneOf(values.per, ['hour', 'day', 'month'] as const, 'per', 'day');
  const format = oneOf(values.format, ['table', 'json'] as const, 'format', 'table');
  const budgetUsd = values.budget === undefined ? null : Number(values.budget);
  if (budgetUsd !== null && !(Number.isFinite(budgetUsd) && budgetUsd >= 0))
    throw new UsageError(`--budget takes USD ≥ 0, got "${values.budget}"`);
  const store = await openStoreForReading(values.store, io);
  try {
    const budgetNanos = budgetUsd === null ? null : Math.round(budgetUsd * 1e9);
    const rows = forecastFromLedger(store, {
      scopes: values.scope ?? ['default'],
      period,
      budgetNanos,
      now: Date.now(),
    });
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify(
          rows.map(({ spentNanos: _, projectedNanos: __, ...row }) => row),
          null,
          2,
        )}\n`,
      );
    } else {
      const table = [
        ['Scope', 'Spent', 'Projected', 'Budget', 'Window ends', 'Runs out'],
        ...rows.map((row) => [
          row.scope,
          formatUsd(row.spentNanos),
          formatUsd(row.projectedNanos),
          row.budgetUsd === null ? '-' : `$${row.budgetUsd.toFixed(4)}`,
          row.windowEndsAt.toISOString(),
          row.exhaustsAt?.toISOString() ?? '-',
        ]),
      ];
      const widths = table[0]?.map((_, column) => Math.max(...table.map((line) => (line[column] ?? '').length))) ?? [];
      io.stdout(
        `${table
          .map((line) =>
            line
              .map((cell, column) => cell.padEnd(widths[column] ?? 0))
              .join('  ')
              .trimEnd(),
          )
          .join('\n')}\n`,
      );
    }
    if (rows.every((row) => row.spentNanos === 0 && row.projectedNanos === 0))
      noteEmpty(io, 'forecast', 'calls', { scope: (values.scope ?? ['default']).join(','), per: values.per });
  } finally {
    store.close();
  }
  return 0;
}
