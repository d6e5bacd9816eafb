/**
 * Shared budgets on Redis: TokenFence's 3-scope reserve + settle against rate-limiter-flexible's
 * RateLimiterRedis.consume() (a mature single-counter limiter) on the same private redis-server, with
 * TokenFence's in-process budget as the memory baseline. 32 concurrent callers per process, from 1 and
 * from 4 processes (bench/redis-worker.ts), in alternating rounds. See bench/README.md, section 4.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
// The built package, as users run it (`npm run bench` builds first).
import { redisStore } from 'tokenfence';
import { BudgetNode } from '../src/budget/budget-node.js';
import type { SharedScope } from '../src/budget/shared-budget-store.js';
import { type RedisServerHandle, redisServerInstalled, startRedisServer } from '../test/support/redis-server.js';
import { median } from './statistics.js';

export const REDIS_CALLERS = 32;
export const REDIS_PROCESSES = 4;
export const REDIS_ROUNDS = 3;
export const REDIS_WARMUP_MS = 500;
export const REDIS_MEASURE_MS = 1_500;
/** The aims: the 3-scope reservation at ≥ 0.8× the limiter's throughput, with p99 ≤ 5 ms. */
export const REDIS_THROUGHPUT_AIM = 0.8;
export const REDIS_P99_AIM_MS = 5;

