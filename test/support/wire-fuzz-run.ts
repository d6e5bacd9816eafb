import { type CallRecord, createMemoryLedgerStore, TokenFence } from '../../src/index.js';
import { tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import { seededRandom } from './seeded-random.js';
import { type CaseGroup, type FuzzCase, fetchAnswering, fuzzCase, preview, validBody } from './wire-bodies.js';
import type { CallView, MemoryFetch, Sender, WireFormat } from './wire-formats.js';

/** A broken rule, with the body that shows it. */
export interface FuzzFailure {
  rule: 'leaked hold' | 'error mismatch' | 'booked $0' | 'expectation' | 'invalid booking';
  group: CaseGroup;
  kind: string;
  detail: string;
  body: string;
}

export interface FuzzRun {
  format: string;
  bodies: number;
  failures: FuzzFailure[];
  /** Cases per expectation, to show what the run covered. */
  covered: Record<string, number>;
}

const BIG_BUDGET_USD = 1_000_000;

/** A guarded sender and the ledger its attempts land in. */
function guardedSender(format: WireFormat): { sender: Sender; fence: TokenFence; records: () => CallRecord[] } {
  // The records each case appends, kept as they arrive (querying the whole ledger per case is quadratic).
  const store = createMemoryLedgerStore({ maxRecords: 1 });
  const appended: CallRecord[] = [];
  const append = store.appendCalls.bind(store);
  store.appendCalls = (records) => {
    appended.push(...records);
    append(records);
  };
  let fence: TokenFence;
  let sender: Sender;
  if (format.name.startsWith('ai sdk')) {
    const middleware = tokenfenceMiddleware({ budget: BIG_BUDGET_USD, store, provider: 'openai' });
    fence = middleware.tokenfence;
    sender = { middleware };
  } else {
    fence = new TokenFence({ budget: BIG_BUDGET_USD, store });
    sender = { fence };
  }
  return {
    sender,
    fence,
    records: () => {
      fence.flush();
      return appended.splice(0);
    },
  };
}

const sameError = (raw: CallView['error'], guarded: CallView['error']) =>
  raw === guarded ||
  (raw !== null &&
    guarded !== null &&
    raw.name === guarded.name &&
    raw.status === guarded.status &&
    raw.message === guarded.message);

const describeError = (error: CallView['error']) =>
  error ? `${error.name}(${String(error.status)}): ${error.message.slice(0, 120)}` : 'no error';

/** Runs `count` seeded cases of one format through the raw and the guarded SDK and checks every rule. */
export async function fuzzFormat(format: WireFormat, count: number, seed: number): Promise<FuzzRun> {
  const random = seededRandom(seed);
  const guarded = guardedSender(format);
  const failures: FuzzFailure[] = [];
  const covered: Record<string, number> = {};

  let current: Parameters<typeof fetchAnswering>[0] = {
    status: 200,
    contentType: format.contentType,
    body: new TextEncoder().encode(validBody(format)),
    cuts: [],
  };
  const fetch: MemoryFetch = (input, init) => fetchAnswering(current)(input, init);
  const callRaw = format.connect(fetch, null);
  const callGuarded = format.connect(fetch, guarded.sender);
  await callGuarded();
  const baseline = guarded.records()[0];
  if (!baseline || baseline.costSource === 'estimated' || baseline.costNanos <= 0) {
    throw new Error(`${format.name}: the undamaged body is not priced from its usage: ${JSON.stringify(baseline)}`);
  }

  for (let index = 0; index < count; index += 1) {
    const fuzz: FuzzCase = fuzzCase(format, random);
    covered[`${fuzz.group}/${fuzz.expect}`] = (covered[`${fuzz.group}/${fuzz.expect}`] ?? 0) + 1;
    const fail = (rule: FuzzFailure['rule'], detail: string) =>
      failures.push({ rule, group: fuzz.group, kind: fuzz.kind, detail, body: preview(fuzz) });
    current = fuzz;
    const raw = await callRaw();
    const heldBefore = guarded.fence.reserved;
    const seen = await callGuarded();
    if (guarded.fence.reserved > heldBefore) {
      // Settlement may trail the caller's last read by a tick; a hold still there after that leaked.
      await new Promise((resolve) => setImmediate(resolve));
      if (guarded.fence.reserved > heldBefore) {
        fail('leaked hold', `reserved $${guarded.fence.reserved - heldBefore} after the call ended`);
      }
    }
    if (!sameError(raw.error, seen.error) || raw.items.join() !== seen.items.join()) {
      fail(
        'error mismatch',
        `raw: ${describeError(raw.error)} [${raw.items.join()}]; guarded: ${describeError(seen.error)} [${seen.items.join()}]`,
      );
    }
    const records = guarded.records();
    if (records.length === 0) fail('leaked hold', 'no ledger record for the attempt');
    for (const record of records) checkRecord(record, fuzz, baseline, fail);
  }
  return { format: format.name, bodies: count, failures, covered };
}

function checkRecord(
  record: CallRecord,
  fuzz: FuzzCase,
  baseline: CallRecord,
  fail: (rule: FuzzFailure['rule'], detail: string) => void,
): void {
  const booking = `${record.costSource} ${record.costNanos} n$ of ${record.reservedNanos} held, outcome ${record.outcome}`;
  if (!Number.isSafeInteger(record.costNanos) || record.costNanos < 0) fail('invalid booking', booking);
  const success = fuzz.status >= 200 && fuzz.status < 300;
  if (success && record.costNanos === 0) fail('booked $0', booking);
  if (record.costSource === 'estimated' && record.costNanos < record.reservedNanos) fail('invalid booking', booking);
  switch (fuzz.expect) {
    case 'unknown':
      if (record.costSource !== 'estimated' || record.costNanos < record.reservedNanos) fail('expectation', booking);
      break;
    case 'valid':
      if (record.costSource === 'estimated' || record.costNanos <= 0) fail('expectation', booking);
      break;
    case 'same-cost':
      if (record.costSource !== baseline.costSource || record.costNanos !== baseline.costNanos) {
        fail('expectation', `${booking}; the undamaged body books ${baseline.costNanos}`);
      }
      break;
    case 'released':
      if (record.costNanos !== 0 || record.costSource === 'estimated') fail('expectation', booking);
      break;
    case 'any':
      break;
  }
}

/** Failures grouped by rule and kind, one example body each: a readable list for a failing test. */
export function summarise(failures: readonly FuzzFailure[], limit = 12): string {
  const byKind = new Map<string, { count: number; example: FuzzFailure }>();
  for (const failure of failures) {
    const key = `${failure.rule} | ${failure.kind.replace(/\d+\/\d+/, 'N/M')}`;
    const known = byKind.get(key);
    if (known) known.count += 1;
    else byKind.set(key, { count: 1, example: failure });
  }
  return [...byKind.entries()]
    .slice(0, limit)
    .map(([key, { count, example }]) => `${count}× ${key}: ${example.detail}\n    body: ${example.body}`)
    .join('\n');
}
