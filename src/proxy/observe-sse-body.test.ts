import { describe, expect, it } from 'vitest';
import type { StreamUsageTracker } from '../providers/provider-adapter.js';
import { type BodyEnd, observeSseBody } from './observe-sse-body.js';

function source(chunks: string[], options: { failAfter?: number } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (options.failAfter === index) return controller.error(new Error('connection reset'));
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
  });
}

/** Drops events whose data is "drop", remembers what it saw. */
function tracker(): StreamUsageTracker & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    onEvent(_name, data) {
      seen.push(data);
      return data === 'drop';
    },
    result: () => ({ usage: null, complete: false }),
  };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text;
}

describe('observeSseBody', () => {
  it('passes events through, drops the ones the tracker drops, and ends once as finished', async () => {
    const ends: BodyEnd[] = [];
    const seen = tracker();
    const { body } = observeSseBody(source(['data: a\n\ndata: dr', 'op\n\ndata: b\n\n', 'data: c']), seen, (end) =>
      ends.push(end),
    );
    expect(await readAll(body)).toBe('data: a\n\ndata: b\n\ndata: c');
    expect(seen.seen).toEqual(['a', 'drop', 'b', 'c']);
    expect(ends).toEqual(['finished']);
  });

  it('keeps a CRLF split across two chunks one line end, for the tracker and for the reader', async () => {
    const seen = tracker();
    const chunks = ['event: x\r\ndata: a\r', '\ndata: b\r\n\r', '\nevent: y\r\ndata: c\r\n\r\n'];
    const { body } = observeSseBody(source(chunks), seen, () => undefined);
    // The reader gets the same events (line ends normalised where an event was re-assembled).
    expect((await readAll(body)).replace(/\r\n?/g, '\n')).toBe('event: x\ndata: a\ndata: b\n\nevent: y\ndata: c\n\n');
    expect(seen.seen).toEqual(['a\nb', 'c']);
  });

  it('ends once as cancelled when the reader cancels (a break in the caller)', async () => {
    const ends: BodyEnd[] = [];
    const { body } = observeSseBody(source(['data: a\n\n', 'data: b\n\n', 'data: c\n\n']), tracker(), (end) =>
      ends.push(end),
    );
    for await (const _chunk of body) break;
    expect(ends).toEqual(['cancelled']);
  });

  it('ends once as errored when the source fails, and passes the error on', async () => {
    const ends: BodyEnd[] = [];
    const { body } = observeSseBody(source(['data: a\n\n'], { failAfter: 1 }), tracker(), (end) => ends.push(end));
    await expect(readAll(body)).rejects.toThrow('connection reset');
    expect(ends).toEqual(['errored']);
  });

  it('fail() errors the body for its reader with the given error, once', async () => {
    const ends: BodyEnd[] = [];
    const observed = observeSseBody(source(['data: a\n\n', 'data: b\n\n']), tracker(), (end) => ends.push(end));
    const reader = observed.body.getReader();
    await reader.read();
    observed.fail(new Error('killed'));
    observed.fail(new Error('again'));
    await expect(reader.read()).rejects.toThrow('killed');
    expect(ends).toEqual(['errored']);
  });
});

describe('observeSseBody: events the tracker rewrites', () => {
  const cutting: StreamUsageTracker = {
    onEvent: (_name, data) => (data.includes(',"usage":null') ? data.replace(',"usage":null', '') : false),
    result: () => ({ usage: null, complete: false }),
  };

  it('gives the rewritten text, whole events or split ones, ASCII or not, after the cut or before it', async () => {
    const events = [
      'data: {"content":"héllo ✓","usage":null,"o":"x"}\n\n',
      'data: {"content":"plain","usage":null,"o":"ü"}\n\n',
      'event: chunk\ndata: {"a":1,"usage":null}\n\n',
      'data: {"split","usage":null}\n\ndata: {"b":2,"usage":null}\n\n',
    ];
    const chunks = [
      events[0],
      events[1],
      events[2],
      'data: {"split",',
      '"usage":null}\n\ndata: {"b":2,"usage":null}\n\n',
    ];
    const text = await readAll(observeSseBody(source(chunks as string[]), cutting, () => {}).body);
    expect(text).toBe(events.join('').replaceAll(',"usage":null', ''));
  });
});