const WORKER = fileURLToPath(new URL('./redis-worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const MISSING_SERVER = 'skipped: redis-server not installed (apt-get install -y redis-server)';

// ---------------------------------------------------------------------------------------------------
// What one op is, per target

export type Target = 'tokenfence' | 'tokenfenceGuard' | 'limiter' | 'limiterLua' | 'memory';

export const TARGET_LABELS: Record<Target, string> = {
  tokenfence: 'TokenFence Redis: reserve + settle, 3 scopes',
  tokenfenceGuard: 'TokenFence Redis as the guard runs it: settle in the background',
  limiter: 'rate-limiter-flexible consume(), duration 0',
  limiterLua: 'rate-limiter-flexible consume(), duration 3600',
  memory: 'TokenFence memory: admit + settle, 3 scopes',
};

/** Measured in 1 process, in this order (the memory baseline only here: it shares nothing between processes). */
const TARGETS: readonly Target[] = ['tokenfence', 'tokenfenceGuard', 'limiter', 'limiterLua', 'memory'];
/** Measured from 4 processes. */
const REDIS_TARGETS: readonly Target[] = ['tokenfence', 'tokenfenceGuard', 'limiter', 'limiterLua'];
/** The TokenFence ops the aims are judged on. */
const TOKENFENCE_TARGETS = ['tokenfence', 'tokenfenceGuard'] as const;

export interface Load {
  op: () => Promise<void>;
  close: () => Promise<void>;
}

const TREE = 'bench';
const SCOPES: readonly SharedScope[] = [
  { key: 'wf', killKey: 'wf', limitNanos: 1e15 },
  { key: 'wf/agent', killKey: 'wf/agent', limitNanos: 1e14 },
  { key: 'wf/agent/client', killKey: 'wf/agent/client', limitNanos: null },
];
const HOLD_NANOS = 1_000;
const COST_NANOS = 700;

/**
 * One op = one reserve (a Lua script over the 3 scopes) + one settle (another). `awaitSettle`: the caller
 * waits for both round trips. Otherwise, as a guarded call does, it waits for the reserve only and its
 * settle goes through the outbox; ops count only while at most one settle per caller is unacknowledged
 * (the oldest is awaited), so the outbox cannot run ahead of Redis.
 */
function tokenFenceLoad(url: string, awaitSettle: boolean): Load {
  const store = redisStore(url, { timeoutMs: 2_000 });
  const acknowledgements: Promise<void>[] = [];
  return {
    op: async () => {
      const reservationId = randomUUID();
      const outcome = await store.budgets.reserve({
        tree: TREE,
        reservationId,
        scopes: SCOPES,
        amountNanos: HOLD_NANOS,
        force: false,
        update: false,
      });
      if (outcome.status !== 'held') throw new Error(`bench reservation not held: ${outcome.status}`);
      const settlement = { tree: TREE, reservationId, scopes: SCOPES, costNanos: COST_NANOS };
      if (awaitSettle) {
        await store.budgets.settleNow(settlement);
        return;
      }
      acknowledgements.push(store.budgets.settle(settlement));
      if (acknowledgements.length > REDIS_CALLERS) await acknowledgements.shift();
    },
    close: () => store.shutdown(),
  };
}

/**
 * One op = one consume of one point. `duration: 0` never expires the key: a plain counter, sent as
 * MULTI INCRBY PTTL EXEC. Any `duration` > 0 (the usual configuration) takes its other path: one EVALSHA
 * of a 4-command script. Either way one round trip; points are never exhausted here.
 */
function limiterLoad(url: string, duration: number): Load {
  const client = new Redis(url, { enableOfflineQueue: false });
  client.on('error', () => {});
  const keyPrefix = duration === 0 ? 'rlf' : 'rlf-lua';
  const limiter = new RateLimiterRedis({ storeClient: client, points: 1e12, duration, keyPrefix });
  return {
    op: async () => {
      await limiter.consume('key', 1);
    },
    close: async () => {
      client.disconnect();
    },
  };
}

/** One op = admit 1,000 n$ on a 3-scope chain (root with a limit, child with a limit, leaf without), settle at 700. */
function memoryLoad(): Load {
  const node = (label: string, parent: BudgetNode | undefined, limitNanos: number | null) =>
    new BudgetNode({ label, parent, limitNanos, threshold: 0.8, onEvent: undefined, now: Date.now });
  const root = node('wf', undefined, 1e15);
  const leaf = node('client', node('agent', root, 1e14), null);
  return {
    op: async () => {
      const admission = leaf.admit(HOLD_NANOS);
      if (!admission.admitted) throw new Error(`bench admission refused by ${admission.deniedBy.pathString}`);
      admission.reservation.settle(COST_NANOS);
    },
    close: async () => {},
  };
}

/** Opens a target and runs one op, so connecting is not measured. */
export async function openLoad(target: Target, url: string): Promise<Load> {
  const load =
    target === 'tokenfence' || target === 'tokenfenceGuard'
      ? tokenFenceLoad(url, target === 'tokenfence')
      : target === 'memory'
        ? memoryLoad()
        : limiterLoad(url, target === 'limiter' ? 0 : 3_600);
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await load.op();
      return load;
    } catch (error) {
      // The limiter's client has no offline queue: its first commands fail until it is connected.
      if (Date.now() > deadline) {
        await load.close().catch(() => {});
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The harness: `callers` async loops over one op, for a warm-up and then a measured window

export interface LoadRun {
  /** Ops started inside the measured window (and finished). */
  ops: number;
  seconds: number;
  /** Latency of each of those ops, ms. */
  latenciesMs: Float64Array;
  /** Ops that threw (they end that caller's loop with an error). */
  errors: number;
}

export async function runLoad(
  op: () => Promise<void>,
  callers: number,
  warmupMs: number,
  measureMs: number,
): Promise<LoadRun> {
  // Deadlines are read from the clock, not from timers: the memory op never yields to the event loop.
  const start = process.hrtime.bigint();
  const measureFrom = start + BigInt(warmupMs) * 1_000_000n;
  const measureTo = measureFrom + BigInt(measureMs) * 1_000_000n;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  let firstError: unknown;
  const caller = async () => {
    for (;;) {
      const began = process.hrtime.bigint();
      if (began >= measureTo) return;
      try {
        await op();
      } catch (error) {
        errors += 1;
        firstError ??= error;
        return;
      }
      if (began < measureFrom) continue;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count] = Number(process.hrtime.bigint() - began) / 1e6;
      count += 1;
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  if (errors > 0) throw new Error(`${errors} ops failed`, { cause: firstError });
  return { ops: count, seconds: measureMs / 1_000, latenciesMs: latencies.slice(0, count), errors };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))] as number;
}

export interface RoundStats {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Sums ops/s over processes that ran at the same time, and takes percentiles of all their latencies together. */
function stats(runs: readonly LoadRun[]): RoundStats {
  const all = new Float64Array(runs.reduce((total, run) => total + run.latenciesMs.length, 0));
  let offset = 0;
  for (const run of runs) {
    all.set(run.latenciesMs, offset);
    offset += run.latenciesMs.length;
  }
  all.sort();
  return {
    opsPerSecond: runs.reduce((total, run) => total + run.ops / run.seconds, 0),
    p50Ms: percentile(all, 0.5),
    p99Ms: percentile(all, 0.99),
  };
}

// ---------------------------------------------------------------------------------------------------
// Worker processes (bench/redis-worker.ts): told over IPC what to run, reply with their LoadRun

export type WorkerRequest = { type: 'run'; target: Target; warmupMs: number; measureMs: number } | { type: 'exit' };
export type WorkerReply = { type: 'ready' } | { type: 'result'; run: LoadRun } | { type: 'error'; message: string };

class Worker {
  readonly #child: ChildProcess;
  #waiting: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;
  /** Replies that came while nothing was waiting. */
  readonly #early: WorkerReply[] = [];
  readonly #exited: Promise<void>;

  constructor(url: string) {
    this.#child = fork(WORKER, [url], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (reply: WorkerReply) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting) waiting.resolve(reply);
      else this.#early.push(reply);
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.reject(new Error(`bench worker exited (${signal ?? code})`));
        resolve();
      });
    });
  }

  #next(): Promise<WorkerReply> {
    const early = this.#early.shift();
    if (early) return Promise.resolve(early);
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return Promise.reject(new Error('bench worker has exited'));
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  async ready(): Promise<void> {
    const reply = await this.#next();
    if (reply.type !== 'ready') throw new Error(`bench worker failed to start: ${JSON.stringify(reply)}`);
  }

  async run(target: Target): Promise<LoadRun> {
    const reply = this.#next();
    this.#child.send({
      type: 'run',
      target,
      warmupMs: REDIS_WARMUP_MS,
      measureMs: REDIS_MEASURE_MS,
    } satisfies WorkerRequest);
    const answer = await reply;
    if (answer.type === 'result') return answer.run;
    throw new Error(`bench worker: ${answer.type === 'error' ? answer.message : 'no result'}`);
  }

  async exit(): Promise<void> {
    if (this.#child.connected) this.#child.send({ type: 'exit' } satisfies WorkerRequest);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------
// The measurement

export interface RedisSide {
  target: Target;
  label: string;
  processes: number;
  /** Medians over rounds. */
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** This side's ops/s ÷ the limiter's (`duration: 0`), median of the per-round ratios. */
  ratioToLimiter: number;
  rounds: RoundStats[];
}

export interface RedisComparison {
  target: (typeof TOKENFENCE_TARGETS)[number];
  processes: number;
  /** Median of the per-round ratios TokenFence ops/s ÷ limiter ops/s (`duration: 0`, as the issue set it up). */
  throughputRatio: number;
  roundRatios: number[];
  /** The same against the limiter's Lua path (`duration: 3600`). */
  throughputRatioToLua: number;
  tokenFenceP99Ms: number;
  throughputAimMet: boolean;
  p99AimMet: boolean;
}

export type RedisBenchResult =
  | {
      status: 'ok';
      redisServer: string;
      ioredis: string;
      rateLimiterFlexible: string;
      config: {
        callersPerProcess: number;
        processes: number[];
        rounds: number;
        warmupMs: number;
        measureMs: number;
        scopes: readonly SharedScope[];
        holdNanos: number;
        costNanos: number;
      };
      aims: { minThroughputRatio: number; maxP99Ms: number };
      sides: RedisSide[];
      comparisons: RedisComparison[];
      durationSeconds: number;
    }
  | { status: 'skipped' | 'failed'; reason: string; durationSeconds: number };

function versionOf(name: string): string {
  try {
    const manifest = createRequire(import.meta.url)(`${name}/package.json`) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

const formatOps = (value: number) => Math.round(value).toLocaleString('en-US');

export async function measureRedisBudgets(): Promise<RedisBenchResult> {
  const startedAt = performance.now();
  const seconds = () => (performance.now() - startedAt) / 1_000;
  if (!redisServerInstalled()) {
    console.log(`   ${MISSING_SERVER}`);
    return { status: 'skipped', reason: MISSING_SERVER, durationSeconds: seconds() };
  }
  let server: RedisServerHandle | undefined;
  let admin: Redis | undefined;
  const loads: Load[] = [];
  const workers: Worker[] = [];
  try {
    // The same launcher as the tests, on a free loopback port, without persistence.
    server = await startRedisServer({ appendfsync: 'off' });
    const url = server.url;
    admin = new Redis(url);
    admin.on('error', () => {});
    const info = String(await admin.call('INFO', 'server'));
    const redisServer = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    console.log(
      `   redis-server ${redisServer} on ${url} (no persistence); ${REDIS_CALLERS} callers per process; ` +
        `${REDIS_ROUNDS} alternating rounds of ${REDIS_WARMUP_MS / 1_000} s warm-up + ${REDIS_MEASURE_MS / 1_000} s per side`,
    );
    // Each measurement starts on an empty Redis: ended reservations are kept for idempotency, and would pile up.
    const flush = async () => {
      await admin?.call('FLUSHALL', 'SYNC');
    };

    const rounds: Record<string, RoundStats[]> = {};
    const record = (target: Target, processes: number, round: RoundStats) => {
      const key = `${target}:${processes}`;
      rounds[key] ??= [];
      rounds[key].push(round);
      return round;
    };
    const describe = (target: Target, round: RoundStats) =>
      `${target} ${formatOps(round.opsPerSecond)} ops/s (p50 ${round.p50Ms.toFixed(2)}, p99 ${round.p99Ms.toFixed(2)} ms)`;

    // Every target once per round, the order reversed from one round to the next (drift cancels).
    const measureRounds = async (
      processes: number,
      targets: readonly Target[],
      run: (target: Target) => Promise<RoundStats>,
    ) => {
      for (let round = 0; round < REDIS_ROUNDS; round += 1) {
        const parts: string[] = [];
        for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
          await flush();
          parts.push(describe(target, record(target, processes, await run(target))));
        }
        const name = processes === 1 ? '1 process' : `${processes} processes`;
        console.log(`   ${name}, round ${round + 1}/${REDIS_ROUNDS}: ${parts.join('; ')}`);
      }
    };

    // 1 process: every target in this one.
    const local = {} as Record<Target, Load>;
    for (const target of TARGETS) {
      local[target] = await openLoad(target, url);
      loads.push(local[target]);
    }
    await measureRounds(1, TARGETS, async (target) =>
      stats([await runLoad(local[target].op, REDIS_CALLERS, REDIS_WARMUP_MS, REDIS_MEASURE_MS)]),
    );
    await Promise.all(loads.map((load) => load.close()));
    loads.length = 0;

    // 4 processes on the same Redis, started together; their ops/s summed and their latencies pooled.
    for (let index = 0; index < REDIS_PROCESSES; index += 1) workers.push(new Worker(url));
    await Promise.all(workers.map((worker) => worker.ready()));
    await measureRounds(REDIS_PROCESSES, REDIS_TARGETS, async (target) =>
      stats(await Promise.all(workers.map((worker) => worker.run(target)))),
    );

    const sides: RedisSide[] = [];
    const comparisons: RedisComparison[] = [];
    for (const processes of [1, REDIS_PROCESSES]) {
      const ratiosOf = (target: Target, to: Target) => {
        const base = rounds[`${to}:${processes}`] ?? [];
        return (rounds[`${target}:${processes}`] ?? []).map(
          (round, index) => round.opsPerSecond / (base[index]?.opsPerSecond ?? Number.NaN),
        );
      };
      for (const target of TARGETS) {
        const measured = rounds[`${target}:${processes}`];
        if (!measured) continue;
        sides.push({
          target,
          label: TARGET_LABELS[target],
          processes,
          opsPerSecond: median(measured.map((round) => round.opsPerSecond)),
          p50Ms: median(measured.map((round) => round.p50Ms)),
          p99Ms: median(measured.map((round) => round.p99Ms)),
          ratioToLimiter: median(ratiosOf(target, 'limiter')),
          rounds: measured,
        });
      }
      for (const target of TOKENFENCE_TARGETS) {
        const roundRatios = ratiosOf(target, 'limiter');
        const throughputRatio = median(roundRatios);
        const tokenFenceP99Ms = median((rounds[`${target}:${processes}`] ?? []).map((round) => round.p99Ms));
        comparisons.push({
          target,
          processes,
          throughputRatio,
          roundRatios,
          throughputRatioToLua: median(ratiosOf(target, 'limiterLua')),
          tokenFenceP99Ms,
          throughputAimMet: throughputRatio >= REDIS_THROUGHPUT_AIM,
          p99AimMet: tokenFenceP99Ms <= REDIS_P99_AIM_MS,
        });
      }
    }
    return {
      status: 'ok',
      redisServer,
      ioredis: versionOf('ioredis'),
      rateLimiterFlexible: versionOf('rate-limiter-flexible'),
      config: {
        callersPerProcess: REDIS_CALLERS,
        processes: [1, REDIS_PROCESSES],
        rounds: REDIS_ROUNDS,
        warmupMs: REDIS_WARMUP_MS,
        measureMs: REDIS_MEASURE_MS,
        scopes: SCOPES,
        holdNanos: HOLD_NANOS,
        costNanos: COST_NANOS,
      },
      aims: { minThroughputRatio: REDIS_THROUGHPUT_AIM, maxP99Ms: REDIS_P99_AIM_MS },
      sides,
      comparisons,
      durationSeconds: seconds(),
    };
  } catch (error) {
    const reason = `failed: ${error instanceof Error ? error.message : String(error)}`;
    console.log(`   ${reason}`);
    return { status: 'failed', reason, durationSeconds: seconds() };
  } finally {
    await Promise.all(workers.map((worker) => worker.exit().catch(() => worker.kill())));
    await Promise.all(loads.map((load) => load.close().catch(() => {})));
    admin?.disconnect();
    await server?.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------
// Reporting

type Table = (headers: readonly string[], rows: readonly (readonly string[])[]) => string;

/** The summary table and the aim lines, printed by bench/run.ts with its own table layout. */
export function formatRedisSummary(result: RedisBenchResult, table: Table): string {
  if (result.status !== 'ok') return `Shared budgets on Redis: ${result.reason}`;
  const lines = [
    table(
      ['one op', 'processes', 'ops/s', 'p50 ms', 'p99 ms', '÷ limiter (duration 0)'],
      result.sides.map((side) => [
        side.label,
        String(side.processes),
        formatOps(side.opsPerSecond),
        side.p50Ms.toFixed(3),
        side.p99Ms.toFixed(3),
        `${side.ratioToLimiter.toFixed(3)}×`,
      ]),
    ),
    '',
  ];
  for (const comparison of result.comparisons) {
    const ratios = comparison.roundRatios;
    const spread = `${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}×`;
    const met = comparison.throughputAimMet && comparison.p99AimMet;
    const shape = comparison.target === 'tokenfence' ? 'settle awaited' : 'settle in the background';
    lines.push(
      `Aim, ${comparison.processes} process${comparison.processes === 1 ? '' : 'es'}, ${shape} (TokenFence ≥ ` +
        `${REDIS_THROUGHPUT_AIM.toFixed(2)}× limiter ops/s, p99 ≤ ${REDIS_P99_AIM_MS} ms): ${met ? 'met' : 'missed'}: ` +
        `${comparison.throughputRatio.toFixed(3)}× (per-round ${spread}) ${comparison.throughputAimMet ? 'met' : 'missed'}, ` +
        `p99 ${comparison.tokenFenceP99Ms.toFixed(2)} ms ${comparison.p99AimMet ? 'met' : 'missed'}; ` +
        `${comparison.throughputRatioToLua.toFixed(3)}× the limiter with duration 3600`,
    );
  }
  lines.push(`Redis section: ${result.durationSeconds.toFixed(0)} s`);
  return lines.join('\n');
}
