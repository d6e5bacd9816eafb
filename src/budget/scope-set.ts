import { MAX_NANOS } from '../core/money.js';
import { mergeTags, type Tags } from '../core/tag-rules.js';
import type { KillSwitchError } from '../errors/kill-switch-error.js';
import type { TokenFenceEvent } from '../events/events.js';
import type { BudgetNode } from './budget-node.js';
import { Reservation } from './reservation.js';
import { SharedPlan } from './shared-admission.js';

export type AdmissionResult =
  | { admitted: true; reservation: Reservation }
  | { admitted: false; deniedBy: BudgetNode; killed: KillSwitchError | null };

type EventWithoutScope<E> = E extends TokenFenceEvent
  ? Omit<E, 'label' | 'path' | 'timestamp' | 'runId' | 'workflow' | 'agent'>
  : never;
export type ScopedEvent = EventWithoutScope<TokenFenceEvent>;

/** Events the ledger keeps elsewhere: calls as call records, run starts and ends in the runs table. */
const NOT_RECORDED = new Set<TokenFenceEvent['type']>(['call-settled', 'run-started', 'run-ended', 'agent-started']);

/**
 * Every budget scope one call counts in: the calling scope's chain to its root, plus — for a call made
 * inside a run or agent context — that context's chain. Admission checks all of them and holds in all
 * or none, synchronously, so the check and the hold are one atomic step in this process.
 * Boundary rule, the same for every scope: admitted iff spent + held + worstCase ≤ limit.
 */
export class ScopeSet {
  /** The scope the call belongs to: events carry its label and path. */
  readonly primary: BudgetNode;
  /** Distinct scopes, the primary's chain first. */
  readonly nodes: readonly BudgetNode[];

  #shared: SharedPlan | null | undefined;
  #tags: Tags | undefined | null = null;
  /** Scopes of this set that have tag budgets for some tag of its calls; null until first asked. */
  #tagRegistries: readonly BudgetNode[] | null = null;
  /** The last set made with tag scopes, reused while the same tag scopes are live. */
  #withTags: { added: readonly BudgetNode[]; set: ScopeSet } | undefined;

  constructor(primary: BudgetNode, nodes: readonly BudgetNode[], tags?: Tags) {
    this.primary = primary;
    this.nodes = nodes;
    if (tags !== undefined) {
      this.#tags = tags;
      this.#tagRegistries = [];
    }
  }

  /**
   * Tags of the calls counted in this set: merged from the root down the primary (context) chain, then
   * down the client's own chain, so the innermost scope wins: client over agent over run over fence.
   */
  get tags(): Tags | undefined {
    if (this.#tags !== null) return this.#tags;
    let tags: Tags | undefined;
    const own = this.primary.chain.length;
    for (let index = own - 1; index >= 0; index -= 1) tags = mergeTags(tags, this.nodes[index]?.ownTags);
    for (let index = this.nodes.length - 1; index >= own; index -= 1)
      tags = mergeTags(tags, this.nodes[index]?.ownTags);
    this.#tags = tags;
    return tags;
  }

  /**
   * The set a call is admitted in: this one plus the tag budget scope of each budgeted tag it carries
   * (`tagBudgets`). Those are looked up per call, since idle ones are evicted and made again; a call
   * without budgeted tags gets this set itself, at the cost of one check.
   */
  forCall(): ScopeSet {
    let registries = this.#tagRegistries;
    if (registries === null) {
      const tags = this.tags;
      registries = tags ? this.nodes.filter((node) => node.tagScopes?.covers(tags) === true) : [];
      this.#tagRegistries = registries;
    }
    if (registries.length === 0) return this;
    const added: BudgetNode[] = [];
    for (const node of registries) node.tagScopes?.collect(this.tags as Tags, added);
    const cached = this.#withTags;
    if (cached && cached.added.length === added.length && cached.added.every((node, index) => node === added[index])) {
      return cached.set;
    }
    const nodes = [...this.nodes];
    for (const node of added) if (!nodes.includes(node)) nodes.push(node);
    const set = new ScopeSet(this.primary, nodes, this.tags);
    this.#withTags = { added, set };
    return set;
  }

  /** The scopes of this set shared with other processes, and their store; null when none is. */
  get shared(): SharedPlan | null {
    if (this.#shared === undefined) this.#shared = SharedPlan.of(this.nodes);
    return this.#shared;
  }

  /** The union of two chains (a context's and a client's), each scope once. */
  static union(primary: BudgetNode, other: BudgetNode): ScopeSet {
    const nodes = [...primary.chain];
    for (const node of other.chain) if (!nodes.includes(node)) nodes.push(node);
    return new ScopeSet(primary, nodes);
  }

  /** The kill that applies: the first killed scope's. */
  get kill(): KillSwitchError | null {
    for (const node of this.nodes) if (node.killedBy) return node.killedBy;
    return null;
  }

  /** The most any single call may hold right now: the smallest headroom of all scopes. */
  get effectiveHeadroomNanos(): number {
    let headroom = MAX_NANOS;
    for (const node of this.nodes) headroom = Math.min(headroom, node.headroomNanos);
    return headroom;
  }

  /** True when any scope has passed its threshold. */
  get pastThreshold(): boolean {
    return this.nodes.some((node) => node.limitNanos !== null && node.usageRatio >= node.threshold);
  }

  /**
   * Checks every scope, then holds in all of them, or in none. `force` skips the budget check
   * (`onLimit: 'warn'`) but never the kill, nor the exactness bound: no scope's spent + held may pass
   * 2^53 − 1 n$, so every counter stays an exact integer.
   */
  admit(amountNanos: number, force = false): AdmissionResult {
    if (!Number.isSafeInteger(amountNanos) || amountNanos < 0) {
      throw new RangeError(`A reservation must be a whole number of nano-dollars ≥ 0, got ${amountNanos}`);
    }
    for (const node of this.nodes) node.admissionHook?.(amountNanos);
    const killed = this.kill;
    if (killed) return { admitted: false, deniedBy: this.primary, killed };
    for (const node of this.nodes) {
      node.rollWindow();
      const exact = node.spentNanos + node.heldNanos + amountNanos <= MAX_NANOS;
      if (!exact || (!force && !node.fits(amountNanos))) {
        node.exceeded = true;
        return { admitted: false, deniedBy: node, killed: null };
      }
    }
    for (const node of this.nodes) node.heldNanos += amountNanos;
    return { admitted: true, reservation: new Reservation(this.nodes, amountNanos) };
  }

  /** True when any scope has a listener: events are not even built otherwise. */
  get hasListeners(): boolean {
    for (const node of this.nodes) if (node.hasOwnListeners) return true;
    return false;
  }

  /**
   * Delivers an event, labelled with the primary scope, to the listeners of every scope once, and
   * records it in the ledger (call results are recorded as call records instead).
   */
  emit(event: ScopedEvent): void {
    const primary = this.primary;
    const sink = NOT_RECORDED.has(event.type) ? undefined : primary.eventSink;
    if (!sink && !this.hasListeners) return;
    const attribution = primary.attribution;
    const scoped = {
      ...event,
      label: primary.label,
      path: primary.path,
      timestamp: primary.now(),
      ...(attribution && { runId: attribution.runId, workflow: attribution.workflow, agent: attribution.agent }),
    } as TokenFenceEvent;
    sink?.(scoped, primary);
    for (const node of this.nodes) node.deliver(scoped);
  }
}
