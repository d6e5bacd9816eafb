import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { isTagKey, parseTagPair } from '../reports/parse-tag-pair.js';
import type { TokenFence } from '../token-fence.js';
import { dashboardRun, dashboardSummary } from './dashboard-data.js';
import { dashboardPage } from './dashboard-page.js';
import { dashboardRunList, RUN_SORT_KEYS } from './dashboard-run-list.js';
import { dashboardSeries } from './dashboard-series.js';

export interface DashboardRoutesOptions {
  store: LedgerStore;
  /** The live fence, for budgets and kill buttons; without it the dashboard only reads the ledger. */
  fence: TokenFence | undefined;
  token: string;
  /** Host header values accepted (DNS-rebinding defence): `127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`. */
  hosts: () => readonly string[];
  /** How often the live stream looks for new records, ms. */
  pollMs: number;
  /** Live streams open at once; one more is refused with 503. */
  maxLiveStreams: number;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000 };

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/json' },
  });
}

function refuse(status: number, message: string): Response {
  return json({ error: message }, status);
}

function killTarget(body: { runId?: unknown; workflow?: unknown } | null) {
  if (typeof body?.runId === 'string' && body.runId !== '') return { runId: body.runId, workflow: null };
  if (typeof body?.workflow === 'string' && body.workflow !== '') return { runId: null, workflow: body.workflow };
  return undefined;
}

