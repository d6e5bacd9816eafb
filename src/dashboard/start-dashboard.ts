import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import type { TokenFence } from '../token-fence.js';
import { TOKEN_FENCE_MARKER } from '../types.js';
import { createDashboardRoutes } from './dashboard-routes.js';

export interface DashboardOptions {
  /** The ledger to show. @default fence.store */
  store?: LedgerStore;
  /** The live fence: adds budgets and kill buttons (they call the same kill switch as `run.kill()`). */
  fence?: TokenFence;
  /** TCP port. @default a free port */
  port?: number;
  /** The access token. @default 32 random bytes, base64url */
  token?: string;
  /** How often the live view looks for new records, ms. @default 1000 */
  pollMs?: number;
  /**
   * Live-view streams open at once (each one polls the ledger); one more is refused with 503 until one
   * closes. @default 16
   */
  maxLiveStreams?: number;
  /** Longest a client may take to send a request's headers, ms (then 408 and the socket closes). @default 10000 */
  headersTimeoutMs?: number;
  /** Longest a client may take to send a whole request, headers and body, ms. @default 15000 */
  requestTimeoutMs?: number;
}

function positiveIntegerOption(name: keyof DashboardOptions, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidOptionsError(name, `expected a positive whole number, got ${String(value).slice(0, 40)}`);
  return value;
}

export interface Dashboard {
  /** The URL to open, with the access token in it. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The only body the dashboard takes is a small JSON kill order. */
const MAX_BODY_BYTES = 16_384;

/** The request as a fetch `Request`, or null when its body is over MAX_BODY_BYTES (the rest is not read). */
async function toRequest(message: IncomingMessage, port: number): Promise<Request | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (message.method === 'POST') {
    for await (const chunk of message) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://127.0.0.1:${port}${message.url ?? '/'}`, {
    method: message.method ?? 'GET',
    headers,
    ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
  });
}

async function send(response: Response, reply: ServerResponse): Promise<void> {
  reply.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    reply.end();
    return;
  }
  Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(reply);
}

/**
 * Serves the cost dashboard on 127.0.0.1 only. The page and its API need the printed token; requests
 * with a foreign Host header are refused (DNS rebinding); no asset comes from a CDN.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('options', 'startDashboard needs { store } or { fence }');
  if (
    options.fence !== undefined &&
    (options.fence as unknown as Record<symbol, unknown>)?.[TOKEN_FENCE_MARKER] !== true
  )
    throw new InvalidOptionsError('fence', 'expected a TokenFence');
  const store = options.store ?? options.fence?.store;
  if (!store) throw new InvalidOptionsError('store', 'startDashboard needs a store or a fence');
  if (typeof store !== 'object' || typeof store.queryCalls !== 'function')
    throw new InvalidOptionsError('store', 'expected a ledger store object (open a store string with the CLI)');
  const port = options.port ?? 0;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535)
    throw new InvalidOptionsError('port', 'expected a whole number from 0 to 65535');
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (typeof token !== 'string' || token.length < 16 || token.length > 1_024 || !/^[\x21-\x7e]+$/.test(token))
    throw new InvalidOptionsError('token', 'expected 16 to 1024 printable ASCII characters without spaces');
  const pollMs = positiveIntegerOption('pollMs', options.pollMs, 1_000);
  const maxLiveStreams = positiveIntegerOption('maxLiveStreams', options.maxLiveStreams, 16);
  const requestTimeoutMs = positiveIntegerOption('requestTimeoutMs', options.requestTimeoutMs, 15_000);
  // Node refuses a header timeout above the request timeout.
  const headersTimeoutMs = Math.min(
    positiveIntegerOption('headersTimeoutMs', options.headersTimeoutMs, 10_000),
    requestTimeoutMs,
  );
  let boundPort = 0;
  const routes = createDashboardRoutes({
    store,
    fence: options.fence,
    token,
    hosts: () => [`127.0.0.1:${boundPort}`, `localhost:${boundPort}`, `[::1]:${boundPort}`],
    pollMs,
    maxLiveStreams,
  });
  // Half-sent requests are cut off early; a live stream is a response, so the timeouts never end one.
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node checks the timeouts on this interval (30 s by default), which would stretch them.
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(headersTimeoutMs / 4))),
    },
    (message, reply) => {
      // The live stream stops when the browser goes away: this signal is tied to the socket, not to a
      // Request object that may be collected while the stream still runs.
      const closed = new AbortController();
      reply.on('close', () => closed.abort());
      toRequest(message, boundPort)
        .then(async (request) => {
          if (request) return send(await routes(request, closed.signal), reply);
          reply.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
          reply.end('{"error":"request body too large"}');
        })
        .catch(() => {
          if (!reply.headersSent) reply.writeHead(500, { 'content-type': 'application/json' });
          reply.end('{"error":"internal error"}');
        });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InvalidOptionsError(
          'port',
          `cannot listen on 127.0.0.1:${options.port ?? 0} (${error.code ?? error.message})`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  boundPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${boundPort}/?token=${encodeURIComponent(token)}`,
    port: boundPort,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
