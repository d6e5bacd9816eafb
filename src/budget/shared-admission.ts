import { randomUUID } from 'node:crypto';
import { nanosToUsd } from '../core/money.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import type { KillSwitchError } from '../errors/kill-switch-error.js';
import { StoreUnavailableError } from '../errors/store-unavailable-error.js';
import type { BudgetNode } from './budget-node.js';
import type { Reservation } from './reservation.js';
import type { SharedBudgetStore, SharedScope } from './shared-budget-store.js';

/**
 * What a process may spend while the shared store is unreachable (`onStoreFailure: { allowUsd }`):
 * admissions in that state are journaled and charged to the shared budget exactly once on recovery; until
 * then they use up this allowance.
 */
export class DegradedAllowance {
  #leftNanos: number;

  constructor(allowNanos: number) {
    this.#leftNanos = allowNanos;
  }

  get leftNanos(): number {
    return this.#leftNanos;
  }

  take(amountNanos: number): boolean {
    if (amountNanos > this.#leftNanos) return false;
    this.#leftNanos -= amountNanos;
    return true;
  }

  giveBack(amountNanos: number): void {
    this.#leftNanos += amountNanos;
  }
}

/**
 * Marks in shared ids (labels and ids cannot contain control characters): a run's scopes are named
 * `<workflow>\u0001<run id>` below the fence, a window's `<id>\u0002<window start>`. A store may keep what
 * they mark apart from the tree's lasting scopes, and let it expire when no longer used.
 */
export const RUN_MARK = '\u0001';
export const WINDOW_MARK = '\u0002';

/** A scope's place in a shared store: which tree (hash tag) and under which id. */
export interface SharedNode {
  readonly store: SharedBudgetStore;
  /** The root scope's id: every key of the tree carries it as its hash tag. */
  readonly tree: string;
  readonly id: string;
  /** Replace a limit stored by another process instead of refusing (`update: true`). */
  readonly update: boolean;
  readonly degraded: DegradedAllowance | undefined;
  /** This process's scopes of the tree by id, so a kill heard from another process reaches them. */
  readonly local: Map<string, Set<WeakRef<BudgetNode>>>;
}

/** A call's hold on the shared store; ends once, through the store's outbox. */
export class SharedHold {
  readonly #store: SharedBudgetStore;
  readonly #tree: string;
  readonly #scopes: readonly SharedScope[];
  readonly #degraded: DegradedAllowance | undefined;
  readonly reservationId: string;
  readonly amountNanos: number;
  #ended = false;

  constructor(
    plan: SharedPlan,
    reservationId: string,
    scopes: readonly SharedScope[],
    amountNanos: number,
    degraded: DegradedAllowance | undefined,
  ) {
    this.#store = plan.store;
    this.#tree = plan.tree;
    this.#scopes = scopes;
    this.reservationId = reservationId;
    this.amountNanos = amountNanos;
    this.#degraded = degraded;
    if (!degraded) this.#store.track(this.#tree, reservationId);
  }

  /** True when admitted while the store was unreachable: charged to the shared budget on recovery. */
  get degraded(): boolean {
    return this.#degraded !== undefined;
  }

  /** Settles at `costNanos`, or releases (null). */
  end(costNanos: number | null): void {
    if (this.#ended) return;
    this.#ended = true;
    const degraded = this.#degraded;
    if (degraded) degraded.giveBack(this.amountNanos - (costNanos ?? 0));
    const applied = this.#store.settle({
      tree: this.#tree,
      reservationId: this.reservationId,
      scopes: this.#scopes,
      costNanos,
    });
    if (degraded && costNanos) void applied.then(() => degraded.giveBack(costNanos));
  }
}

/**
 * The shared scopes one call counts in (those of its scope set with a shared id), and how to reserve on
 * them. All must be in one tree: a call spanning two trees would need a cross-slot script on Redis
 * Cluster, and is refused.
 */
