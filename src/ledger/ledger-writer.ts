import type { CallRecord, EventRecord, RunRecord } from './ledger-records.js';
import type { LedgerStore } from './ledger-store.js';

export interface LedgerWriterOptions {
  /** Longest a record waits in memory before it is written, ms. @default 200 */
  flushIntervalMs?: number;
  /** Records that trigger a write right away (on the next turn of the event loop). @default 1000 */
  maxBatch?: number;
}

/**
 * The writer of each store object given to more than one fence: they share it (one batch, one order)
 * and the store stays open until the last of them closes.
 */
const writersByStore = new WeakMap<LedgerStore, LedgerWriter>();

/** Open writers, flushed synchronously when the process exits normally. */
const openWriters = new Set<LedgerWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const writer of openWriters) writer.flush();
  });
}

/**
 * Buffers ledger records and writes them in batches, off the calls' path: a call only pushes onto an
 * array. Nothing is dropped: a failed write keeps its records for the next attempt (and reports the
 * failure once as a process warning), `flush()` / `close()` write everything, and a normal process exit
 * flushes synchronously. A crash (kill -9) loses at most the records of the last `flushIntervalMs`.
 */
export class LedgerWriter {
  readonly store: LedgerStore;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  #calls: CallRecord[] = [];
  #events: EventRecord[] = [];
  #runs: RunRecord[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #warned = false;
  #closed = false;
  /** Records written so far (for tests and the crash guarantee). */
  written = 0;
  /** Fences recording through this writer that have not closed yet. */
  #users = 1;

  /** The open writer of `store` if a fence already records into it, else a new one. */
  static forStore(store: LedgerStore, options: LedgerWriterOptions = {}): LedgerWriter {
    const open = writersByStore.get(store);
    if (open && !open.#closed) {
      open.#users += 1;
      return open;
    }
    const writer = new LedgerWriter(store, options);
    writersByStore.set(store, writer);
    return writer;
  }

  /** One fence is done with this writer; true when it was the last, so the store may be shut. */
  release(): boolean {
    this.#users = Math.max(0, this.#users - 1);
    return this.#users === 0;
  }

  constructor(store: LedgerStore, options: LedgerWriterOptions = {}) {
    this.store = store;
    this.#flushIntervalMs = options.flushIntervalMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 1_000;
    openWriters.add(this);
    installExitHook();
  }

  get pending(): number {
    return this.#calls.length + this.#events.length + this.#runs.length;
  }

  call(record: CallRecord): void {
    this.#calls.push(record);
    this.#schedule();
  }

  event(record: EventRecord): void {
    this.#events.push(record);
    this.#schedule();
  }

  run(record: RunRecord): void {
    this.#runs.push(record);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) {
      if (!this.#warned) {
        this.#warned = true;
        process.emitWarning('TokenFence got a ledger record after close(); close the fence after its calls end.', {
          code: 'TOKENFENCE_W003',
        });
      }
      return;
    }
    if (this.pending >= this.#maxBatch) {
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.flush();
      });
      return;
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes everything buffered now. Returns false (keeping the records) when the store failed. */
  flush(): boolean {
    const calls = this.#calls;
    const events = this.#events;
    const runs = this.#runs;
    if (calls.length + events.length + runs.length === 0) return true;
    this.#calls = [];
    this.#events = [];
    this.#runs = [];
    const total = calls.length + events.length + runs.length;
    try {
      if (calls.length > 0) this.store.appendCalls(calls);
      calls.length = 0;
      if (events.length > 0) this.store.appendEvents(events);
      events.length = 0;
      if (runs.length > 0) this.store.appendRuns(runs);
      runs.length = 0;
    } catch (error) {
      // Keep what was not written, in order, ahead of anything recorded meanwhile.
      this.#calls = [...calls, ...this.#calls];
      this.#events = [...events, ...this.#events];
      this.#runs = [...runs, ...this.#runs];
      if (!this.#warned) {
        this.#warned = true;
        process.emitWarning(`TokenFence could not write to its ledger (will retry): ${(error as Error).message}`, {
          code: 'TOKENFENCE_W002',
        });
      }
      if (!this.#closed) this.#schedule();
      return false;
    }
    this.written += total;
    return true;
  }

  /** Flushes and closes the store. A record arriving later is reported (TOKENFENCE_W003), not written. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    this.flush();
    openWriters.delete(this);
    this.store.close();
  }
}
