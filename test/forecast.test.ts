import { describe, expect, it } from 'vitest';
import { forecastSpend } from '../src/budget/forecast-spend.js';
import { TokenFence, type TokenFenceEvent } from '../src/index.js';
import { createFakeClock, type MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// 1,000 output tokens of gpt-4o ($10 / 1M) plus 10 input tokens ($2.50 / 1M): 10,025,000 n$ a call.
const CALL = { model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 } as const;
const CALL_NANOS = 10 * 2_500 + 1_000 * 10_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JAN_1 = Date.UTC(2026, 0, 1);

function dailyFence(budgetUsd: number, start = JAN_1) {
  const clock = createFakeClock(start);
  const fence = new TokenFence({ store: 'memory', budget: { usd: budgetUsd, per: 'day' }, clock });
  const client = fence.guard(openAIClient(mock));
  const forecasts: Array<Extract<TokenFenceEvent, { type: 'budget-forecast' }>> = [];
  fence.on('budget-forecast', (event) => forecasts.push(event));
  return { clock, fence, client, forecasts, call: () => client.chat.completions.create(CALL) };
}

describe('forecastSpend', () => {
  it('projects the rate so far to the end of the period and says when the budget runs out', () => {
    // 6 of 24 hours gone, 60 n$ spent: 10 n$ an hour, 240 n$ by the end.
    const base = { spentNanos: 60, startsAt: 0, endsAt: 24, now: 6 };
    expect(forecastSpend({ ...base, budgetNanos: 1_000 })).toEqual({
      projectedNanos: 240,
      exhaustsAt: null,
      elapsedShare: 0.25,
    });
    // A budget of 200 n$ lasts (200 - 60) / 10 = 14 more hours.
    expect(forecastSpend({ ...base, budgetNanos: 200 }).exhaustsAt).toBe(20);
    expect(forecastSpend({ ...base, budgetNanos: 50 }).exhaustsAt).toBe(6);
    expect(forecastSpend({ ...base, budgetNanos: null }).exhaustsAt).toBeNull();
    // Nothing spent: nothing projected, nothing runs out.
    expect(forecastSpend({ ...base, spentNanos: 0, budgetNanos: 10 })).toMatchObject({
      projectedNanos: 0,
      exhaustsAt: null,
    });
    // Without an end, the spend so far is the projection.
    expect(forecastSpend({ ...base, endsAt: null, budgetNanos: 100 })).toMatchObject({
      projectedNanos: 60,
      exhaustsAt: null,
    });
  });

  it('leans on the previous period early, on the current one late', () => {
    // History: 20 n$ an hour. A quarter in, the current rate (10) weighs 1/4: 17.5 an hour for 18 hours.
    const forecast = forecastSpend({
      spentNanos: 60,
      budgetNanos: null,
      startsAt: 0,
      endsAt: 24,
      now: 6,
      historyRate: 20,
    });
    expect(forecast.projectedNanos).toBe(60 + 17.5 * 18);
    expect(
      forecastSpend({ spentNanos: 0, budgetNanos: null, startsAt: 0, endsAt: 24, now: 0, historyRate: 20 })
        .projectedNanos,
    ).toBe(480);
  });
});

describe('fence.forecast() and the budget-forecast event on a fake clock', () => {
  it('a linear history: one call an hour projects 24 calls by midnight, and says when a smaller budget runs out', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const { clock, fence, call, forecasts } = dailyFence(1);
    for (let hour = 1; hour <= 6; hour += 1) {
      clock.set(JAN_1 + hour * HOUR);
      await call();
    }
    const [forecast] = fence.forecast();
    expect(forecast).toEqual({
      scope: 'default',
      tag: null,
      runId: null,
      spentUsd: (6 * CALL_NANOS) / 1e9,
      projectedUsd: (24 * CALL_NANOS) / 1e9,
      budgetUsd: 1,
      windowEndsAt: new Date(JAN_1 + DAY),
      exhaustsAt: null,
    });
    expect(forecasts).toEqual([]);

    // A $0.20 budget at that rate: (200,000,000 − 6 calls) n$ at one call an hour.
    const tight = dailyFence(0.2);
    for (let hour = 1; hour <= 6; hour += 1) {
      tight.clock.set(JAN_1 + hour * HOUR);
      await tight.call();
    }
    const runsOut = JAN_1 + 6 * HOUR + ((200_000_000 - 6 * CALL_NANOS) / CALL_NANOS) * HOUR;
    expect(tight.fence.forecast()[0]?.exhaustsAt?.getTime()).toBeCloseTo(runsOut, -1);
    // Fired once, at the 02:00 settlement: 01:00 is 4.2 % into the day (under 5 %), 02:00 is 8.3 %.
    expect(tight.forecasts).toHaveLength(1);
    expect(tight.forecasts[0]).toMatchObject({
      type: 'budget-forecast',
      label: 'default',
      spentUsd: (2 * CALL_NANOS) / 1e9,
      projectedUsd: (24 * CALL_NANOS) / 1e9,
      budgetUsd: 0.2,
      windowStart: JAN_1,
      windowEndsAt: JAN_1 + DAY,
    });
    expect(tight.forecasts[0]?.exhaustsAt).toBeCloseTo(
      JAN_1 + 2 * HOUR + ((200_000_000 - 2 * CALL_NANOS) / CALL_NANOS) * HOUR,
      -1,
    );

    // The next day is a new window: the event may fire again, once. Yesterday's pace (6 calls a day) now
    // weighs in early, so one call an hour would not fire it; three an hour do.
    for (let hour = 1; hour <= 4; hour += 1) {
      tight.clock.set(JAN_1 + DAY + hour * HOUR);
      for (let index = 0; index < 3; index += 1) await tight.call();
    }
    expect(tight.forecasts.map((event) => event.windowStart)).toEqual([JAN_1, JAN_1 + DAY]);
    await fence.close();
    await tight.fence.close();
  });

  it('a bursty history: a burst early fires the event; quiet hours after bring the projection down', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const { clock, fence, call, forecasts } = dailyFence(0.3);
    clock.set(JAN_1 + 30 * 60_000);
    for (let index = 0; index < 5; index += 1) await call();
    // 2 % into the day: no event yet, however steep the rate.
    expect(forecasts).toHaveLength(0);
    expect(fence.forecast()[0]?.projectedUsd).toBeCloseTo((5 * CALL_NANOS * 48) / 1e9, 9);
    clock.set(JAN_1 + 90 * 60_000);
    await call();
    expect(forecasts).toHaveLength(1);
    expect(forecasts[0]?.projectedUsd).toBeCloseTo((6 * CALL_NANOS * 16) / 1e9, 9);
    clock.set(JAN_1 + 12 * HOUR);
    const calm = fence.forecast()[0];
    expect(calm?.projectedUsd).toBeCloseTo((6 * CALL_NANOS * 2) / 1e9, 9);
    expect(calm?.exhaustsAt).toBeNull();
    await fence.close();
  });

  it('an empty history: nothing spent projects $0, nothing runs out; scopes without a budget are left out', async () => {
    const { clock, fence } = dailyFence(5);
    clock.set(JAN_1 + 12 * HOUR);
    fence.guard(openAIClient(mock));
    expect(fence.forecast()).toEqual([
      {
        scope: 'default',
        tag: null,
        runId: null,
        spentUsd: 0,
        projectedUsd: 0,
        budgetUsd: 5,
        windowEndsAt: new Date(JAN_1 + DAY),
        exhaustsAt: null,
      },
    ]);
    expect(new TokenFence({ store: 'memory' }).forecast()).toEqual([]);
  });

  it('forecasts each tag budget in memory, with its tag value', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const clock = createFakeClock(JAN_1);
    const fence = new TokenFence({ store: 'memory', clock, tagBudgets: { tenant: { usd: 1, per: 'day' } } });
    const client = fence.guard(openAIClient(mock));
    clock.set(JAN_1 + 6 * HOUR);
    await fence.run({ workflow: 'support', tags: { tenant: 'acme' } }, async () => {
      await client.chat.completions.create(CALL);
      await client.chat.completions.create(CALL);
    });
    const tagForecasts = fence.forecast().filter((forecast) => forecast.tag !== null);
    // 2 calls in the first 6 hours of the day: 8 by midnight.
    expect(tagForecasts).toEqual([
      {
        // Its path in this process; on a shared (Redis) store its shared id, `tag:tenant=acme`.
        scope: 'default/tenant=acme',
        tag: { key: 'tenant', value: 'acme' },
        runId: null,
        spentUsd: (2 * CALL_NANOS) / 1e9,
        projectedUsd: (8 * CALL_NANOS) / 1e9,
        budgetUsd: 1,
        windowEndsAt: new Date(JAN_1 + DAY),
        exhaustsAt: null,
      },
    ]);
    await fence.close();
  });

  it('uses the previous window early in a new one', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const { clock, fence, call } = dailyFence(10);
    for (let hour = 0; hour < 24; hour += 1) {
      clock.set(JAN_1 + hour * HOUR + 1);
      await call();
    }
    // Six hours into the next day with nothing spent: a quarter of yesterday's rate is gone, three quarters stay.
    clock.set(JAN_1 + DAY + 6 * HOUR);
    // (Rounded up once, to the nano-dollar.)
    expect(fence.forecast()[0]?.projectedUsd).toBeCloseTo((0.75 * 24 * CALL_NANOS * 0.75) / 1e9, 8);
    await fence.close();
  });

  it('a run without a window projects to its expected end: the median length of its workflow’s finished runs', async () => {
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const clock = createFakeClock(JAN_1);
    const fence = new TokenFence({ store: 'memory', clock });
    const client = fence.guard(openAIClient(mock));
    for (const minutes of [8, 10, 30]) {
      await fence.run({ workflow: 'report', budget: 1 }, async () => {
        await client.chat.completions.create(CALL);
        clock.advance(minutes * 60_000);
      });
    }
    let seen: ReturnType<TokenFence['forecast']> = [];
    await fence.run({ workflow: 'report', budget: 0.03 }, async (run) => {
      const startedAt = clock.now();
      await client.chat.completions.create(CALL);
      clock.advance(5 * 60_000);
      await client.chat.completions.create(CALL);
      seen = fence.forecast();
      // Two calls in 5 of an expected 10 minutes: four by the end, past the $0.03 budget at 7.5 minutes.
      expect(seen).toEqual([
        {
          scope: 'default/report',
          tag: null,
          runId: run.id,
          spentUsd: (2 * CALL_NANOS) / 1e9,
          projectedUsd: (4 * CALL_NANOS) / 1e9,
          budgetUsd: 0.03,
          windowEndsAt: new Date(startedAt + 10 * 60_000),
          exhaustsAt: expect.any(Date),
        },
      ]);
      expect(seen[0]?.exhaustsAt?.getTime()).toBeCloseTo(
        startedAt + 5 * 60_000 + ((30_000_000 - 2 * CALL_NANOS) / (2 * CALL_NANOS)) * 5 * 60_000,
        -1,
      );
    });
    await fence.close();
  });
});