export class SharedPlan {
  readonly store: SharedBudgetStore;
  readonly tree: string;
  readonly nodes: readonly BudgetNode[];
  readonly #update: boolean;
  readonly #degraded: DegradedAllowance | undefined;

  constructor(nodes: readonly BudgetNode[]) {
    const first = (nodes[0] as BudgetNode).shared as SharedNode;
    for (const node of nodes) {
      const shared = node.shared as SharedNode;
      if (shared.store !== first.store || shared.tree !== first.tree) {
        throw new InvalidOptionsError(
          'store',
          `a call counts in scopes of two shared budget trees ("${first.tree}" and "${shared.tree}"); one ` +
            'reservation must stay in one tree (one hash slot on Redis Cluster): guard the client under the fence that runs it',
        );
      }
    }
    this.store = first.store;
    this.tree = first.tree;
    this.nodes = nodes;
    this.#update = nodes.some((node) => node.shared?.update === true);
    this.#degraded = first.degraded;
  }

  /** What is left of this process's degraded allowance (`onStoreFailure`), nano-USD; null without one. */
  get degradedLeftNanos(): number | null {
    return this.#degraded?.leftNanos ?? null;
  }

  /** The shared plan of a scope set, or null when none of its scopes is shared. */
  static of(nodes: readonly BudgetNode[]): SharedPlan | null {
    const shared = nodes.filter((node) => node.shared !== undefined);
    return shared.length === 0 ? null : new SharedPlan(shared);
  }

  /**
   * Holds the local reservation's amount on every shared scope, or throws: KillSwitchError (a scope was
   * killed in some process), BudgetExceededError (every process's spend and holds leave no room),
   * StoreUnavailableError (unreachable, and no degraded allowance left). Nothing is held when it throws.
   */
  async reserve(reservation: Reservation, model: string, force: boolean): Promise<SharedHold> {
    const reservationId = randomUUID();
    const amount = reservation.heldNanos;
    const scopes = this.nodes.map((node) => sharedScopeOf(node, reservation.windowOf(node)));
    let outcome: Awaited<ReturnType<SharedBudgetStore['reserve']>>;
    try {
      outcome = await this.store.reserve({
        tree: this.tree,
        reservationId,
        scopes,
        amountNanos: amount,
        force,
        update: this.#update,
      });
    } catch (error) {
      if (StoreUnavailableError.isInstance(error)) {
        // The reservation may have reached Redis before the connection failed: release it, once it can be.
        this.store.settle({ tree: this.tree, reservationId, scopes, costNanos: null });
        if (this.#degraded?.take(amount)) return new SharedHold(this, randomUUID(), scopes, amount, this.#degraded);
      }
      throw error;
    }
    if (outcome.status === 'held') {
      outcome.totals.forEach((totals, index) => {
        (this.nodes[index] as BudgetNode).noteSharedTotals(totals.spentNanos + totals.heldNanos);
      });
      return new SharedHold(this, reservationId, scopes, amount, undefined);
    }
    const node = this.nodes[outcome.index] as BudgetNode;
    if (outcome.status === 'killed') throw node.engageKill(outcome.reason) satisfies KillSwitchError;
    node.noteSharedTotals(outcome.spentNanos + outcome.heldNanos);
    node.exceeded = true;
    throw new BudgetExceededError({
      label: node.label,
      budget: nanosToUsd(outcome.limitNanos),
      spent: nanosToUsd(outcome.spentNanos),
      reserved: nanosToUsd(outcome.heldNanos),
      requested: nanosToUsd(amount),
      model,
    });
  }
}

/** A node as the store names it: a windowed scope is a new key in each window, its kill flag is not. */
export function sharedScopeOf(node: BudgetNode, windowStart: number): SharedScope {
  const id = (node.shared as SharedNode).id;
  return { key: node.window ? `${id}${WINDOW_MARK}${windowStart}` : id, killKey: id, limitNanos: node.limitNanos };
}
