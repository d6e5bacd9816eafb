/**
 * Model-based test of the Redis budget scripts (RELIABILITY.md T-36 for the Redis backend): random
 * sequences of reserve, settle, release, repeated settles (lost replies), kills and revivals against a
 * real redis-server, checked after every command against a pure reference model — the same admission
 * decision, and every scope's spent / held / calls equal to the model's (I-1: spent + held ≤ limit;
 * I-2: conservation).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SharedScope } from '../../src/budget/shared-budget-store.js';
import { type RedisStore, redisStore } from '../../src/stores/redis/redis-store.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

let server: RedisServerHandle;
let store: RedisStore;
beforeAll(async () => {
  server = await startRedisServer({ appendfsync: 'everysec' });
  store = redisStore(server.url, { timeoutMs: 2_000 });
});
afterAll(async () => {
  await store.shutdown(500).catch(() => {});
  await server.dispose();
});

/** Scope 0 is the root; scopes 1 and 2 are its children; 3 is a child of 1. */
const PARENT = [null, 0, 0, 1] as const;
const chainOf = (leaf: number): number[] => {
  const chain: number[] = [];
  for (let at: number | null = leaf; at !== null; at = PARENT[at] ?? null) chain.push(at);
  return chain;
};

type Command =
  | { kind: 'reserve'; leaf: number; amount: number }
  | { kind: 'burst'; reserves: { leaf: number; amount: number }[] }
  | { kind: 'settle'; pick: number; share: number; repeat: boolean }
  | { kind: 'release'; pick: number }
  | { kind: 'kill'; scope: number }
  | { kind: 'revive'; scope: number };

/** Mostly multiples of 500, so holds often fill a limit exactly (the boundary), sometimes any amount. */
const nanosArb = (max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: max / 500 }).map((n) => n * 500) },
    fc.integer({ min: 0, max }),
  );
const amountArb = nanosArb(4_000);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      leaf: fc.integer({ min: 0, max: 3 }),
      amount: amountArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('settle' as const),
      pick: fc.nat(),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      repeat: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kill' as const), scope: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revive' as const), scope: fc.integer({ min: 0, max: 3 }) }) },
);

const limitsArb = fc.tuple(
  nanosArb(10_000),
  fc.option(nanosArb(6_000), { nil: null }),
  fc.option(nanosArb(6_000), { nil: null }),
  fc.option(nanosArb(3_000), { nil: null }),
);

it('reserve / settle / release / kill on Redis match the reference model after every command', async () => {
  await fc.assert(
    fc.asyncProperty(limitsArb, fc.array(commandArb, { minLength: 1, maxLength: 40 }), async (limits, commands) => {
      const tree = `model-${randomUUID()}`;
      const scopes: SharedScope[] = limits.map((limitNanos, index) => ({
        key: `s${index}`,
        killKey: `s${index}`,
        limitNanos,
      }));
      const model = limits.map((limit) => ({ limit, spent: 0, held: 0, calls: 0, killed: false }));
      const open: { id: string; chain: number[]; amount: number }[] = [];
      const ended = new Map<string, { chain: number[]; cost: number | null }>();
      const scopesOfChain = (chain: number[]) => chain.map((index) => scopes[index] as SharedScope);
      for (const command of commands) {
        if (command.kind === 'reserve' || command.kind === 'burst') {
          // A burst is sent at once: the store batches it into one script, applied in submission order.
          const wanted = command.kind === 'reserve' ? [command] : command.reserves;
          const sent = wanted.map(({ leaf, amount }) => {
            const chain = chainOf(leaf);
            const id = randomUUID();
            const outcome = store.budgets.reserve({
              tree,
              reservationId: id,
              scopes: scopesOfChain(chain),
              amountNanos: amount,
              force: false,
              update: false,
            });
            return { chain, id, amount, outcome };
          });
          for (const { chain, id, amount, outcome } of sent) {
            const killed = chain.some((index) => model[index]?.killed);
            const fits = chain.every((index) => {
              const scope = model[index] as (typeof model)[number];
              return scope.limit === null || scope.spent + scope.held + amount <= scope.limit;
            });
            expect((await outcome).status).toBe(killed ? 'killed' : fits ? 'held' : 'denied');
            if (!killed && fits) {
              for (const index of chain) (model[index] as (typeof model)[number]).held += amount;
              open.push({ id, chain, amount });
            }
          }
        } else if (command.kind === 'settle' || command.kind === 'release') {
          if (command.kind === 'settle' && command.repeat && ended.size > 0) {
            const [id, first] = [...ended][command.pick % ended.size] as [
              string,
              { chain: number[]; cost: number | null },
            ];
            const again = await store.budgets.settleNow({
              tree,
              reservationId: id,
              scopes: scopesOfChain(first.chain),
              costNanos: first.cost,
            });
            expect(again.repeated).toBe(true);
            continue;
          }
          if (open.length === 0) continue;
          const [hold] = open.splice(command.pick % open.length, 1) as [(typeof open)[number]];
          const cost = command.kind === 'settle' ? Math.floor(hold.amount * command.share) : null;
          await store.budgets.settleNow({
            tree,
            reservationId: hold.id,
            scopes: scopesOfChain(hold.chain),
            costNanos: cost,
          });
          ended.set(hold.id, { chain: hold.chain, cost });
          for (const index of hold.chain) {
            const scope = model[index] as (typeof model)[number];
            scope.held -= hold.amount;
            if (cost !== null) {
              scope.spent += cost;
              scope.calls += 1;
            }
          }
        } else if (command.kind === 'kill') {
          await store.budgets.kill(tree, `s${command.scope}`, 'model');
          (model[command.scope] as (typeof model)[number]).killed = true;
        } else {
          await store.budgets.revive(tree, `s${command.scope}`);
          (model[command.scope] as (typeof model)[number]).killed = false;
        }
        for (let index = 0; index < scopes.length; index += 1) {
          const actual = await store.budgets.totals(tree, scopes[index] as SharedScope);
          const expected = model[index] as (typeof model)[number];
          if (actual.limitNanos === null && expected.limit !== null) continue; // not created yet (never reserved in)
          expect([actual.spentNanos, actual.heldNanos, actual.calls]).toEqual([
            expected.spent,
            expected.held,
            expected.calls,
          ]);
          if (expected.limit !== null) expect(actual.spentNanos + actual.heldNanos).toBeLessThanOrEqual(expected.limit);
        }
      }
    }),
    { numRuns: 50 },
  );
}, 120_000);
