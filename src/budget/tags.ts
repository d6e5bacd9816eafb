import { MAX_TAGS, type Tags, tagKeyProblem, tagValueProblem } from '../core/tag-rules.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';

/**
 * The `tags` option of a run, agent or guarded client, validated: a plain object of at most 16 string
 * values, keys and values of the documented characters (see tag-rules). Returns a frozen copy, or
 * undefined for none. Throws InvalidOptionsError naming the offending tag (never echoing a long value).
 */
export function validateTags(tags: unknown, option = 'tags'): Tags | undefined {
  if (tags === undefined) return undefined;
  const prototype = typeof tags === 'object' && tags !== null ? Object.getPrototypeOf(tags) : undefined;
  // A plain object, or one without a prototype (Object.create(null)).
  if (Array.isArray(tags) || (prototype !== Object.prototype && prototype !== null)) {
    throw new InvalidOptionsError(option, "expected a plain object of string values, e.g. { tenant: 'acme' }");
  }
  const keys = Object.keys(tags as object);
  if (keys.length === 0) return undefined;
  if (keys.length > MAX_TAGS) throw new InvalidOptionsError(option, `at most ${MAX_TAGS} tags, got ${keys.length}`);
  const copy: Record<string, string> = {};
  for (const key of keys) {
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) throw new InvalidOptionsError(`${option}.${key.slice(0, 64)}`, keyProblem);
    const value = (tags as Record<string, unknown>)[key];
    const valueProblem = tagValueProblem(value);
    if (valueProblem) throw new InvalidOptionsError(`${option}.${key}`, valueProblem);
    copy[key] = value as string;
  }
  return Object.freeze(copy);
}

/** `key=value` (the CLI's and the shared store's form) split and validated. */
export function parseTagPair(pair: string, option = 'tag'): { key: string; value: string } {
  const at = pair.indexOf('=');
  const key = at < 0 ? pair : pair.slice(0, at);
  const value = at < 0 ? '' : pair.slice(at + 1);
  const tags = validateTags({ [key]: value }, option);
  if (!tags || at < 0) throw new InvalidOptionsError(option, 'expected key=value, e.g. tenant=acme');
  return { key, value };
}
