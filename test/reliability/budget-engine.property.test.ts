/**
 * Property and model-based tests of the in-memory budget engine (RELIABILITY.md §2, T-36 for the memory
 * backend): a pure reference model decides every admission, and the real counters are compared with
 * sums recomputed from the reference's reservation list after every command.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Abortable, BudgetNode } from '../../src/budget/budget-node.js';
import type { Reservation } from '../../src/budget/reservation.js';
import { KillSwitchError } from '../../src/errors/kill-switch-error.js';

// ---------------------------------------------------------------------------------------------------
// Budget trees: root → 1–3 children → 0–2 grandchildren each; limits fixed, share-derived or absent.
// ---------------------------------------------------------------------------------------------------

type LimitSpec = { kind: 'fixed'; nanos: number } | { kind: 'share'; share: number } | { kind: 'none' };

interface TreeSpec {
  /** Parents come before their children; the root is index 0 with parent null. */
  nodes: { parent: number | null; limit: number | null }[];
}

const limitSpecArb: fc.Arbitrary<LimitSpec> = fc.oneof(
  fc.record({ kind: fc.constant('fixed' as const), nanos: fc.integer({ min: 0, max: 12_000 }) }),
  fc.record({ kind: fc.constant('share' as const), share: fc.integer({ min: 1, max: 100 }).map((p) => p / 100) }),
  fc.record({ kind: fc.constant('none' as const) }),
);

/** The same derivation as `resolveLimit` for `share` (which requires a parent with a limit). */
function resolveLimit(spec: LimitSpec, parentLimit: number | null): number | null {
  if (spec.kind === 'fixed') return spec.nanos;
  if (spec.kind === 'share' && parentLimit !== null) return Math.floor(parentLimit * spec.share);
  return null;
}

