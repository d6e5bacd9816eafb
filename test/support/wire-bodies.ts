import type { MemoryFetch, WireEvent, WireFormat, WireUsage } from './wire-formats.js';

/**
 * What the guard must book for a case: `unknown` — a 2xx whose usage cannot be read, charged the hold
 * (`estimated`, cost ≥ reserved); `valid` — readable usage, priced from it (`provider`, cost > 0);
 * `same-cost` — the undamaged body's exact cost; `released` — an HTTP error, nothing booked; `any` — only
 * the rules every case obeys.
 */
export type Expectation = 'unknown' | 'valid' | 'same-cost' | 'released' | 'any';

/**
 * `garbage-usage` cases depend on the usage validation inside each provider's normalizer; `structural`
 * cases (truncated, wrong type, random bytes, HTTP errors, …) only on the guard.
 */
export type CaseGroup = 'structural' | 'garbage-usage';

export interface FuzzCase {
  kind: string;
  group: CaseGroup;
  expect: Expectation;
  status: number;
  contentType: string | undefined;
  body: Uint8Array;
  /** Where the body is split into network chunks. */
  cuts: number[];
}

type Random = () => number;

const int = (random: Random, below: number) => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)] as T;

const encoder = new TextEncoder();

/** Values no provider reports as a count: each makes the usage unknown wherever it stands. */
const GARBAGE = [-1, -1_000, 1.5, 0.1, '12', 'NaN', 'abc', 1e300, 1e9, 2 ** 53, true, {}, [], ''] as const;

const HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>';
const JSON_ERROR = '{"error":{"message":"The server is overloaded","type":"server_error","code":null}}';
/** Google's error shape, which @google/genai throws (status 503) even from inside a 200 stream. */
const GOOGLE_ERROR = '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}';
const PLAIN = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';
const HTTP_ERRORS = [400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 529] as const;
const WRONG_TYPES = [
  'text/plain',
  'text/html; charset=utf-8',
  'application/octet-stream',
  undefined,
  'application/json',
  'text/event-stream',
] as const;

