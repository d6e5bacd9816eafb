import { describe, expect, it } from 'vitest';
import { type CallRecord, createMemoryLedgerStore, TokenFence } from '../../src/index.js';
import { tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import type { MockProvider, MockRawResponse } from '../../src/testing/index.js';
import { useMockProvider } from '../support/mock-provider.js';
import { validBody } from '../support/wire-bodies.js';
import { type MemoryFetch, type Sender, WIRE_FORMATS, type WireFormat } from '../support/wire-formats.js';

/**
 * Regression: a stream request answered with something that is not SSE (an HTML error page, a JSON error
 * sent with HTTP 200, an empty body, plain text, a body that ends mid-event) used to keep its hold
 * reserved until the unread-body sweeper (30–60 s) — the SDK's stream reader read `body` itself, past the
 * JSON observer the guard had picked from the content type — and every call meanwhile was refused. Now
 * each one settles when the caller is done: charged the hold (`estimated`) for a 2xx the provider may
 * have billed, released for an HTTP error; and the caller sees exactly what the raw SDK shows.
 * Over real HTTP, through the mock provider's raw-body knob, with the real SDKs.
 */
let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** The formats' own clients, pointed at the mock: same paths, real sockets. */
const toMock: MemoryFetch = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  return fetch(`${mock.url}${url.pathname}${url.search}`, init);
};

const HTML = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';
const JSON_ERROR = '{"error":{"message":"The server is overloaded","type":"server_error"}}';
const GOOGLE_ERROR = '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}';

interface BadBody {
  name: string;
  response: (format: WireFormat) => MockRawResponse;
}

const BAD_BODIES: readonly BadBody[] = [
  { name: 'an HTML page', response: () => ({ contentType: 'text/html; charset=utf-8', body: HTML }) },
  { name: 'a JSON error with HTTP 200', response: () => ({ contentType: 'application/json', body: JSON_ERROR }) },
  {
    // Google's error shape: @google/genai throws it as an ApiError with status 503 from inside the stream.
    name: 'an error object with a code, HTTP 200',
    response: (format) => ({ contentType: format.contentType, body: GOOGLE_ERROR }),
  },
  { name: 'an empty body', response: (format) => ({ contentType: format.contentType, body: '' }) },
  { name: 'an empty JSON body', response: () => ({ contentType: 'application/json', body: '' }) },
  { name: 'text/plain', response: () => ({ contentType: 'text/plain', body: 'data: {"choices": [tr' }) },
  { name: 'no content type', response: () => ({ body: HTML }) },
  {
    name: 'a body that ends mid-event',
    response: (format) => {
      const whole = validBody(format);
      return { contentType: format.contentType, body: whole.slice(0, Math.floor(whole.length * 0.6)) };
    },
  },
  { name: 'HTTP 204', response: (format) => ({ status: 204, contentType: format.contentType, body: '' }) },
];

const HTTP_ERRORS: readonly BadBody[] = [
  {
    name: 'HTTP 500 with a JSON error',
    response: () => ({ status: 500, contentType: 'application/json', body: JSON_ERROR }),
  },
  { name: 'HTTP 429 with an HTML page', response: () => ({ status: 429, contentType: 'text/html', body: HTML }) },
];

function guardedBy(format: WireFormat): { sender: Sender; fence: TokenFence; records: () => CallRecord[] } {
  const store = createMemoryLedgerStore();
  const aiSdk = format.name.startsWith('ai sdk');
  const middleware = aiSdk ? tokenfenceMiddleware({ budget: 1, store, provider: 'openai' }) : undefined;
  const fence = middleware?.tokenfence ?? new TokenFence({ budget: 1, store });
  return {
    sender: middleware ? { middleware } : { fence },
    fence,
    records: () => {
      fence.flush();
      return store.queryCalls({});
    },
  };
}

async function rawAndGuarded(format: WireFormat, response: MockRawResponse) {
  mock.setRawResponse(response);
  const raw = await format.connect(toMock, null)();
  const guarded = guardedBy(format);
  const seen = await format.connect(toMock, guarded.sender)();
  return { raw, seen, reserved: guarded.fence.reserved, records: guarded.records() };
}

const cases = (formats: readonly WireFormat[], bodies: readonly BadBody[]) =>
  formats.flatMap((format) => bodies.map((body) => ({ format, body, label: `${format.name}: ${body.name}` })));

const STREAMS = WIRE_FORMATS.filter((format) => format.stream && !format.name.includes('doStream'));
const JSON_CALLS = WIRE_FORMATS.filter((format) => !format.stream);

describe('stream requests answered with a body that is not SSE', () => {
  it.each(cases(STREAMS, BAD_BODIES))(
    '$label: settles on the hold, the caller sees the raw SDK',
    async ({ format, body }) => {
      const { raw, seen, reserved, records } = await rawAndGuarded(format, body.response(format));
      expect(seen).toEqual(raw);
      expect(reserved).toBe(0);
      expect(records).toHaveLength(1);
      const [record] = records;
      expect(record?.costSource).toBe('estimated');
      expect(record?.costNanos).toBeGreaterThanOrEqual(record?.reservedNanos ?? Number.POSITIVE_INFINITY);
      expect(record?.costNanos).toBeGreaterThan(0);
    },
  );

  it.each(cases(STREAMS, HTTP_ERRORS))(
    '$label: releases the hold, the caller sees the raw SDK',
    async ({ format, body }) => {
      const { raw, seen, reserved, records } = await rawAndGuarded(format, body.response(format));
      expect(seen).toEqual(raw);
      // streamText reports errors as stream parts instead of throwing.
      expect(seen.error !== null || seen.items.some((item) => item.startsWith('error'))).toBe(true);
      expect(reserved).toBe(0);
      expect(records.map((record) => [record.costNanos, record.costSource, record.outcome])).toEqual([
        [0, 'provider', 'error'],
      ]);
    },
  );
});

describe('JSON requests answered with a body that is not their JSON', () => {
  it.each(cases(JSON_CALLS, BAD_BODIES))(
    '$label: settles on the hold, the caller sees the raw SDK',
    async ({ format, body }) => {
      const { raw, seen, reserved, records } = await rawAndGuarded(format, body.response(format));
      expect(seen).toEqual(raw);
      expect(reserved).toBe(0);
      expect(records.map((record) => record.costSource)).toEqual(['estimated']);
      expect(records[0]?.costNanos).toBeGreaterThanOrEqual(records[0]?.reservedNanos ?? Number.POSITIVE_INFINITY);
    },
  );
});

describe('after a bad body', () => {
  it('the next call is admitted and priced from its usage: nothing of the first stays held', async () => {
    const [format] = STREAMS;
    if (!format) throw new Error('no stream format');
    const guarded = guardedBy(format);
    const call = format.connect(toMock, guarded.sender);
    mock.setRawResponse({ contentType: 'application/json', body: JSON_ERROR });
    await call();
    expect(guarded.fence.reserved).toBe(0);
    mock.setRawResponse({ contentType: 'text/event-stream', body: validBody(format) });
    expect((await call()).error).toBeNull();
    expect(guarded.fence.reserved).toBe(0);
    expect(guarded.records().map((record) => record.costSource)).toEqual(['estimated', 'provider']);
  });
});
