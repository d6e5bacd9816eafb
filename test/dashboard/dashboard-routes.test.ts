import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../src/index.js';
import { InvalidOptionsError, startDashboard, TokenFence } from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { CANARY_KEY, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, so the test can send any Host header it likes. */
function send(
  dashboard: Dashboard,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: dashboard.port, path, method: init.method ?? 'GET', headers: init.headers },
      (incoming) => {
        let body = '';
        incoming.on('data', (chunk) => {
          body += chunk;
        });
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(init.body);
  });
}

describe('dashboard routes', () => {
  let fence: TokenFence;
  let dashboard: Dashboard;
  const withToken = (path: string) =>
    `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(dashboard.token)}`;

  beforeAll(async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 100 });
    fence = new TokenFence({ store: 'memory' });
    const openai = fence.guard(openAIClient(mock));
    await fence.run({ workflow: 'digest' }, () =>
      fence.agent('writer', () =>
        openai.chat.completions.create({
          model: 'gpt-4o',
          max_tokens: 200,
          messages: [{ role: 'user', content: 'SECRET-PROMPT-TEXT' }],
        }),
      ),
    );
    dashboard = await startDashboard({ fence, pollMs: 50 });
  });
  afterAll(() => dashboard.close());

  it('binds to 127.0.0.1 and prints a URL that carries a 256-bit token', () => {
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/?token=${dashboard.token}`);
    expect(Buffer.from(dashboard.token, 'base64url')).toHaveLength(32);
  });

  it('refuses requests without the token, with a wrong token, and with a foreign Host', async () => {
    expect((await send(dashboard, '/')).status).toBe(401);
    expect((await send(dashboard, '/api/summary?token=nope')).status).toBe(401);
    expect((await send(dashboard, `/?token=${dashboard.token}x`)).status).toBe(401);
    const rebound = await send(dashboard, withToken('/api/summary'), { headers: { host: 'evil.example:80' } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('digest');
    expect((await send(dashboard, withToken('/'), { headers: { host: `localhost:${dashboard.port}` } })).status).toBe(
      200,
    );
  });

  it('changes state only by POST with the token header and a JSON body', async () => {
    const kill = (headers: Record<string, string>, method = 'POST') =>
      send(dashboard, '/api/kill', { method, headers, body: JSON.stringify({ workflow: 'digest' }) });
    expect((await send(dashboard, withToken('/api/kill'), { method: 'POST', body: '{"workflow":"x"}' })).status).toBe(
      401,
    );
    expect((await kill({ 'x-tokenfence-token': dashboard.token, 'content-type': 'text/plain' })).status).toBe(415);
    expect(
      (await kill({ 'x-tokenfence-token': dashboard.token, 'content-type': 'application/json' }, 'PUT')).status,
    ).toBe(405);
    const unknownRun = await send(dashboard, '/api/kill', {
      method: 'POST',
      headers: { 'x-tokenfence-token': dashboard.token, 'content-type': 'application/json' },
      body: JSON.stringify({ runId: 'no-such-run' }),
    });
    // Not a run of this fence: it may be running in another process, so it becomes a kill order.
    expect(unknownRun.status).toBe(202);
    expect(fence.store.queryKillOrders(0)).toMatchObject([{ runId: 'no-such-run', workflow: null }]);
    const workflow = await kill({ 'x-tokenfence-token': dashboard.token, 'content-type': 'application/json' });
    expect(JSON.parse(workflow.body)).toEqual({ killed: 0, queued: 1 });
    expect(fence.store.queryKillOrders(0).at(-1)).toMatchObject({ runId: null, workflow: 'digest' });
    fence.reset();
    const malformed = await send(dashboard, '/api/kill', {
      method: 'POST',
      headers: { 'x-tokenfence-token': dashboard.token, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    const oversized = await send(dashboard, '/api/kill', {
      method: 'POST',
      headers: { 'x-tokenfence-token': dashboard.token, 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: 'x'.repeat(100_000) }),
    });
    expect(oversized.status).toBe(413);
    expect(fence.killed).toBe(false);
  });

  it('serves the page with a nonce CSP and no external asset', async () => {
    const page = await send(dashboard, withToken('/'));
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/);
  });

  it('reports the same numbers as the report layer, without prompt text or keys', async () => {
    const summary = JSON.parse((await send(dashboard, withToken('/api/summary?range=all'))).body);
    const callUsd = (100 * 2_500 + 100 * 10_000) / 1e9;
    expect(summary).toMatchObject({
      totalUsd: callUsd,
      agents: [{ agent: 'writer', calls: 1, costUsd: callUsd, share: 1 }],
      workflows: [{ workflow: 'digest', runs: 1 }],
    });
    const [run] = summary.runs;
    const detail = JSON.parse((await send(dashboard, withToken(`/api/runs/${run.runId}`))).body);
    expect(detail.agents[0].callList).toMatchObject([{ model: 'gpt-4o', modelUsed: 'gpt-4o', downgraded: false }]);
    const everything = JSON.stringify([summary, detail]);
    expect(everything).not.toContain('SECRET-PROMPT-TEXT');
    expect(everything).not.toContain(CANARY_KEY);
    expect((await send(dashboard, withToken('/api/runs/nope'))).status).toBe(404);
    for (const range of ['bogus', 'constructor'])
      expect((await send(dashboard, withToken(`/api/summary?range=${range}`))).status).toBe(400);
    expect((await send(dashboard, withToken('/api/runs/%E0%A4%A'))).status).toBe(404);
  });

  it('streams new calls as server-sent events', async () => {
    const response = await fetch(`http://127.0.0.1:${dashboard.port}${withToken('/api/stream')}`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = '';
    while (!seen.includes('event: call')) seen += decoder.decode((await reader.read()).value);
    await reader.cancel();
    expect(seen).toContain('"agent":"writer"');
    expect(seen).not.toContain('SECRET-PROMPT-TEXT');
  });

  it('needs a store or a fence', async () => {
    await expect(startDashboard({})).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});

