import { createHash } from 'node:crypto';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';

/**
 * The part of an ioredis client TokenFence uses. A user's own client works as it is; for fail-closed
 * behaviour it should be created with `enableOfflineQueue: false` (TokenFence's own clients are).
 */
export interface RedisClientLike {
  readonly status: string;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  duplicate(): RedisClientLike;
  subscribe(...channels: string[]): Promise<unknown>;
  disconnect(): void;
}

/** A Lua script, sent by SHA once Redis has it (and again in full after Redis lost its script cache). */
export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

/** How long a new connection may take: the TCP connect, TLS and ioredis's ready check. */
export function redisConnectTimeoutMs(timeoutMs: number): number {
  return Math.max(timeoutMs, 2_000);
}

export function redisScript(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Replies after which the same command may simply be sent again (Redis is starting or failing over). */
const TRANSIENT_REPLY = /^(LOADING|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends commands with a deadline: a command that gets no answer (connection lost, Redis down, reply
 * dropped) is sent again until the deadline — every TokenFence operation is idempotent — then fails
 * with StoreUnavailableError. After one such failure the store counts as down and later commands fail at
 * once, until the client is connected again: with Redis gone, calls are refused fast, not after a wait.
 */
export class RedisConnection {
  readonly client: RedisClientLike;
  /** For messages: the URL without credentials. */
  readonly name: string;
  readonly timeoutMs: number;
  #down = false;
  readonly #readyListeners = new Set<() => void>();

  /** The client itself times commands out (`commandTimeout`): no timer per command here. */
  readonly #clientTimesOut: boolean;

  /**
   * Until the client has connected once, commands wait for the first connection up to this time (epoch
   * ms): a worker that starts on a busy machine is not facing an outage, and its first calls should not
   * fail after `timeoutMs` while the TCP and ready handshakes are still under way.
   */
  #firstConnectionBy: number | undefined;

  constructor(client: RedisClientLike, name: string, timeoutMs: number, clientTimesOut = false) {
    this.client = client;
    this.name = name;
    this.timeoutMs = timeoutMs;
    this.#clientTimesOut = clientTimesOut;
    if (client.status !== 'ready') this.#firstConnectionBy = Date.now() + redisConnectTimeoutMs(timeoutMs);
    client.on('ready', () => {
      this.#firstConnectionBy = undefined;
      this.#down = false;
      for (const listener of this.#readyListeners) listener();
    });
    // ioredis reports connection errors as events; without a listener Node would print them.
    client.on('error', () => {});
  }

  /** Called whenever the client (re)connects. */
  onReady(listener: () => void): void {
    this.#readyListeners.add(listener);
  }

  get available(): boolean {
    return !this.#down || this.client.status === 'ready';
  }

  /** Runs a script (EVALSHA, falling back to EVAL) by the deadline (epoch ms; default: timeoutMs from now). */
  evaluate(
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | number)[],
    deadline?: number,
  ): Promise<unknown> {
    return this.command(async () => {
      try {
        return await this.client.call('EVALSHA', script.sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!isReplyError(error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return this.client.call('EVAL', script.source, keys.length, ...keys, ...args);
      }
    }, deadline);
  }

  async command<T>(send: () => Promise<T>, until = Date.now() + this.timeoutMs): Promise<T> {
    if (!this.available) throw new StoreUnavailableError(this.name, 'not connected');
    const deadline = this.#firstConnectionBy === undefined ? until : Math.max(until, this.#firstConnectionBy);
    let lastProblem = 'no answer';
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        return await (this.#clientTimesOut ? send() : withDeadline(send(), left));
      } catch (error) {
        if (isReplyError(error) && !TRANSIENT_REPLY.test(error.message)) throw error;
        lastProblem = error instanceof Error ? error.message : String(error);
        await sleep(Math.min(20, Math.max(1, deadline - Date.now())));
      }
    }
    this.#down = this.client.status !== 'ready';
    throw new StoreUnavailableError(this.name, `no answer within ${this.timeoutMs} ms (${lastProblem})`);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