const treeArb: fc.Arbitrary<TreeSpec> = fc
  .record({
    rootLimit: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 10_000 }), weight: 9 }, fc.constant(0)),
    children: fc.array(fc.record({ limit: limitSpecArb, grandchildren: fc.array(limitSpecArb, { maxLength: 2 }) }), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map(({ rootLimit, children }) => {
    const nodes: TreeSpec['nodes'] = [{ parent: null, limit: rootLimit }];
    for (const child of children) {
      const childIndex = nodes.length;
      const childLimit = resolveLimit(child.limit, rootLimit);
      nodes.push({ parent: 0, limit: childLimit });
      for (const grandchild of child.grandchildren) {
        nodes.push({ parent: childIndex, limit: resolveLimit(grandchild, childLimit) });
      }
    }
    return { nodes };
  });

function chainOf(tree: TreeSpec, index: number): number[] {
  const chain: number[] = [];
  for (let at: number | null = index; at !== null; at = tree.nodes[at]?.parent ?? null) chain.push(at);
  return chain;
}

function buildTree(tree: TreeSpec): BudgetNode[] {
  const nodes: BudgetNode[] = [];
  for (const [index, spec] of tree.nodes.entries()) {
    const parent = spec.parent === null ? undefined : nodes[spec.parent];
    nodes.push(
      new BudgetNode({
        label: `n${index}`,
        parent,
        limitNanos: spec.limit,
        threshold: 0.8,
        onEvent: undefined,
        now: () => 0,
      }),
    );
  }
  return nodes;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at index ${index}`);
  return item;
}

// ---------------------------------------------------------------------------------------------------
// 1. Sequential model-based property: reserve / settle / release / repeat / kill against a pure reference.
// ---------------------------------------------------------------------------------------------------

interface RefReservation {
  node: number;
  chain: readonly number[];
  hold: number;
  state: 'held' | 'settled' | 'released';
  charged: number;
  /** How many times the in-flight call registered for it was aborted. */
  aborts: number;
}

interface Ref {
  tree: TreeSpec;
  chains: number[][];
  killed: boolean[];
  /** Scopes a settle above its hold or a forced admission pushed past their limit: I-1 exempts them. */
  overrun: boolean[];
  reservations: RefReservation[];
}

/** Records the aborts it receives; registered in every scope of its chain, the way a guarded call is. */
class RecordingCall implements Abortable {
  readonly reasons: KillSwitchError[] = [];
  abort(reason: KillSwitchError): void {
    this.reasons.push(reason);
  }
}

interface Real {
  nodes: BudgetNode[];
  reservations: Reservation[];
  calls: RecordingCall[];
  /** The error each scope's own kill returned. */
  kills: (KillSwitchError | null)[];
}

// The reference derives every counter from its list of reservations: nothing is accumulated.
function refHeld(ref: Ref, node: number): number {
  let sum = 0;
  for (const r of ref.reservations) if (r.state === 'held' && r.chain.includes(node)) sum += r.hold;
  return sum;
}
function refSpent(ref: Ref, node: number): number {
  let sum = 0;
  for (const r of ref.reservations) if (r.state === 'settled' && r.chain.includes(node)) sum += r.charged;
  return sum;
}
function refCalls(ref: Ref, node: number): number {
  return ref.reservations.filter((r) => r.state === 'settled' && r.chain.includes(node)).length;
}

type RefDecision =
  | { kind: 'admitted'; over: number[] }
  | { kind: 'killed'; by: number }
  | { kind: 'denied'; by: number };

/**
 * The documented rule: refused if any scope on the chain is killed (forced or not); else the first scope
 * from the caller up where spent + held + amount > limit refuses, unless forced (`onLimit: 'warn'`), in
 * which case it is admitted and `over` lists the scopes it pushes past their limit.
 */
function refAdmit(ref: Ref, node: number, amount: number, force: boolean): RefDecision {
  const chain = at(ref.chains, node);
  for (const scope of chain) if (ref.killed[scope]) return { kind: 'killed', by: scope };
  const over = chain.filter((scope) => {
    const limit = at(ref.tree.nodes, scope).limit;
    return limit !== null && refSpent(ref, scope) + refHeld(ref, scope) + amount > limit;
  });
  const first = over[0];
  if (first !== undefined && !force) return { kind: 'denied', by: first };
  return { kind: 'admitted', over };
}

function refHeadroom(ref: Ref, node: number): number {
  let headroom = Number.MAX_SAFE_INTEGER;
  for (const scope of at(ref.chains, node)) {
    const limit = at(ref.tree.nodes, scope).limit;
    if (limit !== null) headroom = Math.min(headroom, limit - refSpent(ref, scope) - refHeld(ref, scope));
  }
  return Math.max(0, headroom);
}

function counters(nodes: readonly BudgetNode[]): [number, number, number][] {
  return nodes.map((n) => [n.spentNanos, n.heldNanos, n.calls]);
}

interface Observed {
  nodes: { spent: number; held: number; calls: number; killedBy: string | null }[];
  reservations: { state: string; charged: number; aborts: number }[];
}

function observe(real: Real): Observed {
  return {
    nodes: real.nodes.map((n) => ({
      spent: n.spentNanos,
      held: n.heldNanos,
      calls: n.calls,
      killedBy: n.kill?.label ?? null,
    })),
    reservations: real.reservations.map((r, i) => ({
      state: r.state,
      charged: r.chargedNanos,
      aborts: at(real.calls, i).reasons.length,
    })),
  };
}

/** What the reference says the real engine must show: every counter recomputed from the reservation list. */
function predict(ref: Ref): Observed {
  return {
    nodes: ref.tree.nodes.map((_, index) => {
      const killedAbove = at(ref.chains, index).find((scope) => ref.killed[scope]);
      return {
        spent: refSpent(ref, index),
        held: refHeld(ref, index),
        calls: refCalls(ref, index),
        killedBy: killedAbove === undefined ? null : `n${killedAbove}`,
      };
    }),
    reservations: ref.reservations.map((r) => ({
      state: r.state,
      charged: r.state === 'settled' ? r.charged : 0,
      aborts: r.aborts,
    })),
  };
}

/**
 * Checked after every command. I-2: each scope's held = Σ its active holds and spent = Σ settled amounts
 * through it, exactly (which with the admission deltas in ReserveCommand gives I-3: held in all scopes of
 * the chain or none). I-8: the kill in force at each scope is its own or its nearest killed ancestor's.
 * I-1: spent + held ≤ limit wherever no settle above its hold went through.
 */
function checkInvariants(ref: Ref, real: Real): void {
  const observed = observe(real);
  expect(observed).toEqual(predict(ref));
  const overLimit = observed.nodes.flatMap(({ spent, held }, index) => {
    const limit = at(ref.tree.nodes, index).limit;
    if (limit === null || ref.overrun[index] || spent + held <= limit) return [];
    return [`n${index}: spent ${spent} + held ${held} > limit ${limit}`];
  });
  expect(overLimit, 'I-1 admission safety').toEqual([]);
}

type AmountSpec = { kind: 'fixed'; nanos: number } | { kind: 'fill'; delta: -1 | 0 | 1 };

class ReserveCommand implements fc.Command<Ref, Real> {
  constructor(
    readonly pick: number,
    readonly amount: AmountSpec,
    readonly force = false,
  ) {}
  check(): boolean {
    return true;
  }
  run(ref: Ref, real: Real): void {
    const index = this.pick % real.nodes.length;
    const amount =
      this.amount.kind === 'fixed' ? this.amount.nanos : Math.max(0, refHeadroom(ref, index) + this.amount.delta);
    const expected = refAdmit(ref, index, amount, this.force);
    const before = counters(real.nodes);
    const result = at(real.nodes, index).admit(amount, this.force);

    if (expected.kind !== 'admitted') {
      expect(result.admitted, `n${index}.admit(${amount}) must be refused (${expected.kind} by n${expected.by})`).toBe(
        false,
      );
      if (result.admitted) return;
      if (expected.kind === 'killed') {
        expect(result.killed).toBe(at(real.kills, expected.by));
      } else {
        expect(result.killed).toBeNull();
        expect(result.deniedBy).toBe(at(real.nodes, expected.by));
      }
      // I-3: a refusal holds in none of the scopes.
      expect(counters(real.nodes)).toEqual(before);
    } else {
      expect(result.admitted, `n${index}.admit(${amount}) must be admitted`).toBe(true);
      if (!result.admitted) return;
      const chain = at(ref.chains, index);
      expect(result.reservation.heldNanos).toBe(amount);
      expect(result.reservation.nodes.map((scope) => scope.label)).toEqual(chain.map((scope) => `n${scope}`));
      // I-3: an admission holds the amount in every scope of the chain, and nowhere else.
      const after = counters(real.nodes);
      for (const [scope, [spent, held, calls]] of before.entries()) {
        expect(after[scope]).toEqual([spent, chain.includes(scope) ? held + amount : held, calls]);
      }
      const call = new RecordingCall();
      for (const scope of result.reservation.nodes) scope.inFlight.add(call);
      for (const scope of expected.over) ref.overrun[scope] = true;
      ref.reservations.push({ node: index, chain, hold: amount, state: 'held', charged: 0, aborts: 0 });
      real.reservations.push(result.reservation);
      real.calls.push(call);
    }
    checkInvariants(ref, real);
  }
  toString(): string {
    const { amount: spec } = this;
    const amount = spec.kind === 'fixed' ? `${spec.nanos}` : `headroom${['-1', '', '+1'][spec.delta + 1]}`;
    return `${this.force ? 'force-reserve' : 'reserve'}(#${this.pick}, ${amount})`;
  }
}

function heldIndices(ref: Ref): number[] {
  return ref.reservations.flatMap((r, i) => (r.state === 'held' ? [i] : []));
}
function endedIndices(ref: Ref): number[] {
  return ref.reservations.flatMap((r, i) => (r.state === 'held' ? [] : [i]));
}

function finishCall(real: Real, i: number): void {
  const call = at(real.calls, i);
  for (const scope of at(real.reservations, i).nodes) scope.inFlight.delete(call);
}

class SettleCommand implements fc.Command<Ref, Real> {
  constructor(
    readonly pick: number,
    readonly percent: number,
  ) {}
  check(ref: Readonly<Ref>): boolean {
    return heldIndices(ref).length > 0;
  }
  run(ref: Ref, real: Real): void {
    const held = heldIndices(ref);
    const i = at(held, this.pick % held.length);
    const r = at(ref.reservations, i);
    const actual = Math.floor((r.hold * this.percent) / 100);
    expect(at(real.reservations, i).settle(actual)).toBe(actual);
    finishCall(real, i);
    r.state = 'settled';
    r.charged = actual;
    if (actual > r.hold) for (const scope of r.chain) ref.overrun[scope] = true;
    checkInvariants(ref, real);
  }
  toString(): string {
    return `settle(#${this.pick}, ${this.percent}%)`;
  }
}

class ReleaseCommand implements fc.Command<Ref, Real> {
  constructor(readonly pick: number) {}
  check(ref: Readonly<Ref>): boolean {
    return heldIndices(ref).length > 0;
  }
  run(ref: Ref, real: Real): void {
    const held = heldIndices(ref);
    const i = at(held, this.pick % held.length);
    at(real.reservations, i).release();
    finishCall(real, i);
    at(ref.reservations, i).state = 'released';
    checkInvariants(ref, real);
  }
  toString(): string {
    return `release(#${this.pick})`;
  }
}

/** I-4: a second settle or release of an ended reservation returns the first result and changes nothing. */
class RepeatCommand implements fc.Command<Ref, Real> {
  constructor(
    readonly pick: number,
    readonly op: 'settle' | 'release',
    readonly nanos: number,
  ) {}
  check(ref: Readonly<Ref>): boolean {
    return endedIndices(ref).length > 0;
  }
  run(ref: Ref, real: Real): void {
    const ended = endedIndices(ref);
    const i = at(ended, this.pick % ended.length);
    const r = at(ref.reservations, i);
    const reservation = at(real.reservations, i);
    const before = counters(real.nodes);
    if (this.op === 'settle') expect(reservation.settle(this.nanos)).toBe(r.state === 'settled' ? r.charged : 0);
    else reservation.release();
    expect(counters(real.nodes)).toEqual(before);
    checkInvariants(ref, real);
  }
  toString(): string {
    return `repeat-${this.op}(#${this.pick}${this.op === 'settle' ? `, ${this.nanos}` : ''})`;
  }
}

class KillCommand implements fc.Command<Ref, Real> {
  constructor(readonly pick: number) {}
  check(): boolean {
    return true;
  }
  run(ref: Ref, real: Real): void {
    const index = this.pick % real.nodes.length;
    const node = at(real.nodes, index);
    if (ref.killed[index]) {
      expect(node.engageKill('again')).toBe(at(real.kills, index));
    } else {
      const error = node.engageKill(`kill n${index}`);
      expect(error).toBeInstanceOf(KillSwitchError);
      expect(error.label).toBe(`n${index}`);
      real.kills[index] = error;
      ref.killed[index] = true;
      // I-8: every call in flight in this scope or below is aborted with this error; the rest are not.
      for (const [i, r] of ref.reservations.entries()) {
        if (r.state !== 'held' || !r.chain.includes(index)) continue;
        r.aborts += 1;
        expect(at(real.calls, i).reasons.at(-1)).toBe(error);
      }
    }
    checkInvariants(ref, real);
  }
  toString(): string {
    return `kill(#${this.pick})`;
  }
}

const amountArb: fc.Arbitrary<AmountSpec> = fc.oneof(
  { arbitrary: fc.constant<AmountSpec>({ kind: 'fixed', nanos: 0 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 3_000 }).map((nanos): AmountSpec => ({ kind: 'fixed', nanos })), weight: 4 },
  {
    arbitrary: fc.integer({ min: 3_000, max: 30_000 }).map((nanos): AmountSpec => ({ kind: 'fixed', nanos })),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(-1, 0, 1).map((delta): AmountSpec => ({ kind: 'fill', delta: delta as -1 | 0 | 1 })),
    weight: 2,
  },
);

function commandsArb(overrun: { maxSettlePercent: number; forcedWeight: number }) {
  const { maxSettlePercent, forcedWeight } = overrun;
  const pick = fc.nat({ max: 1_000 });
  const command = fc.oneof(
    { arbitrary: fc.tuple(pick, amountArb).map(([p, amount]) => new ReserveCommand(p, amount)), weight: 12 },
    // Forced admissions (`onLimit: 'warn'`) only where the property exempts the scopes they overrun.
    {
      arbitrary: fc.tuple(pick, amountArb).map(([p, amount]) => new ReserveCommand(p, amount, forcedWeight > 0)),
      weight: Math.max(forcedWeight, 1),
    },
    {
      arbitrary: fc
        .tuple(pick, fc.oneof(fc.integer({ min: 0, max: maxSettlePercent }), fc.constant(100)))
        .map(([p, percent]) => new SettleCommand(p, percent)),
      weight: 6,
    },
    { arbitrary: pick.map((p) => new ReleaseCommand(p)), weight: 3 },
    {
      arbitrary: fc
        .tuple(pick, fc.constantFrom('settle' as const, 'release' as const), fc.nat({ max: 20_000 }))
        .map(([p, op, nanos]) => new RepeatCommand(p, op, nanos)),
      weight: 2,
    },
    // Rare, so that most runs keep admitting after their first kill.
    { arbitrary: pick.map((p) => new KillCommand(p)), weight: 1 },
  );
  return fc.commands<Ref, Real>([command], { maxCommands: 50, size: 'max' });
}

function runModel(tree: TreeSpec, commands: Iterable<fc.Command<Ref, Real>>): void {
  const nodes = buildTree(tree);
  fc.modelRun(
    () => ({
      model: {
        tree,
        chains: tree.nodes.map((_, i) => chainOf(tree, i)),
        killed: tree.nodes.map(() => false),
        overrun: tree.nodes.map(() => false),
        reservations: [],
      },
      real: { nodes, reservations: [], calls: [], kills: tree.nodes.map(() => null) },
    }),
    commands,
  );
}

describe('budget engine against a reference model', () => {
  it('never lets spent + held pass any limit, conserves every nano, holds all-or-none, resolves once and honours kills (settles ≤ hold)', () => {
    fc.assert(
      fc.property(treeArb, commandsArb({ maxSettlePercent: 100, forcedWeight: 0 }), (tree, commands) => {
        runModel(tree, commands);
      }),
      { numRuns: 250 },
    );
  });

  it('with settles up to 150 % of the hold and forced (onLimit: warn) admissions, keeps counters exact, still refuses killed scopes, and stays within limit wherever no overrun went through', () => {
    fc.assert(
      fc.property(treeArb, commandsArb({ maxSettlePercent: 150, forcedWeight: 2 }), (tree, commands) => {
        runModel(tree, commands);
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. Concurrency harness, written once and parameterised by engine: calls admit → await → settle/release,
//    interleaved by fc.scheduler. Run against the real engine (must hold) and a naive one (must fail).
// ---------------------------------------------------------------------------------------------------

interface Ticket {
  settle(actualNanos: number): void;
  release(): void;
}

interface EngineUnderTest {
  /** null when refused. May be async (the naive engine awaits between its check and returning). */
  admit(node: number, amountNanos: number): Ticket | null | Promise<Ticket | null>;
  spent(node: number): number;
  held(node: number): number;
}

type EngineFactory = (tree: TreeSpec, s: fc.Scheduler) => EngineUnderTest;

const realEngine: EngineFactory = (tree) => {
  const nodes = buildTree(tree);
  return {
    admit(node, amountNanos) {
      const result = at(nodes, node).admit(amountNanos);
      if (!result.admitted) return null;
      const { reservation } = result;
      return { settle: (actual) => void reservation.settle(actual), release: () => reservation.release() };
    },
    spent: (node) => at(nodes, node).spentNanos,
    held: (node) => at(nodes, node).heldNanos,
  };
};

/**
 * The classic check-then-record race (RELIABILITY.md FM-01): it reads `spent` to decide, awaits before
 * anything is recorded, records the spend only when the call settles, and holds nothing meanwhile.
 */
class NaiveNode {
  spentNanos = 0;
  readonly chain: NaiveNode[];
  constructor(
    readonly parent: NaiveNode | undefined,
    readonly limitNanos: number | null,
  ) {
    this.chain = parent ? [this, ...parent.chain] : [this];
  }
}

const naiveEngine: EngineFactory = (tree, s) => {
  const nodes: NaiveNode[] = [];
  for (const spec of tree.nodes) {
    nodes.push(new NaiveNode(spec.parent === null ? undefined : at(nodes, spec.parent), spec.limit));
  }
  return {
    async admit(node, amountNanos) {
      const chain = at(nodes, node).chain;
      const fits = chain.every((n) => n.limitNanos === null || n.spentNanos + amountNanos <= n.limitNanos);
      await s.schedule(Promise.resolve(), 'naive: between check and record');
      if (!fits) return null;
      return {
        settle(actual) {
          for (const n of chain) n.spentNanos += actual;
        },
        release() {},
      };
    },
    spent: (node) => at(nodes, node).spentNanos,
    held: () => 0,
  };
};

interface CallSpec {
  node: number;
  amount: number;
  outcome: 'settle' | 'release';
  /** Actual cost as a percentage of the amount held (≤ 100: the provider honoured the cap). */
  percent: number;
  /** Extra microtask turns between the scheduler-released latency and the settle. */
  ticks: number;
}

const callArb: fc.Arbitrary<CallSpec> = fc.record({
  node: fc.nat({ max: 1_000 }),
  amount: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6_000 }), fc.integer({ min: 6_000, max: 15_000 })),
  outcome: fc.oneof({ arbitrary: fc.constant('settle' as const), weight: 4 }, fc.constant('release' as const)),
  percent: fc.oneof(fc.constant(100), fc.integer({ min: 0, max: 100 })),
  ticks: fc.nat({ max: 5 }),
});

class OverspendError extends Error {}

function concurrencyProperty(factory: EngineFactory) {
  return fc.asyncProperty(
    treeArb,
    fc.array(callArb, { minLength: 1, maxLength: 12 }),
    fc.scheduler(),
    async (tree, calls, s) => {
      const engine = factory(tree, s);
      const chains = tree.nodes.map((_, i) => chainOf(tree, i));
      const settled: { node: number; actual: number }[] = [];
      const assertNoOverspend = (step: string) => {
        for (const [index, spec] of tree.nodes.entries()) {
          const used = engine.spent(index) + engine.held(index);
          if (spec.limit !== null && used > spec.limit) {
            throw new OverspendError(
              `overspend after ${step}: n${index} has ${used} n$ against a limit of ${spec.limit}`,
            );
          }
        }
      };

      const runCall = async (call: CallSpec, i: number) => {
        const node = call.node % tree.nodes.length;
        await s.schedule(Promise.resolve(), `call ${i} starts`);
        const ticket = await engine.admit(node, call.amount);
        assertNoOverspend(`admit of call ${i}`);
        if (!ticket) return;
        await s.schedule(Promise.resolve(), `call ${i} in flight`);
        for (let t = 0; t < call.ticks; t++) await Promise.resolve();
        if (call.outcome === 'release') {
          ticket.release();
        } else {
          const actual = Math.floor((call.amount * call.percent) / 100);
          ticket.settle(actual);
          settled.push({ node, actual });
        }
        assertNoOverspend(`${call.outcome} of call ${i}`);
      };

      await s.waitFor(Promise.all(calls.map(runCall)));
      assertNoOverspend('the end');
      // Exact conservation once every call has ended: nothing held, spend = Σ actuals through each scope.
      for (const index of tree.nodes.keys()) {
        expect(engine.held(index)).toBe(0);
        const expected = settled
          .filter((c) => at(chains, c.node).includes(index))
          .reduce((sum, c) => sum + c.actual, 0);
        expect(engine.spent(index)).toBe(expected);
      }
    },
  );
}

describe('budget engine under interleaved concurrent calls', () => {
  it('never overspends at any step and conserves spend exactly with the real engine', async () => {
    await fc.assert(concurrencyProperty(realEngine), { numRuns: 250 });
  });

  it('finds an overspend in a naive check-then-record engine (negative control of the harness)', async () => {
    // endOnFailure: the first counterexample is proof enough; shrinking a scheduler run can take seconds.
    const details = await fc.check(concurrencyProperty(naiveEngine), { numRuns: 250, endOnFailure: true });
    expect(details.failed).toBe(true);
    expect(details.errorInstance).toBeInstanceOf(OverspendError);
  });
});

// ---------------------------------------------------------------------------------------------------
// 3. Exactness: integer counters never drift.
// ---------------------------------------------------------------------------------------------------

describe('budget engine arithmetic', () => {
  it('sums 1,000,000 settles of 7 n$ exactly, up to an exactly full budget', () => {
    const root = buildTree({ nodes: [{ parent: null, limit: 7_000_000 }] })[0] as BudgetNode;
    for (let i = 0; i < 1_000_000; i++) {
      const result = root.admit(7);
      if (!result.admitted) throw new Error(`admission ${i} refused`);
      result.reservation.settle(7);
    }
    expect(root.spentNanos).toBe(7_000_000);
    expect(root.calls).toBe(1_000_000);
    expect(root.heldNanos).toBe(0);
    expect(root.admit(1).admitted).toBe(false);
    expect(root.admit(0).admitted).toBe(true);
  });

  it('accounts spend exactly in two share-limited children and their root', () => {
    const rootLimit = 1_000_000_007;
    const tree: TreeSpec = {
      nodes: [
        { parent: null, limit: rootLimit },
        { parent: 0, limit: Math.floor(rootLimit * 0.3) },
        { parent: 0, limit: Math.floor(rootLimit * 0.7) },
      ],
    };
    const [root, a, b] = buildTree(tree) as [BudgetNode, BudgetNode, BudgetNode];
    expect([a.limitNanos, b.limitNanos]).toEqual([300_000_002, 700_000_004]);
    let spentA = 0;
    let spentB = 0;
    for (let i = 0; i < 100_000; i++) {
      const [child, cost] = i % 2 === 0 ? [a, 1_001] : [b, 2_999];
      const result = child.admit(cost * 2);
      if (!result.admitted) throw new Error(`admission ${i} refused`);
      result.reservation.settle(cost);
      if (child === a) spentA += cost;
      else spentB += cost;
    }
    expect(a.spentNanos).toBe(spentA);
    expect(b.spentNanos).toBe(spentB);
    expect(root.spentNanos).toBe(spentA + spentB);
    expect(root.spentNanos).toBe(50_000 * 1_001 + 50_000 * 2_999);
    expect([root.heldNanos, a.heldNanos, b.heldNanos]).toEqual([0, 0, 0]);
  });

  it('keeps child and root totals exact for random share splits and costs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat({ max: 2 ** 30 })), { maxLength: 200 }),
        (rootLimit, shareA, shareB, costs) => {
          const [root, a, b] = buildTree({
            nodes: [
              { parent: null, limit: rootLimit },
              { parent: 0, limit: Math.floor((rootLimit * shareA) / 100) },
              { parent: 0, limit: Math.floor((rootLimit * shareB) / 100) },
            ],
          }) as [BudgetNode, BudgetNode, BudgetNode];
          let spentA = 0;
          let spentB = 0;
          for (const [toA, cost] of costs) {
            const result = (toA ? a : b).admit(cost);
            if (!result.admitted) continue;
            result.reservation.settle(cost);
            if (toA) spentA += cost;
            else spentB += cost;
          }
          expect([a.spentNanos, b.spentNanos, root.spentNanos]).toEqual([spentA, spentB, spentA + spentB]);
          expect(root.spentNanos).toBeLessThanOrEqual(rootLimit);
          expect(a.spentNanos).toBeLessThanOrEqual(a.limitNanos ?? 0);
          expect(b.spentNanos).toBeLessThanOrEqual(b.limitNanos ?? 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
