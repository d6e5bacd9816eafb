import { TAG_KEY_PATTERN, type Tags, tagValueProblem } from '../core/tag-rules.js';
import { UsageError } from './cli-io.js';

/** `--tag key=value`, repeatable: every pair must match (AND). Undefined when none was given. */
export function parseTagFilters(pairs: readonly string[] | undefined): Tags | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, Math.max(0, at));
    const value = pair.slice(at + 1);
    if (at < 0 || !TAG_KEY_PATTERN.test(key) || tagValueProblem(value) !== null) {
      throw new UsageError(
        `--tag expects key=value (a letter, then letters, digits or _; the value 1–128 of A-Z a-z 0-9 _ . : @ + -), got "${pair}"`,
      );
    }
    if (Object.hasOwn(tags, key) && tags[key] !== value) {
      throw new UsageError(`--tag ${key} is given twice with different values: no call can match both`);
    }
    tags[key] = value;
  }
  return tags;
}

/** The tag key of `--by tag:<key>`, checked. */
export function tagGroupingKey(by: string): string {
  const key = by.slice(4);
  if (!TAG_KEY_PATTERN.test(key))
    throw new UsageError(`--by tag:<key> needs a tag key (a letter, then letters, digits or _), got "${by}"`);
  return key;
}
