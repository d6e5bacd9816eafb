import { describe, expect, it } from 'vitest';
import { observeAiSdkStream, type StreamEnd, type StreamSightings } from './observe-ai-sdk-stream.js';

function source(parts: unknown[], failWith?: Error): ReadableStream<unknown> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      if (failWith) controller.error(failWith);
      else controller.close();
    },
  });
}

function observe(stream: ReadableStream<unknown>, collectText = true, collectToolParts = false) {
  const ends: Array<[StreamEnd, StreamSightings]> = [];
  const observed = observeAiSdkStream(stream, {
    collectText,
    collectToolParts,
    onEnd: (sightings, end) => ends.push([end, structuredClone(sightings)]),
    mapError: (error) => new Error(`mapped: ${(error as Error).message}`),
  });
  return { observed, ends };
}

async function readAll(stream: ReadableStream<unknown>): Promise<unknown[]> {
  const parts: unknown[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  return parts;
}

const finish = { type: 'finish', usage: { inputTokens: 1 }, providerMetadata: { p: {} } };

describe('observeAiSdkStream', () => {
  it('passes every part through and settles once, at the finish part', async () => {
    const parts = [{ type: 'text-delta', id: '0', delta: 'Hel' }, { type: 'text-delta', id: '0', delta: 'lo' }, finish];
    const { observed, ends } = observe(source(parts));
    expect(await readAll(observed)).toEqual(parts);
    expect(ends).toEqual([
      [
        'finished',
        {
          finish: { usage: finish.usage, providerMetadata: finish.providerMetadata },
          errored: false,
          text: 'Hello',
          toolParts: [],
        },
      ],
    ]);
  });

  it('keeps provider-executed tool parts when asked: they count per-use fees', async () => {
    const search = { type: 'tool-call', toolCallId: 'ws_1', toolName: 'web', input: '{}', providerExecuted: true };
    const result = { type: 'tool-result', toolCallId: 'ws_1', toolName: 'web', result: {} };
    const local = { type: 'tool-call', toolCallId: 'c_1', toolName: 'weather', input: '{}' };
    const parts = [search, result, local, finish];
    const { observed, ends } = observe(source(parts), false, true);
    await readAll(observed);
    expect(ends[0]?.[1].toolParts).toEqual([search, result]);
    const quiet = observe(source(parts), false, false);
    await readAll(quiet.observed);
    expect(quiet.ends[0]?.[1].toolParts).toEqual([]);
  });

  it('an error part before the end: ended, not finished', async () => {
    const { observed, ends } = observe(source([{ type: 'error', error: 'overloaded' }, finish]), false);
    await readAll(observed);
    expect(ends.map(([end, sightings]) => [end, sightings.errored, sightings.text])).toEqual([['ended', true, '']]);
  });

  it('a read failure: failed, and the consumer gets the mapped error', async () => {
    const { observed, ends } = observe(source([{ type: 'text-delta', delta: 'x' }], new Error('cut')));
    await expect(readAll(observed)).rejects.toThrow('mapped: cut');
    expect(ends.map(([end]) => end)).toEqual(['failed']);
  });

  it('the consumer cancelling: cancelled, and the source is cancelled too', async () => {
    let cancelled: unknown;
    const endless = new ReadableStream({
      pull(controller) {
        controller.enqueue({ type: 'text-delta', delta: 'x' });
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const { observed, ends } = observe(endless);
    const reader = observed.getReader();
    await reader.read();
    await reader.cancel('enough');
    expect(ends.map(([end]) => end)).toEqual(['cancelled']);
    expect(cancelled).toBe('enough');
  });
});
