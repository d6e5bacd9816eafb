// One worker process of the multi-process Redis tests. Modes:
//   race <url> <tree> <count> <limit> <amount>   reserve + settle `count` times (32 at once), print totals
//   hold <url> <tree> <count> <amount> <ttlMs>   make `count` holds, print "ready", wait to be killed
//   churn <url> <tree> <ms> <amount>             reserve + settle for <ms> through outages (settles via the outbox)
import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '../../src/errors/store-unavailable-error.js';
import { redisStore } from '../../src/stores/redis/redis-store.js';
import { scopesOf } from './redis-budget-worker-scopes.js';

const [mode, url, tree, countText, ...rest] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const count = Number(countText);

async function pool(
  total: number,
  width: number,
  task: (index: number) => Promise<void>,
  until = Number.POSITIVE_INFINITY,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total && Date.now() < until) await task(next++);
    }),
  );
}

async function race(limit: number, amount: number): Promise<void> {
  const store = redisStore(url, { timeoutMs: 5_000 });
  const scopes = scopesOf(limit);
  let admitted = 0;
  let denied = 0;
  await pool(count, 32, async () => {
    const reservationId = randomUUID();
    const outcome = await store.budgets.reserve({
      tree,
      reservationId,
      scopes,
      amountNanos: amount,
      force: false,
      update: false,
    });
    if (outcome.status !== 'held') {
      denied += 1;
      return;
    }
    admitted += 1;
    await store.budgets.settleNow({ tree, reservationId, scopes, costNanos: amount });
  });
  process.stdout.write(`${JSON.stringify({ admitted, denied })}\n`);
  await store.shutdown();
}

async function hold(amount: number, ttlMs: number): Promise<void> {
  const store = redisStore(url, { holdTtlMs: ttlMs, timeoutMs: 2_000 });
  const scopes = scopesOf(null);
  for (let index = 0; index < count; index += 1) {
    const reservationId = randomUUID();
    await store.budgets.reserve({ tree, reservationId, scopes, amountNanos: amount, force: false, update: false });
    store.budgets.track(tree, reservationId);
  }
  process.stdout.write('ready\n');
  setInterval(() => {}, 1_000);
}

/** Keeps going while Redis is killed and restarted: a refused reserve is skipped, every settle is kept. */
async function churn(amount: number): Promise<void> {
  const store = redisStore(url, { timeoutMs: 300 });
  const scopes = scopesOf(null);
  let settled = 0;
  let settledNanos = 0;
  let refused = 0;
  // Runs for a time, not a count: the test kills Redis on its own schedule and must hit the run.
  await pool(
    Number.POSITIVE_INFINITY,
    8,
    async (index) => {
      const reservationId = randomUUID();
      try {
        await store.budgets.reserve({ tree, reservationId, scopes, amountNanos: amount, force: false, update: false });
      } catch (error) {
        if (!StoreUnavailableError.isInstance(error)) throw error;
        // The reserve may have landed before the reply was lost: it is released, once Redis answers.
        void store.budgets.settle({ tree, reservationId, scopes, costNanos: null });
        refused += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return;
      }
      const cost = 1 + (index % amount);
      void store.budgets.settle({ tree, reservationId, scopes, costNanos: cost });
      settled += 1;
      settledNanos += cost;
    },
    Date.now() + count,
  );
  await store.budgets.drain();
  process.stdout.write(`${JSON.stringify({ settled, settledNanos, refused })}\n`);
  await store.shutdown();
}

if (mode === 'race') await race(Number(rest[0]), Number(rest[1]));
else if (mode === 'hold') await hold(Number(rest[0]), Number(rest[1]));
else if (mode === 'churn') await churn(Number(rest[0]));
else throw new Error(`unknown mode ${mode}`);
