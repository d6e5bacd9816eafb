import { asObject } from '../../providers/read-json.js';

/** Network errors raised before the request left this machine: nothing can have been billed. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** AI SDK errors a provider raises while building the request, before sending it. */
const NOT_SENT_ERRORS = new Set([
  'AI_UnsupportedFunctionalityError',
  'AI_InvalidPromptError',
  'AI_InvalidArgumentError',
  'AI_LoadAPIKeyError',
  'AI_LoadSettingError',
]);

/** Connection errors come wrapped: APICallError → TypeError('fetch failed') → the system error. */
function neverSent(error: unknown): boolean {
  let current = asObject(error);
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (typeof current.code === 'string' && NOT_SENT_CODES.has(current.code)) return true;
    if (typeof current.name === 'string' && NOT_SENT_ERRORS.has(current.name)) return true;
    current = asObject(current.cause);
  }
  return false;
}

/**
 * How a failed `doGenerate` / `doStream` ended for the budget, as `ManualAttempt.fail()` takes it: an
 * HTTP error status (`APICallError.statusCode`) or a request never sent releases the hold; anything
 * else (timeout, cut connection, abort after sending) leaves the outcome unknown and charges it.
 */
export function aiSdkFailure(error: unknown, abortedBeforeSend: boolean): { sent?: boolean; status?: number } {
  if (abortedBeforeSend || neverSent(error)) return { sent: false };
  const status = asObject(error)?.statusCode;
  return typeof status === 'number' && Number.isSafeInteger(status) ? { status } : {};
}
