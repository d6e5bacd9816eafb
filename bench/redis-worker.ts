/**
 * One of the 4 load processes of the Redis benchmark (bench/redis.ts): opens the Redis targets on the
 * URL it is given, then runs whatever the parent asks over IPC and replies with its ops and latencies.
 *
 *   node --import tsx bench/redis-worker.ts redis://127.0.0.1:PORT   (forked by bench/redis.ts)
 */
import {
  type Load,
  openLoad,
  REDIS_CALLERS,
  runLoad,
  type Target,
  type WorkerReply,
  type WorkerRequest,
} from './redis.js';

const url = process.argv[2];
const reply = (message: WorkerReply) => process.send?.(message);

if (url === undefined || process.send === undefined) {
  console.error('bench/redis-worker.ts is forked by bench/redis.ts with a redis:// URL');
  process.exit(2);
}

const loads = new Map<Target, Load>();
try {
  for (const target of ['tokenfence', 'tokenfenceGuard', 'limiter', 'limiterLua'] as const)
    loads.set(target, await openLoad(target, url));
} catch (error) {
  reply({ type: 'error', message: `could not open the Redis targets: ${String(error)}` });
  process.exit(1);
}

process.on('message', (request: WorkerRequest) => {
  if (request.type === 'exit') {
    void Promise.allSettled([...loads.values()].map((load) => load.close())).then(() => process.exit(0));
    return;
  }
  const load = loads.get(request.target);
  if (load === undefined) {
    reply({ type: 'error', message: `${request.target} runs in the parent only` });
    return;
  }
  runLoad(load.op, REDIS_CALLERS, request.warmupMs, request.measureMs).then(
    (run) => reply({ type: 'result', run }),
    (error: unknown) => reply({ type: 'error', message: String(error) }),
  );
});
// The parent gone (crashed, or killed): nothing is left to report to.
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
