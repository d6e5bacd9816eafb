import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_NANOS } from '../core/money.js';
import { KillSwitchError } from '../errors/kill-switch-error.js';
import type { TokenFenceEvent } from '../events/events.js';
import { type Abortable, type AdmissionResult, BudgetNode } from './budget-node.js';
import type { Reservation } from './reservation.js';

function node(label: string, parent: BudgetNode | undefined, limitNanos: number | null): BudgetNode {
  return new BudgetNode({ label, parent, limitNanos, threshold: 0.8, onEvent: undefined, now: () => 0 });
}

function admitted(result: AdmissionResult): Reservation {
  if (!result.admitted) throw new Error(`expected an admission, denied by "${result.deniedBy.label}"`);
  return result.reservation;
}

/** Registers like a guarded call does: in every scope of the calling node's chain. */
function inFlightCall(at: BudgetNode): Abortable & { reasons: KillSwitchError[] } {
  const call = {
    reasons: [] as KillSwitchError[],
    abort(reason: KillSwitchError) {
      call.reasons.push(reason);
    },
  };
  for (const scope of at.chain) scope.inFlight.add(call);
  return call;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('BudgetNode admission boundary', () => {
  it('admits an amount that exactly fills the tightest remaining budget and refuses one nano more, naming that scope', () => {
    const root = node('root', undefined, 1_000);
    const child = node('child', root, 600);
    const sibling = node('sibling', root, null);
    admitted(sibling.admit(500)).settle(500);

    // Root has 500 left, the child 600: the root is the tightest scope.
    expect(child.effectiveHeadroomNanos).toBe(500);
    const refused = child.admit(501);
    expect(refused).toMatchObject({ admitted: false, killed: null });
    expect(refused.admitted === false && refused.deniedBy).toBe(root);
    expect([child.heldNanos, root.heldNanos]).toEqual([0, 0]);

    const fill = admitted(child.admit(500));
    expect([child.heldNanos, root.heldNanos]).toEqual([500, 500]);
    expect(root.spentNanos + root.heldNanos).toBe(root.limitNanos);
    const zero = child.admit(0);
    expect(zero.admitted).toBe(true);
    const oneMore = child.admit(1);
    expect(oneMore.admitted === false && oneMore.deniedBy).toBe(root);
    fill.release();
  });

  it('names the calling scope when it is the tightest one', () => {
    const root = node('root', undefined, 1_000);
    const child = node('child', root, 300);
    const held = admitted(child.admit(120));

    const refused = child.admit(181);
    expect(refused.admitted === false && refused.deniedBy).toBe(child);
    expect(child.exceeded).toBe(true);
    expect(root.exceeded).toBe(false);

    admitted(child.admit(180));
    expect([child.heldNanos, root.heldNanos]).toEqual([300, 300]);
    held.settle(120);
    expect([child.spentNanos, child.heldNanos]).toEqual([120, 180]);
  });
});

describe('BudgetNode without a limit', () => {
  it('counts its own spend but is capped by its ancestors', () => {
    const root = node('root', undefined, 1_000);
    const unlimited = node('unlimited', root, null);

    expect(unlimited.headroomNanos).toBe(MAX_NANOS);
    expect(unlimited.fits(MAX_NANOS)).toBe(true);
    const tooMuch = unlimited.admit(1_001);
    expect(tooMuch.admitted === false && tooMuch.deniedBy).toBe(root);

    admitted(unlimited.admit(1_000)).settle(400);
    expect([unlimited.spentNanos, unlimited.calls, unlimited.heldNanos]).toEqual([400, 1, 0]);
    expect([root.spentNanos, root.calls]).toEqual([400, 1]);
    expect(unlimited.usageRatio).toBe(0);
    expect(unlimited.effectiveHeadroomNanos).toBe(600);

    const over = unlimited.admit(601);
    expect(over.admitted === false && over.deniedBy).toBe(root);
    expect(unlimited.admit(600).admitted).toBe(true);
  });
});

describe('BudgetNode kill switch', () => {
  it('aborts in-flight calls here and below, and refuses admissions here and below but not above', () => {
    const root = node('root', undefined, 10_000);
    const agent = node('agent', root, 5_000);
    const tool = node('tool', agent, null);
    const sibling = node('sibling', root, null);
    const events: TokenFenceEvent[] = [];
    root.events.on('fence-killed', (event) => events.push(event));

    const inAgent = inFlightCall(agent);
    const inTool = inFlightCall(tool);
    const inRoot = inFlightCall(root);
    const inSibling = inFlightCall(sibling);
    const heldInTool = admitted(tool.admit(100));

    const error = agent.engageKill('runaway loop');
    expect(error).toBeInstanceOf(KillSwitchError);
    expect(error.label).toBe('agent');
    expect(error.reason).toBe('runaway loop');
    expect(inAgent.reasons).toEqual([error]);
    expect(inTool.reasons).toEqual([error]);
    expect(inRoot.reasons).toEqual([]);
    expect(inSibling.reasons).toEqual([]);
    expect(events).toMatchObject([{ type: 'fence-killed', label: 'agent', reason: 'runaway loop', abortedCalls: 2 }]);

    for (const scope of [agent, tool]) {
      expect(scope.kill).toBe(error);
      expect(scope.admit(0)).toEqual({ admitted: false, deniedBy: scope, killed: error });
      expect(scope.admit(1, true)).toMatchObject({ admitted: false, killed: error });
    }
    expect(root.kill).toBeNull();
    expect(root.admit(1).admitted).toBe(true);
    expect(sibling.admit(1).admitted).toBe(true);

    // A kill does not touch holds: the aborted call still settles through the normal path.
    heldInTool.settle(40);
    expect([tool.spentNanos, agent.spentNanos, agent.heldNanos]).toEqual([40, 40, 0]);

    // A second kill of the same scope is a no-op that returns the first error.
    expect(agent.engageKill('again')).toBe(error);
    expect(inAgent.reasons).toEqual([error]);
    expect(events).toHaveLength(1);
  });
});

describe('BudgetNode reset', () => {
  it('clears spend, call count, flags and the kill but keeps in-flight holds', () => {
    const root = node('root', undefined, 1_000);
    const crossings: TokenFenceEvent[] = [];
    root.events.on('threshold-crossed', (event) => crossings.push(event));
    admitted(root.admit(900)).settle(900);
    const inFlight = admitted(root.admit(100));
    expect(root.admit(1).admitted).toBe(false);
    root.engageKill(undefined);
    expect([root.exceeded, crossings.length]).toEqual([true, 1]);

    root.reset();
    expect(root.spentNanos).toBe(0);
    expect(root.calls).toBe(0);
    expect(root.exceeded).toBe(false);
    expect(root.killedBy).toBeNull();
    expect(root.heldNanos).toBe(100);

    expect(root.admit(901).admitted).toBe(false);
    admitted(root.admit(900)).settle(800);
    expect(crossings).toHaveLength(2);
    inFlight.settle(60);
    expect([root.spentNanos, root.heldNanos, root.calls]).toEqual([860, 0, 2]);
  });
});

describe('BudgetNode threshold events', () => {
  it('emits threshold-crossed once, when spend first reaches the threshold', () => {
    const root = node('root', undefined, 10_000);
    const agent = node('agent', root, 1_000);
    const seen: TokenFenceEvent[] = [];
    agent.events.on('threshold-crossed', (event) => seen.push(event));

    admitted(agent.admit(799)).settle(799);
    expect(seen).toHaveLength(0);
    admitted(agent.admit(1)).settle(1);
    expect(seen).toEqual([
      {
        type: 'threshold-crossed',
        threshold: 0.8,
        usageRatio: 0.8,
        spentUsd: 800e-9,
        budgetUsd: 1_000e-9,
        label: 'agent',
        path: ['root', 'agent'],
        timestamp: 0,
      },
    ]);
    admitted(agent.admit(100)).settle(100);
    admitted(agent.admit(100)).settle(100);
    expect(seen).toHaveLength(1);
  });

  it('turns a throwing listener into a process warning without breaking settle', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const root = node('root', undefined, 100);
    const after: TokenFenceEvent[] = [];
    root.events.on('threshold-crossed', () => {
      throw new Error('listener exploded');
    });
    root.events.on('threshold-crossed', (event) => after.push(event));

    const reservation = admitted(root.admit(100));
    expect(reservation.settle(90)).toBe(90);
    expect(reservation.state).toBe('settled');
    expect([root.spentNanos, root.heldNanos, root.calls]).toEqual([90, 0, 1]);
    expect(after).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener exploded'), { code: 'TOKENFENCE_W001' });
    expect(warn.mock.calls[0]?.[0]).toContain('threshold-crossed');
  });
});

