/** The header on the Response of a local stop answer (`.asResponse()`, `.withResponse()`), and its value. */
export const STOP_HEADER = 'x-tokenfence-stop';
/** The field a local stop answer's JSON body carries (the SDK keeps unknown fields on the parsed object). */
export const STOP_FIELD = 'tokenfence_stop';
export const STOP_REASON = 'budget-exceeded';

/** Objects the SDK built from a local stop answer (streams, Gemini results); shared by every package copy. */
const STOP_ANSWERS = Symbol.for('tokenfence.stop-answers');
const registry = globalThis as Record<symbol, unknown>;
registry[STOP_ANSWERS] ??= new WeakSet<object>();
const stopAnswers = registry[STOP_ANSWERS] as WeakSet<object>;

export function markStopAnswer(value: unknown): void {
  if (typeof value === 'object' && value !== null) stopAnswers.add(value);
}

/** A JSON stop body with its marker field; a stream body unchanged (the stream object is marked instead). */
export function withStopMarker(body: string, stream: boolean): string {
  if (stream) return body;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
    return JSON.stringify({ ...parsed, [STOP_FIELD]: STOP_REASON });
  } catch {
    return body;
  }
}

/**
 * True for a local `onLimit: 'stop'` answer — the JSON response the SDK resolved with, the stream object
 * of a stream request, or its raw Response (`.asResponse()`) — and false for anything a provider sent.
 */
export function isBudgetStop(response: unknown): boolean {
  if (typeof response !== 'object' || response === null) return false;
  if (stopAnswers.has(response)) return true;
  if (typeof Response !== 'undefined' && response instanceof Response) return response.headers.has(STOP_HEADER);
  return (response as Record<string, unknown>)[STOP_FIELD] === STOP_REASON;
}
