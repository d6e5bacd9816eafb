import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { guard, startDashboard, TokenFence, TokenFenceError } from '../../src/index.js';
import { KNOWN_OPTIONS } from '../../src/resolve-options.js';
import { redisStore } from '../../src/stores/redis/redis-store.js';
import { CANARY_KEY, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

// Every public entry point that takes options or a store string, fed 5,000 generated inputs each: it
// either works or throws a TokenFenceError with a code, and no credential of a store URL reaches the
// error, its message, its cause, its inspection or its JSON.
const RUNS = 5_000;
const SECRET = 'pw-S3cr3t-9d2b';

let mockUrl = '';
useMockProvider((mock) => {
  mockUrl = mock.url;
});

const oddObjects = fc.constantFrom<unknown>(
  Object.create(null),
  Object.assign(Object.create(null), { usd: 1, per: 'day' }),
  new Proxy({}, { ownKeys: () => [] }),
  [],
  [1, 'two', null],
  new Date(Number.NaN),
  new Map([['a', 1]]),
  /regex/,
  Symbol('s'),
  10n,
  () => 'function',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -0,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  '\u0000',
  'x'.repeat(10_000),
  '1e400',
  '$5',
  '-1',
  '__proto__',
);

/** Values of every shape, weighted towards the odd ones that reach a validator's corners. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: oddObjects },
  { weight: 3, arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 100 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/** Store strings: mostly mangled Redis URLs carrying a password, some other schemes. */
const storeString = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('redis://', 'rediss://', 'redis:/', 'REDIS://', 'redis://user:', 'rediss://:'),
      fc.constantFrom(`:${SECRET}@`, `u:${SECRET}@`, `${SECRET}@`, `:${SECRET}@@`, `u:${SECRET}`, `:${SECRET}%zz@`),
      fc.constantFrom('127.0.0.1', '[::1', '[::1]', 'ho st', '', '%', 'localhost', '256.1.1.1', 'a..b'),
      fc.constantFrom('', ':1', ':0', ':99999', ':-1', ':abc', ':6379'),
      fc.constantFrom('', '/', '/0', '/abc', '/99999999999', '/1/2'),
      fc.constantFrom('', `?password=${SECRET}`, '?db=x', '?family=9', '#frag', '?tls=true'),
    )
    .map((parts) => parts.join('')),
  fc.constantFrom('sqlite:', 'memory', 'postgres://u:pw@h/db', 'mysql://x', `redis${SECRET}`, 'sqlite'),
  fc.string({ maxLength: 20 }).map((text) => `redis://:${SECRET}@${text}`),
);

// Every option the fence knows (new ones are fuzzed as they are added), and one it does not.
const FENCE_KEYS = [...KNOWN_OPTIONS].filter((key) => key !== '_internal').concat('unknownOption');

function optionsOf(keys: readonly string[], values: fc.Arbitrary<unknown> = anyValue) {
  return fc.oneof(
    { weight: 1, arbitrary: anyValue },
    {
      weight: 6,
      arbitrary: fc.dictionary(fc.constantFrom(...keys), values, { maxKeys: 4 }),
    },
  );
}

function expectSafe(error: unknown): void {
  if (!TokenFenceError.isInstance(error)) {
    throw new Error(`not a TokenFenceError: ${inspect(error, { depth: 1 }).slice(0, 400)}`);
  }
  expect(typeof error.code).toBe('string');
  const views = [String(error), error.message, error.stack ?? '', inspect(error, { depth: 5 }), JSON.stringify(error)];
  for (const view of views) {
    expect(view).not.toContain(SECRET);
    expect(view).not.toContain(CANARY_KEY);
  }
}

/** Runs `attempt`, accepting success or a safe TokenFenceError; resources it opened are closed. */
async function safely(attempt: () => unknown): Promise<void> {
  try {
    const value = await attempt();
    const handle = value as { close?: () => unknown; tokenfence?: { close(): Promise<void> } } | undefined;
    if (value instanceof TokenFence) await value.close().catch(expectSafe);
    else if (handle?.tokenfence) await handle.tokenfence.close().catch(expectSafe);
  } catch (error) {
    expectSafe(error);
  }
}

describe('options fuzz: typed errors only, no credential in any error', () => {
  it(`new TokenFence(options) × ${RUNS}`, async () => {
    await fc.assert(
      fc.asyncProperty(optionsOf(FENCE_KEYS), (options) => safely(() => new TokenFence(options as never))),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`store strings × ${RUNS} (new TokenFence({ store }) and redisStore)`, async () => {
    await fc.assert(
      fc.asyncProperty(storeString, async (store) => {
        await safely(() => new TokenFence({ store: store as never }));
        await safely(async () => {
          const opened = redisStore(store, { timeoutMs: 50 });
          await opened.shutdown(10);
        });
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`guard(client, options) × ${RUNS}`, async () => {
    const client = openAIClient({ url: mockUrl } as never);
    await fc.assert(
      fc.asyncProperty(optionsOf(FENCE_KEYS.filter((key) => key !== 'store')), (options) =>
        safely(() => guard(client, options as never)),
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`fence.run(options) and fence.agent(label, options) × ${RUNS}`, async () => {
    const fence = new TokenFence({ budget: 10 });
    const runKeys = ['workflow', 'runId', 'budget', 'share', 'threshold', 'onEvent', 'anomaly', 'maxRetries', 'x'];
    await fc.assert(
      fc.asyncProperty(optionsOf(runKeys), anyValue, optionsOf(runKeys), async (runOptions, label, agentOptions) => {
        await safely(() => fence.run(runOptions as never, () => 'ran'));
        await safely(() => fence.agent(label as never, agentOptions as never, () => 'ran'));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`startDashboard(options) × ${RUNS} (each one binds a socket)`, async () => {
    const dashboardKeys = ['store', 'fence', 'port', 'token', 'pollMs', 'maxLiveStreams', 'requestTimeoutMs'];
    await fc.assert(
      fc.asyncProperty(optionsOf(dashboardKeys), async (options) => {
        try {
          const dashboard = await startDashboard(options as never);
          await dashboard.close();
        } catch (error) {
          expectSafe(error);
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`the CLI answers ${RUNS} mistaken command lines with a message, never a stack`, async () => {
    const word = fc.oneof(
      fc.constantFrom(
        'report',
        'runs',
        'tail',
        'prices',
        'dashboard',
        '--store',
        '--by',
        '--format',
        '--since',
        '--top',
        '--port',
        '--help',
        'memory',
        'sqlite:',
        `redis://:${SECRET}@[::1`,
        `redis://:${SECRET}@127.0.0.1:1`,
        'gpt-4o',
        'json',
        '-1',
        'tag:',
      ),
      fc.string({ maxLength: 8 }),
    );
    const commands = ['report', 'runs', 'tail', 'prices', 'dashboard'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...commands), fc.array(word, { maxLength: 5 }), async (command, args) => {
        let output = '';
        const abort = new AbortController();
        abort.abort();
        const io = {
          stdout: (text: string) => (output += text),
          stderr: (text: string) => (output += text),
          env: {},
          signal: abort.signal,
        };
        // `tail` follows the ledger until interrupted: it is given an aborted signal and no more time.
        const code = await main([command, ...args], io);
        expect(typeof code).toBe('number');
        expect(output).not.toMatch(/\n\s+at /);
        expect(output).not.toContain(SECRET);
      }),
      { numRuns: RUNS },
    );
  }, 240_000);
});
