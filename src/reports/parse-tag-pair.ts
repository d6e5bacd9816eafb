import { TAG_KEY_PATTERN, tagValueProblem } from '../core/tag-rules.js';

/** True when `key` can be a tag key (what `--by tag:<key>` and a dashboard's `tagKey` accept). */
export function isTagKey(key: string): boolean {
  return TAG_KEY_PATTERN.test(key);
}

/** `key=value` as a report filter takes it (CLI `--tag`, dashboard `tag=`), or null when it is not one. */
export function parseTagPair(pair: string): { key: string; value: string } | null {
  const at = pair.indexOf('=');
  if (at < 0) return null;
  const key = pair.slice(0, at);
  const value = pair.slice(at + 1);
  return isTagKey(key) && tagValueProblem(value) === null ? { key, value } : null;
}
