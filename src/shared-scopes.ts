import type { BudgetNode } from './budget/budget-node.js';
import { DegradedAllowance, RUN_MARK, type SharedNode } from './budget/shared-admission.js';
import type { SharedBudgetStore } from './budget/shared-budget-store.js';
import { InvalidOptionsError } from './errors/invalid-options-error.js';
import type { LedgerStore } from './ledger/ledger-store.js';
import type { ResolvedOptions } from './resolve-options.js';

/** The shared budgets of a store that has them (a Redis store), else undefined. */
function sharedBudgetsOf(store: LedgerStore): SharedBudgetStore | undefined {
  const budgets = (store as { budgets?: Partial<SharedBudgetStore> }).budgets;
  return typeof budgets?.reserve === 'function' ? (budgets as SharedBudgetStore) : undefined;
}

const forget = new FinalizationRegistry<{ local: SharedNode['local']; id: string; ref: WeakRef<BudgetNode> }>(
  ({ local, id, ref }) => {
    const refs = local.get(id);
    refs?.delete(ref);
    if (refs?.size === 0) local.delete(id);
  },
);

/**
 * Where a new scope lives in a shared store: a fence with a Redis store is the root of a tree named by
 * its id (or label); scopes below it (clients, runs, agents) are named by their path in that tree.
 */
export function shareNode(node: BudgetNode, resolved: ResolvedOptions, store: LedgerStore): SharedNode | undefined {
  const { sharing } = resolved;
  let shared: SharedNode | undefined;
  if (resolved.ownsLedger) {
    const budgets = sharedBudgetsOf(store);
    if (!budgets) return undefined;
    if (resolved.parentNode?.chain.some((ancestor) => ancestor.shared)) {
      // Its calls would reserve in two trees at once: a cross-slot script on Redis Cluster.
      throw new InvalidOptionsError(
        'store',
        'a scope below a shared scope already shares its tree; give the store to the root fence only',
      );
    }
    const allowance = sharing.degradedAllowNanos;
    shared = {
      store: budgets,
      tree: sharing.id,
      id: sharing.id,
      update: sharing.update,
      degraded: allowance === undefined ? undefined : new DegradedAllowance(allowance),
      local: new Map(),
    };
  } else {
    const parent = resolved.parentNode?.shared;
    if (!parent) return undefined;
    const { tag } = sharing;
    const own = sharing.runId === undefined ? sharing.id : `${sharing.id}${RUN_MARK}${sharing.runId}`;
    // A tag value's scope below the tree's root has the stable id `tag:<key>=<value>`: what an operator
    // names to kill it (`tokenfence kill --tag`), whichever process made it.
    const tagId = tag && `tag:${tag.key}=${tag.value}`;
    const id = tagId && parent.id === parent.tree ? tagId : `${parent.id}/${tagId ?? own}`;
    shared = { ...parent, id, update: sharing.update };
  }
  const ref = new WeakRef(node);
  let refs = shared.local.get(shared.id);
  if (!refs) {
    refs = new Set();
    shared.local.set(shared.id, refs);
  }
  refs.add(ref);
  forget.register(node, { local: shared.local, id: shared.id, ref });
  return shared;
}

/** Kills and revives from other processes, heard on the store's channel, reach this process's scopes of the tree. */
export function listenForKills(root: SharedNode): () => void {
  return root.store.onKill((tree, killKey, reason) => {
    if (tree !== root.tree) return;
    for (const ref of root.local.get(killKey) ?? []) {
      const node = ref.deref();
      if (reason === null) node?.liftKill();
      else node?.engageKill(reason);
    }
  });
}

const KILL_RETRY_MS = 250;

/**
 * Sets the scope's kill flag in the store for every process. Resolves once the store has it; rejects with
 * StoreUnavailableError when it could not within the store's timeout — and then keeps trying in the
 * background for as long as the scope stays killed here (a later `reset()` stops it).
 */
export function shareKill(shared: SharedNode, reason: string, stillKilled: () => boolean): Promise<void> {
  const attempt = shared.store.kill(shared.tree, shared.id, reason);
  attempt.catch(function retry(): void {
    setTimeout(() => {
      if (stillKilled()) shared.store.kill(shared.tree, shared.id, reason).catch(retry);
    }, KILL_RETRY_MS).unref();
  });
  return attempt;
}