describe('dashboard limits', () => {
  let dashboard: Dashboard;
  const fence = new TokenFence({ store: 'memory' });
  beforeAll(async () => {
    dashboard = await startDashboard({
      fence,
      pollMs: 50,
      maxLiveStreams: 2,
      headersTimeoutMs: 300,
      requestTimeoutMs: 400,
    });
  });
  afterAll(() => dashboard.close());

  const openLiveStream = async () => {
    const response = await fetch(`http://127.0.0.1:${dashboard.port}/api/stream?token=${dashboard.token}`);
    return response;
  };

  it('refuses a live stream over maxLiveStreams with 503 and Retry-After, and admits one when another closes', async () => {
    const first = await openLiveStream();
    const second = await openLiveStream();
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await openLiveStream();
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(((await third.json()) as { error: string }).error).toMatch(/too many live views open \(2\)/);
    await first.body?.cancel();
    let fourth = await openLiveStream();
    // The server learns that the first stream's socket closed a moment after the client cancels.
    for (let tries = 0; fourth.status === 503 && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      fourth = await openLiveStream();
    }
    expect(fourth.status).toBe(200);
    await Promise.all([second.body?.cancel(), fourth.body?.cancel()]);
  });

  /** Sends `text` over a raw socket and resolves with what the server answered when it closed the socket. */
  const sendRaw = (text: string) =>
    new Promise<{ answer: string; afterMs: number }>((resolve, reject) => {
      const started = Date.now();
      const socket = connect(dashboard.port, '127.0.0.1', () => socket.write(text));
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('close', () => resolve({ answer, afterMs: Date.now() - started }));
      socket.on('error', reject);
    });

  it('closes a request whose headers never finish after headersTimeoutMs', async () => {
    const { answer, afterMs } = await sendRaw(`GET /api/summary?token=${dashboard.token} HTTP/1.1\r\nHost: 127.0`);
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(afterMs).toBeLessThan(5_000);
  });

  it('closes a request whose body never finishes after requestTimeoutMs', async () => {
    const { answer, afterMs } = await sendRaw(
      `POST /api/kill HTTP/1.1\r\nHost: 127.0.0.1:${dashboard.port}\r\nx-tokenfence-token: ${dashboard.token}\r\n` +
        'content-type: application/json\r\ncontent-length: 100\r\n\r\n{"runId":',
    );
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(afterMs).toBeLessThan(5_000);
  });

  it('refuses limits that are not positive whole numbers', async () => {
    for (const maxLiveStreams of [0, -1, 1.5, Number.NaN, '3']) {
      await expect(startDashboard({ fence, maxLiveStreams: maxLiveStreams as number })).rejects.toMatchObject({
        code: 'INVALID_OPTIONS',
      });
    }
    await expect(startDashboard({ fence, requestTimeoutMs: 0 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });
});
