import { describe, expect, it } from 'vitest';
import { BudgetExceededError, InvalidOptionsError, TokenFence, type TokenFenceEvent } from '../src/index.js';
import type { MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// gpt-4o: $2.50 / 1M input, $10 / 1M output. 10 input + 1,000 output tokens = 10 × 2,500 + 1,000 × 10,000 n$.
const CALL = { model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 } as const;
const CALL_NANOS = 10 * 2_500 + 1_000 * 10_000;

function tenantsOf(fence: TokenFence) {
  return Object.fromEntries(fence.tagScopes.map((scope) => [scope.label, scope.spentNanos]));
}

describe('tags', () => {
  it('records the tags of the fence, run, agent and client on every call and run, the innermost value winning', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const fence = new TokenFence({ store: 'memory', tags: { region: 'eu', feature: 'base' } });
    const client = fence.guard(openAIClient(mock), { tags: { feature: 'search' } });
    await fence.run({ workflow: 'w', tags: { tenant: 'acme', region: 'us' } }, async () => {
      await client.chat.completions.create(CALL);
      await fence.agent('writer', { tags: { user: 'u-17' } }, () => client.chat.completions.create(CALL));
    });
    await client.chat.completions.create(CALL);
    fence.flush();
    const calls = fence.store.queryCalls({});
    expect(calls.map((call) => call.tags)).toEqual([
      { region: 'us', feature: 'search', tenant: 'acme' },
      { region: 'us', feature: 'search', tenant: 'acme', user: 'u-17' },
      { region: 'eu', feature: 'search' },
    ]);
    expect(fence.store.queryRuns({})[0]?.tags).toEqual({ region: 'us', feature: 'base', tenant: 'acme' });
    expect(fence.store.queryCalls({ tags: { tenant: 'acme', user: 'u-17' } }).length).toBe(1);
  });

  it('leaves records of untagged calls without a tags field', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const fence = new TokenFence({ store: 'memory' });
    await fence.guard(openAIClient(mock)).chat.completions.create(CALL);
    fence.flush();
    expect('tags' in (fence.store.queryCalls({})[0] ?? {})).toBe(false);
  });

  it.each([
    [{ 'bad key': 'x' }, 'tags.bad key'],
    [{ tenant: '' }, 'tags.tenant'],
    [{ tenant: 'a/b' }, 'tags.tenant'],
    [{ tenant: 'x'.repeat(129) }, 'tags.tenant'],
    [{ tenant: 7 }, 'tags.tenant'],
    [{ _hidden: 'x' }, 'tags._hidden'],
    [Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])), 'tags'],
    [['tenant'], 'tags'],
    ['tenant=acme', 'tags'],
  ])('refuses tags %j with InvalidOptionsError naming %s', async (tags, option) => {
    const fence = new TokenFence();
    const errors = [
      () => new TokenFence({ tags: tags as never }),
      () => fence.guard(openAIClient(mock), { tags: tags as never }),
    ];
    for (const make of errors) {
      try {
        make();
        expect.unreachable();
      } catch (error) {
        expect(InvalidOptionsError.isInstance(error)).toBe(true);
        expect((error as InvalidOptionsError).code).toBe('INVALID_OPTIONS');
        expect((error as InvalidOptionsError).option).toBe(option);
      }
    }
    await expect(fence.run({ workflow: 'w', tags: tags as never }, () => 1)).rejects.toMatchObject({ option });
    await expect(fence.agent('a', { tags: tags as never }, () => 1)).rejects.toMatchObject({ option });
  });

  it.each([
    [{ tenant: { usd: 5 } }, 'tagBudgets.tenant.per'],
    [{ tenant: { usd: -1, per: 'day' } }, 'tagBudgets.tenant.usd'],
    [{ tenant: { usd: 1, per: 'week' } }, 'tagBudgets.tenant.per'],
    [{ 'te nant': { usd: 1, per: 'day' } }, 'tagBudgets.te nant'],
    [
      { tenant: { default: { usd: 1, per: 'day' }, values: { 'a/b': { usd: 1, per: 'day' } } } },
      'tagBudgets.tenant.values',
    ],
    [{ tenant: { defaults: { usd: 1, per: 'day' } } }, 'tagBudgets.tenant.defaults'],
    [{ tenant: {} }, 'tagBudgets.tenant'],
  ])('refuses tagBudgets %j with InvalidOptionsError naming %s', (tagBudgets, option) => {
    expect(() => new TokenFence({ tagBudgets: tagBudgets as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', option }),
    );
  });
});