describe('tokenfence forecast', () => {
  it('projects a scope of the ledger to its window end, in json with ISO dates; an empty scope notes it', async () => {
    const { main } = await import('../src/cli/main.js');
    const { openSqliteLedgerStore } = await import('../src/stores/sqlite/sqlite-ledger-store.js');
    const { sampleCallRecord } = await import('../src/testing/index.js');
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'tokenfence-forecast-')), 'ledger.db');
    const store = openSqliteLedgerStore(file);
    const now = Date.now();
    const dayStart = Math.floor(now / DAY) * DAY;
    store.appendCalls([sampleCallRecord({ ts: dayStart, scope: 'api/researcher', costNanos: 1_000_000_000 })]);
    store.close();
    let out = '';
    let err = '';
    const io = { stdout: (text: string) => (out += text), stderr: (text: string) => (err += text), env: {} };
    const args = ['forecast', '--store', `sqlite:${file}`, '--per', 'day', '--budget', '0.5', '--format', 'json'];
    expect(await main([...args, '--scope', 'api', '--scope', 'other'], io)).toBe(0);
    const [api, other] = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(api).toMatchObject({ scope: 'api', tag: null, spentUsd: 1, budgetUsd: 0.5 });
    expect(api?.windowEndsAt).toBe(new Date(dayStart + DAY).toISOString());
    expect(typeof api?.exhaustsAt).toBe('string');
    expect(api?.projectedUsd as number).toBeGreaterThanOrEqual(1);
    expect(other).toMatchObject({ scope: 'other', spentUsd: 0, projectedUsd: 0, exhaustsAt: null });
    expect(err).toBe('');
    out = '';
    expect(await main([...args, '--scope', 'nobody'], io)).toBe(0);
    expect(err).toMatch(/^tokenfence forecast: no calls match --scope nobody --per day\n$/);
    expect(await main(['forecast', '--store', `sqlite:${file}`], io)).toBe(2);
  });
});
