import { parseArgs } from 'node:util';
import { startDashboard } from '../../dashboard/start-dashboard.js';
import { type CliIo, UsageError } from '../cli-io.js';
import { openStoreForReading } from '../open-store.js';

export const DASHBOARD_HELP = `Usage: tokenfence dashboard [options]

Serves the cost dashboard for a ledger on 127.0.0.1 and prints the URL to open (with its access token).
Runs until interrupted. Kill buttons leave an order in the ledger; the process running that run obeys
it within half a second.

Options:
  --store <store>      sqlite:<path> or redis://host:port (default: $TOKENFENCE_STORE)
  --port <port>        TCP port (default: a free one)
  --max-live-streams <n>  live views open at once; one more gets 503 (default: 16)
  --help               this text
`;

export async function dashboardCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: 'string' },
      port: { type: 'string' },
      'max-live-streams': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(DASHBOARD_HELP);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65_536))
    throw new UsageError('--port takes 0–65535');
  const maxLiveStreams = values['max-live-streams'] === undefined ? undefined : Number(values['max-live-streams']);
  if (maxLiveStreams !== undefined && !(Number.isSafeInteger(maxLiveStreams) && maxLiveStreams >= 1))
    throw new UsageError('--max-live-streams takes a whole number of at least 1');
  if ((values.store ?? io.env.TOKENFENCE_STORE) === 'memory')
    throw new UsageError('a memory ledger lives in one process: point the dashboard at a sqlite:<path> ledger');
  const store = await openStoreForReading(values.store, io);
  // A Redis ledger is read into this process: what the writers append is pulled in every second.
  const refresh = store.refresh && setInterval(() => void store.refresh?.().catch(() => {}), 1_000);
  try {
    const dashboard = await startDashboard({
      store,
      ...(port !== undefined && { port }),
      ...(maxLiveStreams !== undefined && { maxLiveStreams }),
    });
    io.stdout(
      `TokenFence dashboard: ${dashboard.url}\n(only this machine can reach it; the token in the URL is required)\n`,
    );
    await new Promise<void>((resolve) => {
      if (io.signal?.aborted) resolve();
      io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
    await dashboard.close();
    return 0;
  } finally {
    if (refresh) clearInterval(refresh);
    store.close();
  }
}