describe('tag budgets', () => {
  it('never lets concurrent runs of several tenants pass their tenant budget, each refused as `tenant=<value>`', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000, delayMs: 5 });
    const budgetUsd = 0.035; // room for 3 worst cases of ~$0.0100x, not 4
    const fence = new TokenFence({ store: 'memory', tagBudgets: { tenant: { usd: budgetUsd, per: 'month' } } });
    const client = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const refusals: string[] = [];
    const runs = ['acme', 'globex', 'initech'].flatMap((tenant) =>
      Array.from({ length: 8 }, () =>
        fence.run({ workflow: 'support', tags: { tenant } }, async () => {
          for (let call = 0; call < 2; call += 1) {
            try {
              await client.chat.completions.create(CALL);
            } catch (error) {
              if (!BudgetExceededError.isInstance(error)) throw error;
              refusals.push(error.label);
            }
          }
        }),
      ),
    );
    await Promise.all(runs);
    fence.flush();
    const limit = Math.floor(budgetUsd * 1e9);
    for (const tenant of ['acme', 'globex', 'initech']) {
      const spent = fence.store
        .queryCalls({ tags: { tenant } })
        .filter((call) => call.outcome === 'ok')
        .reduce((sum, call) => sum + call.costNanos, 0);
      expect(spent).toBe(3 * CALL_NANOS);
      expect(spent).toBeLessThanOrEqual(limit);
      expect(fence.tagScope('tenant', tenant)?.spentNanos).toBe(spent);
      expect(refusals.filter((label) => label === `tenant=${tenant}`).length).toBe(16 - 3);
    }
    expect(fence.tagScope('tenant', 'acme')?.reserved).toBe(0);
  });

  it('applies per-value overrides over the default, and a value without either has no tag budget', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const fence = new TokenFence({
      store: 'memory',
      tagBudgets: {
        tenant: { default: { usd: 0.015, per: 'day' }, values: { acme: { usd: '$0.05', per: 'day' } } },
        plan: { values: { free: { usd: 0.025, per: 'hour' } } },
      },
    });
    expect(fence.tagScope('tenant', 'acme')?.budget).toBe(0.05);
    expect(fence.tagScope('tenant', 'globex')?.budget).toBe(0.015);
    expect(fence.tagScope('plan', 'free')?.window?.period).toBe('hour');
    expect(fence.tagScope('plan', 'pro')).toBeUndefined();
    const client = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const callsAllowed = async (tags: Record<string, string>) => {
      let made = 0;
      await fence.run({ workflow: 'w', tags }, async () => {
        for (let call = 0; call < 6; call += 1) {
          try {
            await client.chat.completions.create(CALL);
            made += 1;
          } catch (error) {
            if (!BudgetExceededError.isInstance(error)) throw error;
          }
        }
      });
      return made;
    };
    expect(await callsAllowed({ tenant: 'acme' })).toBe(4);
    expect(await callsAllowed({ tenant: 'globex' })).toBe(1);
    // plan=free ($0.025/h) binds before tenant=initech ($0.015/day)? No: the tenant's is the smaller.
    expect(await callsAllowed({ tenant: 'initech', plan: 'free' })).toBe(1);
    expect(await callsAllowed({ plan: 'free' })).toBe(1);
    expect(await callsAllowed({ plan: 'pro' })).toBe(6);
    expect(fence.tagScope('plan', 'free')?.spentNanos).toBe(2 * CALL_NANOS);
  });

  it('holds a call to every enclosing scope too: the run budget refuses before the tenant budget runs out', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const fence = new TokenFence({ store: 'memory', tagBudgets: { tenant: { usd: 1, per: 'month' } } });
    const client = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const denied = await fence
      .run({ workflow: 'w', tags: { tenant: 'acme' }, budget: 0.015 }, async () => {
        await client.chat.completions.create(CALL);
        await client.chat.completions.create(CALL);
      })
      .catch((error: unknown) => error);
    expect((denied as BudgetExceededError).label).toBe('w');
    expect(fence.tagScope('tenant', 'acme')?.spentNanos).toBe(CALL_NANOS);
  });

  it('names the tag value in events, alerts and refusals, and a kill of the value refuses every call carrying it', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const events: TokenFenceEvent[] = [];
    const fence = new TokenFence({
      store: 'memory',
      tagBudgets: { tenant: { usd: 0.025, per: 'day' } },
      alerts: [0.5],
      onEvent: (event) => events.push(event),
    });
    const client = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    await fence.run({ workflow: 'w', tags: { tenant: 'acme' } }, async () => {
      await client.chat.completions.create(CALL);
      await client.chat.completions.create(CALL);
      await expect(client.chat.completions.create(CALL)).rejects.toMatchObject({ label: 'tenant=acme' });
    });
    const alert = events.find((event) => event.type === 'budget-alert');
    expect(alert).toMatchObject({ label: 'tenant=acme', path: ['default', 'tenant=acme'], threshold: 0.5 });
    const acme = fence.tagScope('tenant', 'acme') as TokenFence;
    expect(acme.tag).toEqual({ key: 'tenant', value: 'acme' });
    expect(fence.tag).toBeNull();
    fence.tagScope('tenant', 'globex')?.kill('unpaid invoice');
    await expect(
      fence.run({ workflow: 'w', tags: { tenant: 'globex' } }, () => client.chat.completions.create(CALL)),
    ).rejects.toMatchObject({ code: 'KILL_SWITCH' });
    await fence.run({ workflow: 'w', tags: { tenant: 'other' } }, () => client.chat.completions.create(CALL));
  });

  it('evicts idle tenant scopes past the idle limit and keeps their window’s spend: budgets still hold', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const fence = new TokenFence({
      store: 'memory',
      tagBudgets: { tenant: { usd: 0.025, per: 'day' } },
      _internal: { maxIdleTagScopes: 3 },
    });
    const client = fence.guard(openAIClient(mock), { onLimit: 'throw' });
    const call = (tenant: string) =>
      fence
        .run({ workflow: 'w', tags: { tenant } }, () => client.chat.completions.create(CALL))
        .then(
          () => true,
          (error: unknown) => {
            if (BudgetExceededError.isInstance(error)) return false;
            throw error;
          },
        );
    const tenants = Array.from({ length: 20 }, (_, index) => `t${index}`);
    for (let round = 0; round < 3; round += 1) {
      for (const tenant of tenants) expect(await call(tenant)).toBe(round < 2);
      expect(fence.tagScopes.length).toBeLessThanOrEqual(3);
    }
    expect(tenantsOf(fence)).toEqual(Object.fromEntries(fence.tagScopes.map((scope) => [scope.label, 2 * CALL_NANOS])));
  });
});
