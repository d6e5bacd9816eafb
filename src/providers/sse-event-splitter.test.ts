import { describe, expect, it } from 'vitest';
import { SseEventSplitter } from './sse-event-splitter.js';

describe('SseEventSplitter', () => {
  it('joins events split across chunks and keeps partial events for later', () => {
    const splitter = new SseEventSplitter();
    expect(splitter.push('event: message_start\ndata: {"a"')).toEqual([]);
    expect(splitter.isEmpty).toBe(false);
    const [event] = splitter.push(':1}\n\ndata: [DO');
    expect(event).toMatchObject({ name: 'message_start', data: '{"a":1}' });
    expect(splitter.push('NE]\n\n')).toMatchObject([{ name: undefined, data: '[DONE]', raw: 'data: [DONE]\n\n' }]);
    expect(splitter.isEmpty).toBe(true);
  });

  it('accepts CRLF line endings, multi-line data and fields without a space', () => {
    const splitter = new SseEventSplitter();
    expect(splitter.push('event:ping\r\ndata:one\r\ndata: two\r\n\r\n')).toMatchObject([
      { name: 'ping', data: 'one\ntwo' },
    ]);
  });

  it('hands back a last event that had no terminating blank line', () => {
    const splitter = new SseEventSplitter();
    splitter.push('data: tail');
    expect(splitter.flush()).toMatchObject({ data: 'tail' });
    expect(splitter.flush()).toBeUndefined();
  });
});

describe('SseEventSplitter: a CRLF split across chunks', () => {
  it('is one line end, not a blank line: the event is not cut in two', () => {
    const splitter = new SseEventSplitter();
    expect(splitter.push('event: message_delta\r')).toEqual([]);
    expect(splitter.isEmpty).toBe(false);
    expect(splitter.push('\ndata: {"a":1}\r')).toEqual([]);
    const [event] = splitter.push('\n\r\n');
    expect(event).toMatchObject({ name: 'message_delta', data: '{"a":1}' });
    expect(splitter.isEmpty).toBe(true);
  });

  it('ends a line when the stream ends on a CR', () => {
    const splitter = new SseEventSplitter();
    splitter.push('data: last\r');
    expect(splitter.flush()).toMatchObject({ data: 'last' });
  });
});