describe('Reservation', () => {
  it('resolves at most once: a repeated settle or release returns the first outcome and changes nothing', () => {
    const root = node('root', undefined, 1_000);
    const child = node('child', root, null);
    const settled = admitted(child.admit(300));
    expect(settled.settle(200)).toBe(200);
    expect(settled.settle(999)).toBe(200);
    settled.release();
    expect([settled.state, settled.chargedNanos]).toEqual(['settled', 200]);

    const released = admitted(child.admit(300));
    released.release();
    released.release();
    expect(released.settle(50)).toBe(0);
    expect([released.state, released.chargedNanos]).toEqual(['released', 0]);

    for (const scope of [child, root]) expect([scope.spentNanos, scope.heldNanos, scope.calls]).toEqual([200, 0, 1]);
  });
});

describe('BudgetNode exactness bound', () => {
  it('refuses, even when forced, a hold that would take spent + held past 2^53 − 1 n$, so counters stay exact', () => {
    const root = new BudgetNode({
      label: 'root',
      parent: undefined,
      limitNanos: 1_000,
      threshold: 0.8,
      onEvent: undefined,
      now: () => 0,
    });
    const first = root.admit(MAX_NANOS, true);
    expect(first.admitted).toBe(true);
    expect(root.admit(1, true)).toMatchObject({ admitted: false, deniedBy: root, killed: null });
    if (first.admitted) first.reservation.release();
    expect(root.heldNanos).toBe(0);
    expect(root.admit(1_000).admitted).toBe(true);
  });

  it('rejects amounts that are not whole non-negative nano-dollars', () => {
    const root = new BudgetNode({
      label: 'root',
      parent: undefined,
      limitNanos: 1_000,
      threshold: 0.8,
      onEvent: undefined,
      now: () => 0,
    });
    for (const amount of [-500, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => root.admit(amount)).toThrow(RangeError);
    expect(root.heldNanos).toBe(0);
  });
});
