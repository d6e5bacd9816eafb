import { describe, expect, it, vi } from 'vitest';
import { createMemoryLedgerStore } from '../stores/memory/memory-ledger-store.js';
import { sampleCallRecord } from '../testing/ledger-store-conformance.js';
import { LedgerWriter } from './ledger-writer.js';

describe('LedgerWriter', () => {
  it('buffers records off the call path and writes them in one batch after the interval', async () => {
    const store = createMemoryLedgerStore();
    const append = vi.spyOn(store, 'appendCalls');
    const writer = new LedgerWriter(store, { flushIntervalMs: 20 });
    for (let index = 0; index < 50; index += 1) writer.call(sampleCallRecord({ id: `r${index}` }));
    expect(append).not.toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(append).toHaveBeenCalledTimes(1);
    expect(store.queryCalls({})).toHaveLength(50);
    writer.close();
  });

  it('writes at once when the batch is full', async () => {
    const store = createMemoryLedgerStore();
    const writer = new LedgerWriter(store, { flushIntervalMs: 60_000, maxBatch: 10 });
    for (let index = 0; index < 10; index += 1) writer.call(sampleCallRecord({ id: `r${index}` }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.queryCalls({})).toHaveLength(10);
    writer.close();
  });

  it('keeps records through a failing store, in order, and writes them once it recovers (never drops)', () => {
    const store = createMemoryLedgerStore();
    const original = store.appendCalls.bind(store);
    let failing = true;
    store.appendCalls = (records) => {
      if (failing) throw new Error('disk full');
      original(records);
    };
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const writer = new LedgerWriter(store, { flushIntervalMs: 60_000 });
    writer.call(sampleCallRecord({ id: 'a', ts: 1 }));
    expect(writer.flush()).toBe(false);
    writer.call(sampleCallRecord({ id: 'b', ts: 2 }));
    expect(writer.flush()).toBe(false);
    expect(warning).toHaveBeenCalledTimes(1);
    failing = false;
    expect(writer.flush()).toBe(true);
    expect(store.queryCalls({}).map((record) => record.id)).toEqual(['a', 'b']);
    expect(writer.written).toBe(2);
    writer.close();
    warning.mockRestore();
  });
});
