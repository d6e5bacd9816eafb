import { createRequire } from 'node:module';
import { InvalidOptionsError } from '../../errors/invalid-options-error.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import { RedisBudgetStore } from './redis-budget-store.js';
import { type RedisClientLike, RedisConnection, redisConnectTimeoutMs } from './redis-connection.js';
import { RedisLedgerStore } from './redis-ledger-store.js';
import { checkRedisUrl } from './redis-url.js';

export interface RedisStoreOptions {
  /** Prefix of every key. @default 'tf' */
  prefix?: string;
  /** How long an operation may wait for Redis before the call is refused (fail closed), ms. @default 500 */
  timeoutMs?: number;
  /** How long a hold lives without a heartbeat (a crashed process's holds stop counting after it), ms. @default 30000 */
  holdTtlMs?: number;
  /** How long ended reservations and written record ids are remembered for idempotency, ms. @default 7 days */
  retentionMs?: number;
  /** Records of the ledger kept in this process's memory for reading. @default 100000 */
  maxRecords?: number;
}

const DAY_MS = 86_400_000;

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionsError(`store.${name}`, `expected a whole number ≥ 1, got ${String(value)}`);
  }
  return value;
}

/**
 * Budgets and the ledger shared by every process that opens the same Redis: `new TokenFence({ store:
 * redisStore('redis://…') })`, or `redisStore(client)` with your own ioredis client. The ledger is
 * this object (a LedgerStore); shared budgets are `budgets`.
 */
export class RedisStore extends RedisLedgerStore {
  readonly budgets: RedisBudgetStore;
  readonly #connection: RedisConnection;
  readonly #ownsClient: boolean;

  constructor(connection: RedisConnection, ownsClient: boolean, options: RedisStoreOptions) {
    const prefix = options.prefix ?? 'tf';
    if (!/^[\w.:-]{1,64}$/.test(prefix)) {
      throw new InvalidOptionsError('store.prefix', 'expected 1–64 letters, digits, ".", ":", "_" or "-"');
    }
    const retentionMs = positive('retentionMs', options.retentionMs, 7 * DAY_MS);
    super(connection, { prefix, retentionMs, maxRecords: positive('maxRecords', options.maxRecords, 100_000) });
    this.#connection = connection;
    this.#ownsClient = ownsClient;
    this.budgets = new RedisBudgetStore(connection, {
      prefix,
      retentionMs,
      holdTtlMs: positive('holdTtlMs', options.holdTtlMs, 30_000),
      onConflict: () => {},
    });
  }

  get name(): string {
    return this.#connection.name;
  }

  /**
   * Waits (up to `timeoutMs`) until every settlement and record is acknowledged by Redis, then closes
   * the connection if TokenFence opened it. Rejects with StoreUnavailableError only when spend or a kill
   * would be lost: charges, records of charged calls and runs, kill orders. Releases of holds (they expire
   * after the hold TTL), events and records of refused calls left unacknowledged are dropped with a process
   * warning (TOKENFENCE_W007): a process whose calls were all refused while Redis was down closes cleanly.
   */
  async shutdown(timeoutMs = 5_000): Promise<void> {
    const [settled, persisted] = await Promise.allSettled([
      this.budgets.close(timeoutMs),
      this.persisted(timeoutMs, true),
    ]);
    // Events and refusals sent with the rest usually land with them: a moment more while Redis answers.
    if (this.pendingRecords > 0 && this.#connection.available) await this.persisted(Math.min(timeoutMs, 100));
    const needed = this.pendingNeededRecords;
    const dropped = this.pendingRecords - needed;
    this.close();
    if (settled.status === 'rejected') throw settled.reason;
    if (persisted.status === 'fulfilled' && !persisted.value) {
      throw new StoreUnavailableError(
        this.name,
        `${needed} ledger records of spend or kills not acknowledged at close`,
      );
    }
    if (dropped > 0) {
      process.emitWarning(
        `TokenFence closed ${this.name} with ${dropped} events or records of refused calls not written (Redis did not answer)`,
        { code: 'TOKENFENCE_W007' },
      );
    }
  }

  /** Stops at once, without waiting for Redis (`shutdown()` waits); closes the connection TokenFence opened. */
  override close(): void {
    super.close();
    void this.budgets.close(0).catch(() => {});
    if (this.#ownsClient) this.#connection.client.disconnect();
  }
}

/** The `Redis` class of `ioredis` (5 or 6: the same constructor and options). */
export type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClientLike;

function loadIoredis(): RedisConstructor {
  try {
    const loaded = createRequire(import.meta.url)('ioredis') as { default?: RedisConstructor } & RedisConstructor;
    return loaded.default ?? loaded;
  } catch (error) {
    throw new StoreUnavailableError('redis', 'it needs the ioredis package: npm install ioredis', { cause: error });
  }
}

/** Opens a Redis store on a `redis://` (or `rediss://`) URL, or on an ioredis client you created. */
export function redisStore(target: string | RedisClientLike, options: RedisStoreOptions = {}): RedisStore {
  return typeof target === 'string'
    ? redisStoreOnUrl(target, options, loadIoredis)
    : redisStoreOnClient(target, options);
}

/**
 * The URL path of `redisStore`, with the ioredis class given (tests pass each ioredis major; `redisStore`
 * loads the user's).
 */
export function redisStoreOnUrl(target: string, options: RedisStoreOptions, load: () => RedisConstructor): RedisStore {
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 500);
  const shownUrl = checkRedisUrl(target);
  const Redis = load();
  let client: RedisClientLike;
  try {
    client = new Redis(target, {
      // Fail closed: a command while disconnected fails at once instead of waiting in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: redisConnectTimeoutMs(timeoutMs),
      commandTimeout: timeoutMs,
      retryStrategy: (times: number) => Math.min(25 * times, 500),
    });
  } catch {
    // ioredis's own error quotes the URL, credentials and all.
    throw new InvalidOptionsError('store', `ioredis refused the Redis URL ${shownUrl}`);
  }
  return new RedisStore(new RedisConnection(client, shownUrl, timeoutMs, true), true, options);
}

function redisStoreOnClient(target: RedisClientLike, options: RedisStoreOptions): RedisStore {
  const timeoutMs = positive('timeoutMs', options.timeoutMs, 500);
  if (typeof target !== 'object' || target === null || typeof target.call !== 'function') {
    throw new InvalidOptionsError('store', 'expected a redis:// URL or an ioredis client');
  }
  return new RedisStore(new RedisConnection(target, 'redis (your client)', timeoutMs), false, options);
}
