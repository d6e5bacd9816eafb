import type {
  SharedBudgetStore,
  SharedReserveOutcome,
  SharedReserveRequest,
  SharedScope,
  SharedScopeStatus,
  SharedSettlement,
} from '../../budget/shared-budget-store.js';
import { SharedBudgetConflictError } from '../../errors/shared-budget-conflict-error.js';
import { StoreUnavailableError } from '../../errors/store-unavailable-error.js';
import { EXTEND, KILL, RESERVE, SETTLE } from './budget-scripts.js';
import { type RedisConnection, redisScript } from './redis-connection.js';

const SCRIPTS = {
  reserve: redisScript(RESERVE),
  settle: redisScript(SETTLE),
  extend: redisScript(EXTEND),
  kill: redisScript(KILL),
};

export interface RedisBudgetOptions {
  /** Key prefix. @default 'tf' */
  prefix: string;
  /** How long a hold lives without a heartbeat, on Redis's clock. */
  holdTtlMs: number;
  /** How long an ended reservation is remembered (what makes a repeated settle idempotent). */
  retentionMs: number;
  /** Told of a settlement the store refused as conflicting (it is dropped: it can never apply). */
  onConflict: (error: SharedBudgetConflictError) => void;
}

/** Beats often enough to keep holds alive, and to clear a crashed process's holds within TTL + 1 s. */
function heartbeatMs(holdTtlMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(holdTtlMs / 3)));
}

/** The result of one settlement the store acknowledged. */
export interface SettleResult {
  /** The hold had expired (or was never made, in degraded mode): charged after the fact. */
  late: boolean;
  /** The same settlement had already been applied: nothing changed. */
  repeated: boolean;
}

/**
 * Shared budgets on Redis: reserve, settle, release and extend are each one Lua script over every scope of
 * a call. Settlements go through an outbox: kept until Redis acknowledges them, retried across outages
 * and reconnects, applied exactly once (the reservation id is the idempotency key).
 */
export class RedisBudgetStore implements SharedBudgetStore {
  readonly name: string;
  readonly #connection: RedisConnection;
  readonly #options: RedisBudgetOptions;
  readonly #outbox = new Map<string, { settlement: SharedSettlement; acknowledged: () => void }>();
  readonly #sending = new Set<string>();
  readonly #drainWaiters = new Set<() => void>();
  readonly #tracked = new Map<string, Set<string>>();
  readonly #killListeners = new Set<(tree: string, killKey: string, reason: string) => void>();
  #subscriber: ReturnType<RedisConnection['client']['duplicate']> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(connection: RedisConnection, options: RedisBudgetOptions) {
    this.#connection = connection;
    this.#options = options;
    this.name = connection.name;
    connection.onReady(() => this.#pump());
  }

