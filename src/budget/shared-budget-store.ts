/**
 * A budget store shared by many processes (Redis). The in-process BudgetNode tree stays the fast
 * pre-check; the shared store is authoritative for every scope that has a shared id. Each operation is
 * one atomic step on the store across every scope of a call, keyed by a client-generated reservation id,
 * so retrying an operation whose reply was lost never counts twice.
 */
export interface SharedScope {
  /** Stable id of the scope in the store (its label path, or the explicit `id`), window start included. */
  readonly key: string;
  /** The id kill flags are kept under: the same in every window. */
  readonly killKey: string;
  /** The scope's limit, nano-USD; null: it counts but does not cap. */
  readonly limitNanos: number | null;
}

/** What the store knows of one scope after an operation: every process's spend and holds. */
export interface SharedScopeTotals {
  spentNanos: number;
  heldNanos: number;
}

export type SharedReserveOutcome =
  | { status: 'held'; totals: SharedScopeTotals[] }
  | { status: 'denied'; index: number; spentNanos: number; heldNanos: number; limitNanos: number }
  | { status: 'killed'; index: number; reason: string };

export interface SharedReserveRequest {
  /** Hash tag every key of this budget tree shares (one slot on Redis Cluster). */
  readonly tree: string;
  readonly reservationId: string;
  readonly scopes: readonly SharedScope[];
  readonly amountNanos: number;
  /** Skip the limit check (`onLimit: 'warn'`), never the kill. */
  readonly force: boolean;
  /** Replace a stored limit that differs from this process's (`update: true`) instead of refusing. */
  readonly update: boolean;
}

export interface SharedSettlement {
  readonly tree: string;
  readonly reservationId: string;
  readonly scopes: readonly SharedScope[];
  /** Cost to charge, nano-USD; null releases the hold without charging. */
  readonly costNanos: number | null;
}

/** One scope as the store has it, across every process. */
export interface SharedScopeStatus {
  limitNanos: number | null;
  spentNanos: number;
  heldNanos: number;
  calls: number;
  /** The kill's reason, when the scope was killed. */
  killed: string | null;
}

export interface SharedBudgetStore {
  /** For messages: `redis://127.0.0.1:6379` (never credentials). */
  readonly name: string;
  /**
   * Checks every scope (kill flags, limits) and holds `amountNanos` in all of them, or in none.
   * Rejects with StoreUnavailableError when the store cannot answer within its timeout, with
   * InvalidOptionsError when a scope exists with another limit.
   */
  reserve(request: SharedReserveRequest): Promise<SharedReserveOutcome>;
  /**
   * Ends a hold (settle or release). Never rejects: the settlement is kept until the store has
   * acknowledged it, retried across outages, applied exactly once; one that arrives after its hold expired
   * is still charged (recorded `late`). Resolves once the store has acknowledged it.
   */
  settle(settlement: SharedSettlement): Promise<void>;
  /** Keeps a hold alive while its call runs (the store extends holds it has not yet settled by heartbeat). */
  track(tree: string, reservationId: string): void;
  untrack(tree: string, reservationId: string): void;
  /** Sets a scope's kill flag for every process, now and later; in-flight calls elsewhere hear of it. */
  kill(tree: string, killKey: string, reason: string): Promise<void>;
  /** Clears a scope's kill flag for every process; processes that heard the kill hear the revive. */
  revive(tree: string, killKey: string): Promise<void>;
  /** A scope's totals across every process, and its kill flag. */
  totals(tree: string, scope: SharedScope): Promise<SharedScopeStatus>;
  /**
   * Called when any process kills a scope on this store (`reason`) or revives one (`reason` null).
   * Returns an unsubscribe function.
   */
  onKill(listener: (tree: string, killKey: string, reason: string | null) => void): () => void;
  /** Resolves when every settlement handed to the store so far has been acknowledged. */
  drain(): Promise<void>;
}