export function sseText(events: readonly WireEvent[], newline = '\n'): string {
  let text = '';
  for (const { event, data } of events) {
    const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}`;
    text += `${event === undefined ? '' : `event: ${event}${newline}`}${line}${newline}${newline}`;
  }
  return text;
}

/** The undamaged body of a format, as text. */
export function validBody(format: WireFormat, usage: WireUsage | 'no usage' = format.usage()): string {
  const rendered = format.render(usage === 'no usage' ? undefined : usage);
  return format.stream ? sseText(rendered as WireEvent[]) : JSON.stringify(rendered);
}

function setPath(target: WireUsage, path: string, value: unknown, remove: boolean): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return;
    node[key] = { ...(next as Record<string, unknown>) };
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1] as string;
  if (remove) delete node[last];
  else node[last] = value;
}

/** Valid bodies whose usage is damaged: garbage values, missing or null fields, no usage at all. */
function garbageUsage(format: WireFormat, random: Random): Omit<FuzzCase, 'body' | 'cuts'> & { text: string } {
  const base = { group: 'garbage-usage' as const, status: 200, contentType: format.contentType };
  const roll = int(random, 10);
  if (roll === 0) return { ...base, kind: 'no usage', expect: 'unknown', text: validBody(format, 'no usage') };
  if (roll === 1) {
    // Raw NaN / Infinity text where a count stands: not JSON at all.
    const field = pick(random, format.required).split('.').pop() as string;
    const text = validBody(format).replace(
      new RegExp(`("${field}":)\\d+`),
      `$1${pick(random, ['NaN', 'Infinity', '-0x1'])}`,
    );
    return { ...base, kind: 'raw NaN count', expect: 'unknown', text };
  }
  const usage = structuredClone(format.usage());
  // A later damage to the same field replaces the earlier one: the verdict is the last one's.
  const unknownAt = new Map<string, boolean>();
  const kinds: string[] = [];
  for (let damage = 1 + int(random, 2); damage > 0; damage -= 1) {
    const required = random() < 0.6;
    const path = pick(random, required ? format.required : format.optional);
    const what = int(random, 4);
    if (what === 0) {
      setPath(usage, path, undefined, true);
      unknownAt.set(path, required);
      kinds.push(`missing ${path}`);
    } else if (what === 1) {
      setPath(usage, path, null, false);
      unknownAt.set(path, required);
      kinds.push(`null ${path}`);
    } else {
      const value = pick(random, GARBAGE);
      setPath(usage, path, value, false);
      unknownAt.set(path, true);
      kinds.push(`${path}=${JSON.stringify(value)}`);
    }
  }
  const unknown = [...unknownAt.values()].some(Boolean);
  if (!unknown && random() < 0.3) {
    // A null details object is what providers send when they have no breakdown: still valid.
    const parent = pick(random, format.optional).split('.');
    if (parent.length > 1) {
      setPath(usage, parent[0] as string, null, false);
      kinds.push(`null ${parent[0]}`);
    }
  }
  return { ...base, kind: kinds.join(', '), expect: unknown ? 'unknown' : 'valid', text: validBody(format, usage) };
}

function randomBytes(random: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index += 1) bytes[index] = int(random, 256);
  return bytes;
}

/** Bodies broken in shape: truncated, wrong content type, not the wire format at all, HTTP errors. */
function structural(format: WireFormat, random: Random): Omit<FuzzCase, 'cuts'> {
  const base = { group: 'structural' as const, status: 200, contentType: format.contentType };
  const valid = validBody(format);
  const text = (kind: string, expect: Expectation, body: string, extra: Partial<FuzzCase> = {}) => ({
    ...base,
    kind,
    expect,
    body: encoder.encode(body),
    ...extra,
  });
  const events = format.stream ? (format.render(format.usage()) as WireEvent[]) : [];
  switch (int(random, format.stream ? 14 : 11)) {
    case 0: {
      const at = 1 + int(random, valid.length - 1);
      // A JSON body cut anywhere is not JSON; a stream cut late may still hold its usage.
      return text(`truncated at ${at}/${valid.length}`, format.stream ? 'any' : 'unknown', valid.slice(0, at));
    }
    case 1:
      return { ...base, kind: 'random bytes', expect: 'unknown', body: randomBytes(random, int(random, 300)) };
    case 2:
      return text('html page', 'unknown', HTML, { contentType: pick(random, ['text/html', format.contentType]) });
    case 3:
      return text('empty body', 'unknown', '', { contentType: pick(random, [format.contentType, 'application/json']) });
    case 4:
      return text(
        'json error with 200',
        'unknown',
        pick(random, [JSON_ERROR, GOOGLE_ERROR, `data: ${GOOGLE_ERROR}\n\n`]),
        {
          contentType: pick(random, ['application/json', format.contentType]),
        },
      );
    case 5:
      return text('plain text', 'unknown', PLAIN, { contentType: pick(random, ['text/plain', format.contentType]) });
    case 6: {
      const contentType = pick(random, WRONG_TYPES);
      return text(`valid body as ${contentType}`, 'any', valid, { contentType });
    }
    case 7: {
      // The other mode's body: JSON for a stream request, SSE for a JSON request.
      const other = format.stream
        ? JSON.stringify((events[events.length - 1]?.data as object | undefined) ?? {})
        : `data: ${valid}\n\n`;
      return text('body of the other mode', 'unknown', other, {
        contentType: pick(random, ['application/json', 'text/event-stream']),
      });
    }
    case 8: {
      const status = pick(random, HTTP_ERRORS);
      const body = pick(random, [JSON_ERROR, HTML, '', PLAIN]);
      return text(`HTTP ${status}`, 'released', body, {
        status,
        contentType: body === JSON_ERROR ? 'application/json' : 'text/html',
      });
    }
    case 9:
      return text('HTTP 204', 'unknown', '', { status: 204 });
    case 10: {
      const status = pick(random, [201, 202, 203]);
      return text(`HTTP ${status} with a valid body`, 'any', pick(random, [valid, `\uFEFF${valid}`]), { status });
    }
    case 11: {
      const shuffled = [...events];
      for (let index = shuffled.length - 1; index > 0; index -= 1) {
        const other = int(random, index + 1);
        [shuffled[index], shuffled[other]] = [shuffled[other] as WireEvent, shuffled[index] as WireEvent];
      }
      return text('events out of order', 'any', sseText(shuffled));
    }
    case 12: {
      const copies = 1 + int(random, 2);
      const tail = events.slice(-copies);
      return text(`final ${copies} event(s) duplicated`, 'same-cost', sseText([...events, ...tail]));
    }
    default:
      return text('CRLF line endings', 'same-cost', sseText(events, '\r\n'));
  }
}

/** One bad (or subtly valid) body for the format: 40 % damaged usage, 60 % damaged shape. */
export function fuzzCase(format: WireFormat, random: Random): FuzzCase {
  let made: Omit<FuzzCase, 'cuts'>;
  if (random() < 0.4) {
    const { text, ...rest } = garbageUsage(format, random);
    made = { ...rest, body: encoder.encode(text) };
  } else {
    made = structural(format, random);
  }
  const cuts: number[] = [];
  for (let pieces = int(random, 4); pieces > 0 && made.body.length > 1; pieces -= 1) {
    cuts.push(1 + int(random, made.body.length - 1));
  }
  return { ...made, cuts: cuts.sort((a, b) => a - b) };
}

/** A fetch that answers every request with the case's response, its body split at the case's cuts. */
export function fetchAnswering(fuzz: Pick<FuzzCase, 'status' | 'contentType' | 'body' | 'cuts'>): MemoryFetch {
  return async () => {
    const headers = fuzz.contentType === undefined ? {} : { 'content-type': fuzz.contentType };
    if (fuzz.status === 204) return new Response(null, { status: 204, headers });
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const cut of [...fuzz.cuts, fuzz.body.length]) {
      if (cut > from) pieces.push(fuzz.body.slice(from, cut));
      from = Math.max(from, cut);
    }
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    return new Response(body, { status: fuzz.status, headers });
  };
}

/** A short printable view of a body, for failure reports. */
export function preview(fuzz: FuzzCase, length = 240): string {
  const whole = new TextDecoder().decode(fuzz.body);
  // The usage is what most cases damage: show the body from there.
  const from = Math.max(0, whole.lastIndexOf('sage') - 40);
  const text = whole.slice(from);
  return JSON.stringify(`${from > 0 ? '…' : ''}${text.length > length ? `${text.slice(0, length)}…` : text}`);
}