  #prefix(tree: string): string {
    // Hash tags end at the first '}': the tree's name is encoded so it cannot contain one.
    return `${this.#options.prefix}:{${encodeURIComponent(tree)}}:`;
  }

  get killChannel(): string {
    return `${this.#options.prefix}:kills`;
  }

  #scopeKeys(prefix: string, scopes: readonly SharedScope[]): string[] {
    return scopes.map((scope) => `${prefix}s:${scope.key}`);
  }

  async reserve(request: SharedReserveRequest): Promise<SharedReserveOutcome> {
    const prefix = this.#prefix(request.tree);
    const keys = [
      `${prefix}holds`,
      `${prefix}kills`,
      `${prefix}r:${request.reservationId}`,
      ...this.#scopeKeys(prefix, request.scopes),
    ];
    const args: (string | number)[] = [
      request.amountNanos,
      this.#options.holdTtlMs,
      request.force ? '1' : '0',
      request.update ? '1' : '0',
      this.#options.retentionMs,
      prefix,
    ];
    for (const scope of request.scopes) args.push(scope.killKey, scope.limitNanos === null ? '-' : scope.limitNanos);
    args.push(request.reservationId);
    const reply = (await this.#connection.evaluate(SCRIPTS.reserve, keys, args)) as unknown[];
    const status = String(reply[0]);
    const scopeAt = (index: unknown) => request.scopes[Number(index) - 1] as SharedScope;
    if (status === 'held') {
      const totals = request.scopes.map((_, index) => ({
        spentNanos: Number(reply[1 + 2 * index]),
        heldNanos: Number(reply[2 + 2 * index]),
      }));
      return { status, totals };
    }
    if (status === 'denied') {
      return {
        status,
        index: Number(reply[1]) - 1,
        spentNanos: Number(reply[2]),
        heldNanos: Number(reply[3]),
        limitNanos: Number(reply[4]),
      };
    }
    if (status === 'killed') return { status, index: Number(reply[1]) - 1, reason: String(reply[2]) };
    if (status === 'conflict') {
      const stored = String(reply[2]);
      throw new SharedBudgetConflictError(
        'limit',
        scopeAt(reply[1]).key,
        `the store has it with ${stored === '-' ? 'no limit' : `a limit of ${stored} n$`}, this process asks for ` +
          `${scopeAt(reply[1]).limitNanos ?? 'none'}; give the same budget everywhere, or \`update: true\` to replace it`,
      );
    }
    // The id was used before and is over (or holds another amount): an id must never be reused.
    throw new SharedBudgetConflictError('reservation', request.reservationId, `reserve found it ${String(reply[1])}`);
  }

  settle(settlement: SharedSettlement): Promise<void> {
    this.untrack(settlement.tree, settlement.reservationId);
    const applied = new Promise<void>((acknowledged) => {
      this.#outbox.set(settlement.reservationId, { settlement, acknowledged });
    });
    this.#send(settlement).catch(() => this.#scheduleRetry());
    return applied;
  }

  /** Applies one settlement now and reports how it landed (the outbox uses it; tests call it directly). */
  async settleNow(settlement: SharedSettlement): Promise<SettleResult> {
    const prefix = this.#prefix(settlement.tree);
    const keys = [
      `${prefix}holds`,
      `${prefix}r:${settlement.reservationId}`,
      ...this.#scopeKeys(prefix, settlement.scopes),
    ];
    const cost = settlement.costNanos === null ? '-' : settlement.costNanos;
    const reply = (await this.#connection.evaluate(SCRIPTS.settle, keys, [
      settlement.reservationId,
      cost,
      this.#options.retentionMs,
    ])) as unknown[];
    if (reply[0] === 'conflict') {
      const [, state, charged] = reply.map(String);
      throw new SharedBudgetConflictError(
        'reservation',
        settlement.reservationId,
        `already ${state}${charged === '-' ? '' : ` at ${charged} n$`}, now asked to ${cost === '-' ? 'release it' : `settle it at ${cost} n$`}`,
      );
    }
    return { late: Number(reply[1]) === 1, repeated: reply[0] === 'repeat' };
  }

  async #send(settlement: SharedSettlement): Promise<void> {
    const id = settlement.reservationId;
    if (this.#sending.has(id)) return;
    this.#sending.add(id);
    try {
      await this.settleNow(settlement);
      this.#acknowledge(id);
    } catch (error) {
      if (!SharedBudgetConflictError.isInstance(error)) throw error;
      this.#acknowledge(id);
      this.#options.onConflict(error);
    } finally {
      this.#sending.delete(id);
      if (this.#outbox.size === 0) for (const resolve of this.#drainWaiters) resolve();
    }
  }

  #acknowledge(id: string): void {
    this.#outbox.get(id)?.acknowledged();
    this.#outbox.delete(id);
  }

  #pump(): void {
    for (const { settlement } of this.#outbox.values()) this.#send(settlement).catch(() => this.#scheduleRetry());
  }

  #scheduleRetry(): void {
    if (this.#retryTimer || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#pump();
    }, 250);
    this.#retryTimer.unref();
  }

  /** Settlements not yet acknowledged by Redis. */
  get pendingSettlements(): number {
    return this.#outbox.size;
  }

  drain(): Promise<void> {
    if (this.#outbox.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#drainWaiters.delete(done);
        resolve();
      };
      this.#drainWaiters.add(done);
      this.#pump();
    });
  }

  track(tree: string, reservationId: string): void {
    let ids = this.#tracked.get(tree);
    if (!ids) {
      ids = new Set();
      this.#tracked.set(tree, ids);
    }
    ids.add(reservationId);
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => this.#extend(), heartbeatMs(this.#options.holdTtlMs));
    this.#heartbeat.unref();
  }

  untrack(tree: string, reservationId: string): void {
    // The tree stays known: the heartbeat also sweeps it, so holds of a crashed process are cleared
    // within TTL + one beat even when no reservation comes to sweep them.
    this.#tracked.get(tree)?.delete(reservationId);
  }

  /** Heartbeat: pushes back the expiry of this process's holds still in flight, and sweeps expired ones. */
  #extend(): void {
    for (const [tree, ids] of this.#tracked) {
      const prefix = this.#prefix(tree);
      this.#connection
        .evaluate(
          SCRIPTS.extend,
          [`${prefix}holds`],
          [this.#options.holdTtlMs, prefix, this.#options.retentionMs, ...ids],
        )
        .catch(() => {
          // A missed beat is survivable: the hold lives until its TTL, and the next beat tries again.
        });
    }
  }

  async kill(tree: string, killKey: string, reason: string): Promise<void> {
    const prefix = this.#prefix(tree);
    await this.#connection.evaluate(
      SCRIPTS.kill,
      [`${prefix}kills`],
      [killKey, reason, this.killChannel, JSON.stringify({ tree, killKey, reason })],
    );
  }

  async revive(tree: string, killKey: string): Promise<void> {
    await this.#connection.command(() => this.#connection.client.call('HDEL', `${this.#prefix(tree)}kills`, killKey));
  }

  async totals(tree: string, scope: SharedScope): Promise<SharedScopeStatus> {
    const prefix = this.#prefix(tree);
    const [fields, killed] = await this.#connection.command(() =>
      Promise.all([
        this.#connection.client.call('HMGET', `${prefix}s:${scope.key}`, 'limit', 'spent', 'held', 'calls'),
        this.#connection.client.call('HGET', `${prefix}kills`, scope.killKey),
      ]),
    );
    const [limit, spent, held, calls] = fields as (string | null)[];
    return {
      limitNanos: limit === null || limit === undefined || limit === '-' ? null : Number(limit),
      spentNanos: Number(spent),
      heldNanos: Number(held),
      calls: Number(calls),
      killed: (killed as string | null) ?? null,
    };
  }

  onKill(listener: (tree: string, killKey: string, reason: string) => void): () => void {
    this.#killListeners.add(listener);
    if (!this.#subscriber) this.#subscribe();
    return () => this.#killListeners.delete(listener);
  }

  #subscribe(): void {
    const subscriber = this.#connection.client.duplicate();
    this.#subscriber = subscriber;
    subscriber.on('error', () => {});
    subscriber.on('message', (_channel: unknown, message: unknown) => {
      let order: { tree?: unknown; killKey?: unknown; reason?: unknown };
      try {
        order = JSON.parse(String(message));
      } catch {
        return;
      }
      if (typeof order.tree !== 'string' || typeof order.killKey !== 'string') return;
      for (const listener of this.#killListeners) listener(order.tree, order.killKey, String(order.reason ?? ''));
    });
    // Subscribing is refused until connected (no offline queue), and is needed again after a reconnect.
    subscriber.on('ready', () => void subscriber.subscribe(this.killChannel).catch(() => {}));
    if (subscriber.status === 'ready') void subscriber.subscribe(this.killChannel).catch(() => {});
  }

  /** Waits (up to `timeoutMs`) for unacknowledged settlements, then stops timers and the subscriber. */
  async close(timeoutMs: number): Promise<void> {
    await Promise.race([this.drain(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#subscriber?.disconnect();
    if (this.#outbox.size > 0) {
      throw new StoreUnavailableError(this.name, `${this.#outbox.size} settlements not acknowledged at close`);
    }
  }
}
