import type { LedgerFilter } from '../ledger/ledger-store.js';
import { isTagKey, parseTagPair } from '../reports/parse-tag-pair.js';
import { UsageError } from './cli-io.js';

/** `--tag key=value`, repeatable: every pair must match (AND). Undefined when none was given. */
export function parseTagFilters(pairs: readonly string[] | undefined): LedgerFilter['tags'] {
  if (!pairs || pairs.length === 0) return undefined;
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const parsed = parseTagPair(pair);
    if (!parsed) {
      throw new UsageError(
        `--tag expects key=value (a letter, then letters, digits or _; the value 1–128 of A-Z a-z 0-9 _ . : @ + -), got "${pair}"`,
      );
    }
    if (Object.hasOwn(tags, parsed.key) && tags[parsed.key] !== parsed.value) {
      throw new UsageError(`--tag ${parsed.key} is given twice with different values: no call can match both`);
    }
    tags[parsed.key] = parsed.value;
  }
  return tags;
}

/** The tag key of `--by tag:<key>`, checked. */
export function tagGroupingKey(by: string): string {
  const key = by.slice(4);
  if (!isTagKey(key)) {
    throw new UsageError(`--by tag:<key> needs a tag key (a letter, then letters, digits or _), got "${by}"`);
  }
  return key;
}
