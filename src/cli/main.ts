import { TokenFenceError } from '../errors/token-fence-error.js';
import { type CliIo, UsageError, withoutCredentials } from './cli-io.js';
import { DASHBOARD_HELP, dashboardCommand } from './commands/dashboard.js';
import { DEMO_HELP, demoCommand } from './commands/demo.js';
import { EXPORT_HELP, exportCommand } from './commands/export.js';
import { FORECAST_HELP, forecastCommand } from './commands/forecast.js';
import { KILL_HELP, killCommand } from './commands/kill.js';
import { PRICES_HELP, pricesCommand } from './commands/prices.js';
import { REPORT_HELP, reportCommand } from './commands/report.js';
import { REVIVE_HELP, reviveCommand } from './commands/revive.js';
import { RUNS_HELP, runsCommand } from './commands/runs.js';
import { TAIL_HELP, tailCommand } from './commands/tail.js';

const HELP = `Usage: tokenfence <command> [options]

Commands:
  report    spend by workflow, agent, model or run
  runs      the most expensive runs with their call trees
  tail      settled calls and events as they land
  export    raw call records as ndjson or CSV, streamed
  forecast  projected spend at the window's end, and when a budget runs out
  prices    the prices TokenFence uses for a model
  demo      the multi-agent demo against the bundled mock provider
  dashboard the cost dashboard in your browser
  kill      stop a scope, tag value, run or workflow in every process (lasts)
  revive    lift a kill of a scope or tag value

Run tokenfence <command> --help for its options. The store comes from --store or TOKENFENCE_STORE.
A sqlite: store opens with node:sqlite where Node has it (22.13+), else better-sqlite3;
TOKENFENCE_SQLITE_DRIVER=node:sqlite or better-sqlite3 picks one.
`;

const COMMANDS: Record<string, { run: (args: string[], io: CliIo) => number | Promise<number>; help: string }> = {
  report: { run: reportCommand, help: REPORT_HELP },
  runs: { run: runsCommand, help: RUNS_HELP },
  tail: { run: tailCommand, help: TAIL_HELP },
  export: { run: exportCommand, help: EXPORT_HELP },
  forecast: { run: forecastCommand, help: FORECAST_HELP },
  prices: { run: pricesCommand, help: PRICES_HELP },
  demo: { run: demoCommand, help: DEMO_HELP },
  dashboard: { run: dashboardCommand, help: DASHBOARD_HELP },
  kill: { run: killCommand, help: KILL_HELP },
  revive: { run: reviveCommand, help: REVIVE_HELP },
};

/** node:util parseArgs's errors for a wrong invocation. */
const PARSE_ARGS_ERRORS = new Set<unknown>([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], given: CliIo): Promise<number> {
  // Messages echo what the user typed (a mistyped --store among it): no URL's credentials get through.
  const io: CliIo = { ...given, stderr: (text) => given.stderr(withoutCredentials(text)) };
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`tokenfence: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || PARSE_ARGS_ERRORS.has((error as { code?: unknown }).code)) {
      io.stderr(`tokenfence ${name}: ${(error as Error).message}\n\n${command.help}`);
      return 2;
    }
    if (TokenFenceError.isInstance(error)) {
      io.stderr(`tokenfence ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