function decodedOrNull(component: string): string | null {
  try {
    return decodeURIComponent(component);
  } catch {
    return null;
  }
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The dashboard's routes as `(Request) => Promise<Response>`. Every request needs a known Host and the
 * token (query `token` for the page, the live stream and reads; the `x-tokenfence-token` header, and
 * only that, for the state-changing POST); cross-origin pages cannot send the header without a CORS
 * preflight, which is never granted.
 */
export function createDashboardRoutes(
  options: DashboardRoutesOptions,
): (request: Request, closed: AbortSignal) => Promise<Response> {
  const { store, fence, token } = options;
  const liveStreams = { open: 0 };
  return async (request, closed) => {
    const url = new URL(request.url);
    if (!options.hosts().includes(request.headers.get('host') ?? '')) return refuse(403, 'unknown host');
    const headerToken = request.headers.get('x-tokenfence-token');
    const authorised = tokenMatches(headerToken ?? url.searchParams.get('token'), token);
    if (!authorised) return refuse(401, 'missing or wrong token');

    if (request.method === 'POST' && url.pathname === '/api/kill') {
      if (!tokenMatches(headerToken, token)) return refuse(401, 'state changes need the x-tokenfence-token header');
      if (!(request.headers.get('content-type') ?? '').startsWith('application/json'))
        return refuse(415, 'expected JSON');
      const body = (await request.json().catch(() => null)) as { runId?: unknown; workflow?: unknown } | null;
      const target = killTarget(body);
      if (!target) return refuse(400, 'expected { runId } or { workflow }');
      const reason = 'killed from the dashboard';
      const run = target.runId === null ? undefined : fence?.activeRuns.find((active) => active.id === target.runId);
      if (run) {
        run.kill(reason);
        return json({ killed: 1 });
      }
      // An order in the shared ledger reaches the fences of other processes (a run elsewhere, the
      // workflow's runs elsewhere) within half a second; this process's fence acts at once.
      store.appendKillOrder({ ts: Date.now(), ...target, reason });
      if (fence && target.workflow !== null)
        return json({ killed: fence.killWorkflow(target.workflow, reason), queued: 1 });
      return json({ queued: 1 }, 202);
    }
    if (request.method !== 'GET') return refuse(405, 'method not allowed');
    // Reads see every call the live fence has settled, not only what its writer has batched out so far.
    fence?.flush();

    if (url.pathname === '/') {
      const nonce = randomBytes(16).toString('base64');
      return new Response(dashboardPage(nonce), {
        headers: {
          ...SECURITY_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:`,
        },
      });
    }
    if (url.pathname === '/api/summary') {
      const range = url.searchParams.get('range') ?? '24h';
      if (range !== 'all' && !Object.hasOwn(RANGES, range)) return refuse(400, 'range must be 1h, 24h, 7d, 30d or all');
      const since = range === 'all' ? undefined : Date.now() - (RANGES[range] as number);
      const tags = tagsOf(url);
      if (tags === null) return refuse(400, TAG_PROBLEM);
      const tagKey = url.searchParams.get('tagKey') || undefined;
      if (tagKey !== undefined && !isTagKey(tagKey)) return refuse(400, 'tagKey must be a tag key');
      return json(
        dashboardSummary(store, fence, {
          since,
          workflow: url.searchParams.get('workflow') || undefined,
          tags: Object.keys(tags).length > 0 ? tags : undefined,
          tagKey,
        }),
      );
    }
    if (url.pathname === '/api/series') return seriesRoute(store, fence, url);
    if (url.pathname === '/api/extent') return json({ firstTs: firstCallTs(store, null) });
    if (url.pathname === '/api/runs') return runListRoute(store, url);
    if (url.pathname.startsWith('/api/runs/')) {
      const runId = decodedOrNull(url.pathname.slice('/api/runs/'.length));
      const run = runId === null ? undefined : dashboardRun(store, runId);
      return run ? json(run) : refuse(404, 'no such run');
    }
    if (url.pathname === '/api/stream') {
      if (liveStreams.open >= options.maxLiveStreams) {
        const refusal = refuse(
          503,
          `too many live views open (${liveStreams.open}); close a dashboard tab or raise maxLiveStreams`,
        );
        refusal.headers.set('retry-after', '5');
        return refusal;
      }
      liveStreams.open += 1;
      return liveStream(options, closed, () => {
        liveStreams.open -= 1;
      });
    }
    return refuse(404, 'not found');
  };
}

const TAG_PROBLEM = 'tag must be key=value (a tag key, then 1–128 of A-Z a-z 0-9 _ . : @ + -)';

/** The `tag=key=value` filters of a request; null when one is malformed. */
function tagsOf(url: URL): Record<string, string> | null {
  const tags: Record<string, string> = {};
  for (const pair of url.searchParams.getAll('tag')) {
    const parsed = parseTagPair(pair);
    if (!parsed) return null;
    tags[parsed.key] = parsed.value;
  }
  return tags;
}

/** `from`/`to` (epoch ms) when given, else the `range` ending now: what a zoomed or a preset view asks for. */
function timeWindow(url: URL): { from: number; to: number } | string {
  const now = Date.now();
  const from = url.searchParams.get('from');
  const to = url.searchParams.get('to');
  if (from !== null || to !== null) {
    const start = Number(from);
    const end = to === null ? now : Number(to);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start)
      return 'from and to must be epoch ms with from < to';
    return { from: start, to: end };
  }
  const range = url.searchParams.get('range') ?? '24h';
  if (range === 'all') return { from: 0, to: now + 1 };
  if (!Object.hasOwn(RANGES, range)) return 'range must be 1h, 24h, 7d, 30d or all';
  return { from: now - (RANGES[range] as number), to: now + 1 };
}

function seriesRoute(store: LedgerStore, fence: TokenFence | undefined, url: URL): Response {
  let span = timeWindow(url);
  if (typeof span === 'string') return refuse(400, span);
  const by = url.searchParams.get('by') ?? 'agent';
  const split = by === 'agent' || by === 'model' || by === 'workflow' ? by : by.startsWith('tag:') ? by : undefined;
  if (split === undefined || (split.startsWith('tag:') && !isTagKey(split.slice(4))))
    return refuse(400, 'by must be agent, model, workflow or tag:<key>');
  const offset = Number(url.searchParams.get('tz') ?? '0');
  if (!Number.isInteger(offset) || Math.abs(offset) > 16 * 60) return refuse(400, 'tz must be minutes from UTC');
  const tags = tagsOf(url);
  if (tags === null) return refuse(400, TAG_PROBLEM);
  // "all" starts at the ledger's first call, not at 1970.
  // A preset range starts no earlier than the ledger's first call (so "7 days" of a 3-day history uses the
  // chart's width, "all" does not start in 1970) but spans an hour at least; a zoom (from/to) is as asked.
  if (!url.searchParams.has('from')) {
    const first = Math.min(firstCallTs(store, span.to), span.to - 3_600_000);
    span = { from: Math.max(span.from, first), to: span.to };
  }
  return json(
    dashboardSeries(store, fence, {
      ...span,
      by: split as Parameters<typeof dashboardSeries>[2]['by'],
      timezoneOffsetMinutes: offset,
      workflow: url.searchParams.get('workflow') || undefined,
      tags: Object.keys(tags).length > 0 ? tags : undefined,
    }),
  );
}

/** The ledger's first call, epoch ms; `empty` when it has none. */
function firstCallTs<T>(store: LedgerStore, empty: T): number | T {
  const groups = store.groupCalls({}, 'model');
  const first = Math.min(...groups.map((group) => group.firstTs));
  return Number.isFinite(first) ? first : empty;
}

function runListRoute(store: LedgerStore, url: URL): Response {
  const window = timeWindow(url);
  if (typeof window === 'string') return refuse(400, window);
  const tags = tagsOf(url);
  if (tags === null) return refuse(400, TAG_PROBLEM);
  const offset = Number(url.searchParams.get('offset') ?? '0');
  const limit = Number(url.searchParams.get('limit') ?? '50');
  if (!Number.isSafeInteger(offset) || offset < 0) return refuse(400, 'offset must be an integer ≥ 0');
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) return refuse(400, 'limit must be 1–10000');
  const sort = url.searchParams.get('sort') ?? 'startedAt';
  if (!(RUN_SORT_KEYS as readonly string[]).includes(sort))
    return refuse(400, `sort must be one of ${RUN_SORT_KEYS.join(', ')}`);
  return json(
    dashboardRunList(store, {
      since: window.from,
      until: window.to,
      workflow: url.searchParams.get('workflow') || undefined,
      tags: Object.keys(tags).length > 0 ? tags : undefined,
      offset,
      limit,
      sort: sort as (typeof RUN_SORT_KEYS)[number],
      descending: url.searchParams.get('order') !== 'asc',
    }),
  );
}

/** Server-sent events: new call records and events as they land, plus `refresh` for the summary. */
function liveStream(options: DashboardRoutesOptions, signal: AbortSignal, onEnd: () => void): Response {
  const encoder = new TextEncoder();
  // Records can land out of order (another process's writer flushes in batches), so each poll looks back
  // a little and drops what it has already sent; what is older than the look-back is forgotten.
  const LOOK_BACK_MS = 5_000;
  let latest = Date.now() - 60_000;
  const sent = new Map<string, number>();
  let timer: ReturnType<typeof setInterval> | undefined;
  // Counted out once, however the stream ends: the client leaves, the ledger fails, or the body is cancelled.
  let counted = true;
  const uncount = () => {
    if (counted) onEnd();
    counted = false;
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) =>
        controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const fresh = (key: string, ts: number) => {
        if (sent.has(key)) return false;
        sent.set(key, ts);
        latest = Math.max(latest, ts);
        return true;
      };
      const poll = () => {
        options.fence?.flush();
        const since = latest - LOOK_BACK_MS;
        let count = 0;
        for (const call of options.store.queryCalls({ since })) {
          if (!fresh(call.id, call.ts)) continue;
          count += 1;
          const { prompt: _prompt, completion: _completion, ...shown } = call;
          send('call', shown);
        }
        for (const event of options.store.queryEvents({ since })) {
          if (!fresh(`${event.ts}|${event.type}|${event.scope}|${event.data}`, event.ts)) continue;
          count += 1;
          send('event', event);
        }
        for (const [key, ts] of sent) if (ts < since) sent.delete(key);
        if (count > 0) send('refresh', { at: Date.now() });
      };
      // A store that fails (closed, locked, gone) ends the stream instead of throwing from a timer.
      let finished = false;
      const finish = () => {
        clearInterval(timer);
        uncount();
        if (finished) return;
        finished = true;
        controller.close();
      };
      const pollSafely = () => {
        try {
          poll();
        } catch {
          send('ledger-error', { message: 'the ledger cannot be read' });
          finish();
        }
      };
      send('hello', { at: Date.now() });
      timer = setInterval(pollSafely, options.pollMs);
      pollSafely();
      if (signal.aborted) finish();
      else signal.addEventListener('abort', finish, { once: true });
    },
    cancel() {
      clearInterval(timer);
      uncount();
    },
  });
  return new Response(body, {
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' },
  });
}
