import type { CliIo } from './cli-io.js';

/**
 * An empty result is not an error (exit code 0, the usual output on stdout for scripts), but a person
 * should know the filter matched nothing rather than wonder: one line on stderr naming the filters.
 */
export function noteEmpty(io: CliIo, command: string, what: string, filters: Record<string, unknown>): void {
  const given = Object.entries(filters)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([option, value]) => (value === true ? `--${option}` : `--${option} ${String(value)}`));
  io.stderr(
    `tokenfence ${command}: no ${what} match${given.length > 0 ? ` ${given.join(' ')}` : ' (the ledger is empty)'}\n`,
  );
}
