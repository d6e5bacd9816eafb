// A TCP proxy in front of redis that loses replies: the command reaches the server and runs, but the client's
// connection dies before it sees the answer — the "did my write happen?" case a store must survive.
import { createConnection, createServer, type Socket } from 'node:net';
import { seededRandom } from './seeded-random.js';

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  readonly stats: { connections: number; droppedReplies: number; forwardedChunks: number };
  /** Probability (0–1) that a server→client chunk is dropped; dropping destroys that client connection (and its upstream) without delivering the chunk — the command ran on the server but the client never sees the reply. */
  setDropRate(rate: number): void;
  close(): Promise<void>;
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`dropRate must be between 0 and 1, got ${rate}`);
  return rate;
}

export async function startFaultProxy(
  target: { host: string; port: number },
  options: { dropRate: number; seed?: number },
): Promise<FaultProxy> {
  let dropRate = checkRate(options.dropRate);
  const random = seededRandom(options.seed ?? 1);
  const stats = { connections: 0, droppedReplies: 0, forwardedChunks: 0 };
  const sockets = new Set<Socket>();
  const remember = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = createServer((client) => {
    stats.connections += 1;
    const upstream = createConnection({ host: target.host, port: target.port });
    remember(client);
    remember(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // Either side failing ends the pair; the errors themselves are expected (resets, drops) and not reported.
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', teardown);
    upstream.on('close', teardown);

    // Writes before upstream connects are buffered by net.Socket, so client→server needs no gating.
    client.on('data', (chunk: Buffer) => {
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => upstream.end());

    upstream.on('data', (chunk: Buffer) => {
      // Roll only when dropping is possible, so a rate of 0 leaves the seeded sequence where it was.
      if (dropRate > 0 && random() < dropRate) {
        stats.droppedReplies += 1;
        teardown();
        return;
      }
      stats.forwardedChunks += 1;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => client.end());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no TCP address');
  const port = address.port;

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stats,
    setDropRate(rate) {
      dropRate = checkRate(rate);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
