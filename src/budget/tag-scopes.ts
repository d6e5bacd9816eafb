import type { Tags } from '../core/tag-rules.js';
import type { BudgetNode } from './budget-node.js';
import { windowStart } from './budget-window.js';
import { type ResolvedTagBudgets, type ResolvedTagWindow, tagWindowOf } from './tag-budgets.js';

/** A tag budget scope's tag: which key and value it budgets. */
export interface ScopeTag {
  readonly key: string;
  readonly value: string;
}

/** Makes the scope of one tag value (a TokenFence below the fence with `tagBudgets`): its node and public object. */
export type TagScopeFactory = (tag: ScopeTag, budget: ResolvedTagWindow) => { node: BudgetNode; owner: unknown };

interface Entry {
  node: BudgetNode;
  owner: unknown;
}

/** Spend of an evicted scope in its window, kept so the window's spend is not lost (in-process ledgers). */
interface Remnant {
  spentNanos: number;
  calls: number;
}

/** Idle scopes kept warm beyond those in use; the rest are evicted oldest first. */
export const DEFAULT_MAX_IDLE_TAG_SCOPES = 1_000;
/** Entries looked at per sweep: keeps a sweep's cost on a call's path bounded. */
const SWEEP_LOOK = 64;

/**
 * The tag budget scopes of one fence (`tagBudgets`): one windowed scope per distinct value of each
 * budgeted key, made on the first call carrying it. Memory stays bounded with millions of values: past
 * `maxIdle` scopes, the least recently used idle ones — nothing held, nothing in flight, not killed —
 * are evicted. Their window's spend is not lost: with a shared store (Redis) the store counts it and
 * remains the binding check; otherwise the spend of the live window is kept as one number per value
 * (dropped when the window ends) and a scope made again starts from it.
 */
export class TagScopes {
  readonly budgets: ResolvedTagBudgets;
  readonly #create: TagScopeFactory;
  readonly #maxIdle: number;
  readonly #keepRemnants: boolean;
  readonly #now: () => number;
  /** `key=value` → scope, least recently used first. */
  readonly #live = new Map<string, Entry>();
  /** Window start → `key=value` → spend of scopes evicted in that window. */
  readonly #remnants = new Map<number, Map<string, Remnant>>();
  evicted = 0;

  constructor(options: {
    budgets: ResolvedTagBudgets;
    create: TagScopeFactory;
    now: () => number;
    /** False when a shared store is the truth for every scope's spend (nothing to keep locally). */
    keepRemnants: boolean;
    maxIdle?: number | undefined;
  }) {
    this.budgets = options.budgets;
    this.#create = options.create;
    this.#now = options.now;
    this.#keepRemnants = options.keepRemnants;
    this.#maxIdle = options.maxIdle ?? DEFAULT_MAX_IDLE_TAG_SCOPES;
  }

  /** True when some key of `tags` has a budget here. */
  covers(tags: Tags): boolean {
    for (const key of this.budgets.keys()) if (Object.hasOwn(tags, key)) return true;
    return false;
  }

  /** Adds to `into` the scope of every budgeted tag of `tags` (made when missing). */
  collect(tags: Tags, into: BudgetNode[]): void {
    const first = into.length;
    for (const key of this.budgets.keys()) {
      if (!Object.hasOwn(tags, key)) continue;
      const entry = this.#get(key, tags[key] as string, true);
      if (entry) into.push(entry.node);
    }
    // Swept after every scope of the call is in hand, so none of them is evicted under it.
    if (this.#live.size > this.#maxIdle) this.#sweep(into.slice(first));
  }

  /** The scope of `key=value`, made when missing; undefined when that value has no budget. */
  get(key: string, value: string, create = true): Entry | undefined {
    const entry = this.#get(key, value, create);
    if (entry && this.#live.size > this.#maxIdle) this.#sweep([entry.node]);
    return entry;
  }

  #get(key: string, value: string, create: boolean): Entry | undefined {
    const id = `${key}=${value}`;
    const live = this.#live.get(id);
    if (live) {
      // Most recently used last: eviction looks from the front.
      this.#live.delete(id);
      this.#live.set(id, live);
      return live;
    }
    if (!create) return undefined;
    const budget = tagWindowOf(this.budgets, key, value);
    if (!budget) return undefined;
    const entry = this.#create({ key, value }, budget);
    const remnant = this.#remnants.get(entry.node.windowStart)?.get(id);
    if (remnant) entry.node.calls = remnant.calls;
    this.#live.set(id, entry);
    return entry;
  }

  /** Spend kept for `key=value` in the window starting at `start`, when it was evicted there. */
  remnantSpent(key: string, value: string, start: number): number | undefined {
    return this.#remnants.get(start)?.get(`${key}=${value}`)?.spentNanos;
  }

  /** The scopes in memory now (an evicted one is made again, with its window's spend, when next used). */
  get entries(): readonly Entry[] {
    return [...this.#live.values()];
  }

  get size(): number {
    return this.#live.size;
  }

  /** Scopes of ended windows' remnants, for tests of the memory bound. */
  get remnantCount(): number {
    let count = 0;
    for (const remnants of this.#remnants.values()) count += remnants.size;
    return count;
  }

  /** Evicts idle scopes, oldest first, looking at a bounded number of entries. */
  #sweep(keep: readonly BudgetNode[]): void {
    this.#dropEndedRemnants();
    let looked = 0;
    for (const [id, entry] of this.#live) {
      if (this.#live.size <= this.#maxIdle || looked >= SWEEP_LOOK) return;
      looked += 1;
      const node = entry.node;
      if (node.heldNanos !== 0 || node.inFlight.size > 0 || node.killedBy !== null || keep.includes(node)) continue;
      node.rollWindow();
      if (this.#keepRemnants && node.spentNanos > 0) {
        let remnants = this.#remnants.get(node.windowStart);
        if (!remnants) {
          remnants = new Map();
          this.#remnants.set(node.windowStart, remnants);
        }
        remnants.set(id, { spentNanos: node.spentNanos, calls: node.calls });
      }
      this.#live.delete(id);
      this.evicted += 1;
    }
  }

  /** Remnants of windows no budgeted period is in any more. */
  #dropEndedRemnants(): void {
    if (this.#remnants.size === 0) return;
    const now = this.#now();
    const current = new Set<number>();
    for (const config of this.budgets.values()) {
      if (config.default) current.add(windowStart(config.default.period, now));
      for (const window of config.values.values()) current.add(windowStart(window.period, now));
    }
    for (const start of this.#remnants.keys()) if (!current.has(start)) this.#remnants.delete(start);
  }
}
