import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BUDGET_NODE } from '../resolve-options.js';
import { TokenFence } from '../token-fence.js';
import { DEFAULT_MAX_IDLE_TAG_SCOPES } from './tag-scopes.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

/** One call's admission and settlement in a child scope tagged `tenant=<value>`: the real path of a call. */
function spendAs(fence: TokenFence, tenant: string, costNanos: number): void {
  const caller = new TokenFence({ parent: fence, label: 'client', tags: { tenant } });
  const admission = caller[BUDGET_NODE].scope.forCall().admit(costNanos);
  if (!admission.admitted) throw new Error(`refused ${tenant}`);
  admission.reservation.settle(costNanos);
}

describe('TagScopes memory bound', () => {
  it('100,000 distinct tenants: at most the idle limit of scopes in memory, heap bounded, spend of the live window kept', () => {
    let now = Date.UTC(2026, 11, 8, 0, 0);
    const fence = new TokenFence({
      store: 'memory',
      tagBudgets: { tenant: { usd: 1, per: 'hour' } },
      _internal: { now: () => now },
    });
    const scopes = fence[BUDGET_NODE].tagScopes;
    const before = heapMb();
    let peak = 0;
    for (let index = 0; index < 100_000; index += 1) {
      // Ten windows of 10,000 tenants each: an ended window's kept spend goes with it.
      if (index > 0 && index % 10_000 === 0) now += 3_600_000;
      spendAs(fence, `t${index}`, 1_000 + (index % 7));
      peak = Math.max(peak, scopes?.size ?? 0);
    }
    const grown = heapMb() - before;
    expect(peak).toBeLessThanOrEqual(DEFAULT_MAX_IDLE_TAG_SCOPES + 1);
    expect(scopes?.remnantCount).toBeLessThanOrEqual(10_000);
    expect(scopes?.evicted).toBeGreaterThanOrEqual(99_000 - DEFAULT_MAX_IDLE_TAG_SCOPES);
    // Measured 5 MB here; without eviction 20,000 scopes alone grew the heap by 62 MB (~3 KB a scope).
    expect(grown).toBeLessThan(40);
    // An evicted tenant of the live window comes back with its spend.
    const last = fence.tagScope('tenant', 't90000');
    expect(last?.spentNanos).toBe(1_000 + (90_000 % 7));
    expect(fence.tagScope('tenant', 't5')?.spentNanos).toBe(0);
  }, 120_000);

  it('never evicts a scope that holds a reservation, is in flight or is killed', () => {
    const fence = new TokenFence({
      store: 'memory',
      tagBudgets: { tenant: { usd: 1, per: 'day' } },
      _internal: { maxIdleTagScopes: 2 },
    });
    const busy = new TokenFence({ parent: fence, tags: { tenant: 'busy' } })[BUDGET_NODE].scope.forCall();
    const held = busy.admit(5);
    if (!held.admitted) throw new Error('refused');
    fence.tagScope('tenant', 'killed')?.kill('stop');
    for (let index = 0; index < 50; index += 1) spendAs(fence, `t${index}`, 10);
    const live = fence.tagScopes.map((scope) => scope.label);
    expect(live).toContain('tenant=busy');
    expect(live).toContain('tenant=killed');
    expect(fence.tagScope('tenant', 'busy')?.reserved).toBeCloseTo(5e-9, 15);
    held.reservation.settle(5);
    expect(fence.tagScope('tenant', 'busy')?.spentNanos).toBe(5);
  });
});
