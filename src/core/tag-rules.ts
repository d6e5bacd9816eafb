/**
 * Tags: string key → string value pairs that attribute calls and runs (`{ tenant: 'acme', feature: 'search' }`).
 * Both parts are restricted to characters that are safe as they are in every place a tag goes — a shared
 * store's key (`tag:tenant=acme`), a Redis hash tag, a SQL parameter, a CSV cell, a Prometheus label, a CLI
 * argument (`--tag tenant=acme`), a URL query — so no place needs its own escaping.
 */
export type Tags = Readonly<Record<string, string>>;

/** A key: a letter, then letters, digits or `_`, 64 characters at most (also a valid Prometheus label name). */
export const TAG_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** A value: 1–128 of letters, digits and `_ . : @ + -` (ids, slugs, e-mail addresses, UUIDs). */
export const TAG_VALUE_PATTERN = /^[A-Za-z0-9_.:@+-]{1,128}$/;
/** Tags one scope may carry. */
export const MAX_TAGS = 16;

/** Why `key` is not a valid tag key, or null when it is. */
export function tagKeyProblem(key: string): string | null {
  return TAG_KEY_PATTERN.test(key) ? null : 'a tag key is a letter followed by up to 63 letters, digits or underscores';
}

/** Why `value` is not a valid tag value, or null when it is. */
export function tagValueProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `a tag value is a string, got ${value === null ? 'null' : typeof value}`;
  return TAG_VALUE_PATTERN.test(value) ? null : 'a tag value is 1–128 letters, digits or the characters _ . : @ + -';
}

/** `over` applied on `base` (its keys win); the same object when one side adds nothing. */
export function mergeTags(base: Tags | undefined, over: Tags | undefined): Tags | undefined {
  if (!over) return base;
  if (!base) return over;
  return Object.freeze({ ...base, ...over });
}

/** True when `tags` has every pair of `wanted` (AND); an absent filter matches everything. */
export function tagsMatch(tags: Tags | undefined, wanted: Tags | undefined): boolean {
  if (!wanted) return true;
  for (const key of Object.keys(wanted)) {
    if (!tags || !Object.hasOwn(tags, key) || tags[key] !== wanted[key]) return false;
  }
  return true;
}
