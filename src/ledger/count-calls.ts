import type { LedgerOutcome } from './ledger-records.js';

/**
 * How a call record counts, the one definition every count uses (demo, `runs`, `report`, the dashboard,
 * the SQL of the SQLite store): `blocked` — refused for budget before anything was sent; `killed` — refused
 * by a kill, or cut off by one while in flight (what it had billed is still in its cost); `sent` — every
 * other record (`ok`, `error`, `aborted`): an HTTP attempt that reached the provider.
 */
export type CallKind = 'sent' | 'blocked' | 'killed';

/** The outcomes of each kind but `sent` (everything else is sent). */
export const OUTCOMES_OF_KIND: Readonly<Record<Exclude<CallKind, 'sent'>, readonly LedgerOutcome[]>> = {
  blocked: ['blocked'],
  killed: ['killed'],
};

export function callKind(outcome: LedgerOutcome): CallKind {
  if (OUTCOMES_OF_KIND.blocked.includes(outcome)) return 'blocked';
  if (OUTCOMES_OF_KIND.killed.includes(outcome)) return 'killed';
  return 'sent';
}

/** Records of a group split by kind; `calls` is their sum (every record). */
export interface CallCounts {
  calls: number;
  sentCalls: number;
  blockedCalls: number;
  killedCalls: number;
}

export const noCalls = (): CallCounts => ({ calls: 0, sentCalls: 0, blockedCalls: 0, killedCalls: 0 });

/** Counts one record of `outcome` into `counts` (in place: it runs once per record of a report). */
export function countCall(counts: CallCounts, outcome: LedgerOutcome): void {
  counts.calls += 1;
  const kind = callKind(outcome);
  if (kind === 'sent') counts.sentCalls += 1;
  else if (kind === 'blocked') counts.blockedCalls += 1;
  else counts.killedCalls += 1;
}

/** Adds `part` into `total` (in place). */
export function addCounts(total: CallCounts, part: CallCounts): void {
  total.calls += part.calls;
  total.sentCalls += part.sentCalls;
  total.blockedCalls += part.blockedCalls;
  total.killedCalls += part.killedCalls;
}

/** `8 calls (6 sent, 1 blocked, 1 killed)`: how every CLI line says it; the split is left out when all were sent. */
export function describeCalls(counts: CallCounts): string {
  const total = `${counts.calls} ${counts.calls === 1 ? 'call' : 'calls'}`;
  if (counts.sentCalls === counts.calls) return total;
  return `${total} (${counts.sentCalls} sent, ${counts.blockedCalls} blocked, ${counts.killedCalls} killed)`;
}

/** The same split as SQL over an `outcome` column: `calls, sentCalls, blockedCalls, killedCalls`. */
export function callCountsSql(column = 'outcome'): string {
  const of = (outcomes: readonly LedgerOutcome[]) => outcomes.map((outcome) => `'${outcome}'`).join(', ');
  const refused = [...OUTCOMES_OF_KIND.blocked, ...OUTCOMES_OF_KIND.killed];
  // A comparison is 0 or 1 in SQLite: summing it is the cheapest count over 100,000 rows.
  const count = (outcomes: readonly LedgerOutcome[]) => `COALESCE(SUM(${column} IN (${of(outcomes)})), 0)`;
  return `COUNT(*) AS calls, COUNT(*) - ${count(refused)} AS sentCalls, ${count(OUTCOMES_OF_KIND.blocked)} AS blockedCalls, ${count(OUTCOMES_OF_KIND.killed)} AS killedCalls`;
}
