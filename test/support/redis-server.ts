// A real redis-server per test file, on its own loopback port and temp dir, so crash/restart tests never touch a
// system redis (the Debian package may start one on 6379) and AOF replay can be observed.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** SIGKILL the server (crash), resolves when the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** Start again on the same port and dir (AOF replayed); resolves when PING answers. */
  start(): Promise<void>;
  /** stop() + remove the dir; safe to call twice. */
  dispose(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LIMIT = 16_384;
const MISSING_BINARY =
  'redis-server was not found on PATH; the Redis tests need a real server: apt-get install -y redis-server';

// A test file that forgets dispose(), or dies, must not leave servers holding ports and AOF dirs behind.
const live = new Set<ChildProcess>();
const undisposedDirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const running of live) running.kill('SIGKILL');
    for (const dir of undisposedDirs) rmSync(dir, { recursive: true, force: true });
  });
}
function track(child: ChildProcess): void {
  installExitHook();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** True when a redis-server binary is on PATH. */
export function redisServerInstalled(): boolean {
  try {
    findRedisServer();
    return true;
  } catch {
    return false;
  }
}

function findRedisServer(): string {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error(MISSING_BINARY);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}

/** One PING on a fresh connection: true only for +PONG (-LOADING during AOF replay counts as not ready). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      reply += text;
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
    socket.once('close', () => finish(false));
  });
}

// A child that never spawned (pid undefined) will never emit 'exit' either, so it counts as gone.
const hasExited = (child: ChildProcess) =>
  child.pid === undefined || child.exitCode !== null || child.signalCode !== null;

function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RedisServerOptions {
  /** Append-only file fsync policy; 'off' runs without persistence (benchmarks). @default 'always' */
  appendfsync?: 'always' | 'everysec' | 'off';
  /** Start as a Redis Cluster node (its bus port, port + 10000, must be free too). */
  cluster?: boolean;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'tokenfence-redis-'));
  installExitHook();
  undisposedDirs.add(dir);
  // The free port is only free until someone else binds it: retry the rare lost race with a new port.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let port = await freePort();
    while (options.cluster && port > 55_000) port = await freePort();
    const handle = new Server(binary, port, dir, options.appendfsync ?? 'always', options.cluster ?? false);
    try {
      await handle.start();
      return handle;
    } catch (error) {
      lastError = error;
      await handle.kill();
      if (!(error instanceof Error && /address already in use/i.test(error.message))) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  undisposedDirs.delete(dir);
  throw lastError;
}

class Server implements RedisServerHandle {
  readonly url: string;
  private child: ChildProcess | undefined;
  private output = '';
  private disposed = false;

  constructor(
    private readonly binary: string,
    readonly port: number,
    readonly dir: string,
    private readonly appendfsync: 'always' | 'everysec' | 'off',
    private readonly cluster: boolean,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error('this redis server has been disposed');
    if (this.child && !hasExited(this.child)) throw new Error(`redis-server on port ${this.port} is already running`);
    this.output = '';
    // With --logfile "" redis logs to stdout; both streams are kept so a failed start can say why.
    const child = spawn(
      this.binary,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        ...(this.appendfsync === 'off'
          ? ['--appendonly', 'no']
          : ['--appendonly', 'yes', '--appendfsync', this.appendfsync]),
        '--save',
        '',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        '',
        ...(this.cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, 'nodes.conf')] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    track(child);
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let spawnError: Error | undefined;
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error.code === 'ENOENT' ? new Error(MISSING_BINARY) : error;
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (spawnError) throw spawnError;
      if (hasExited(child)) {
        throw new Error(
          `redis-server on port ${this.port} exited (${child.exitCode ?? child.signalCode}) before answering PING:\n${this.output}`,
        );
      }
      if (await pingOnce(this.port)) return;
      await sleep(25);
    }
    child.kill('SIGKILL');
    await waitForExit(child);
    throw new Error(
      `redis-server on port ${this.port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${this.output}`,
    );
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || hasExited(child)) return;
    child.kill('SIGKILL');
    await waitForExit(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || hasExited(child)) return;
    child.kill('SIGTERM');
    // A redis stuck on shutdown (e.g. a slow fsync) must not hang the test run: fall back to a crash.
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await waitForExit(child);
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    undisposedDirs.delete(this.dir);
  }
}
