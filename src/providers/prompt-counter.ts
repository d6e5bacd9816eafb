import type { RequestParams } from './provider-adapter.js';
import { asObject } from './read-json.js';

/** A request to a provider's free token-counting endpoint, made from the request it counts. */
export interface CountRequest {
  url: string;
  body: Record<string, unknown>;
}

/**
 * How an endpoint's prompt is counted by the provider's own counting endpoint, on the wire: the guard sends
 * the counting request with the SDK's own headers (auth, version, betas) and reads the count back.
 */
export interface WirePromptCounter {
  /** The counting request for `body` sent to `url`; undefined when the counting endpoint cannot see all of it. */
  request(url: string, body: RequestParams): CountRequest | undefined;
  /** The count in the counting endpoint's answer; undefined when it carries no plausible one. */
  read(json: unknown): number | undefined;
}

/** More input tokens than any context window: a count above it is garbage, not a prompt. */
const ABSURD_COUNT = 100_000_000;

/** A count a provider can have meant: a whole number from 1 (every request has some prompt) to absurd. */
export function plausibleCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= ABSURD_COUNT
    ? value
    : undefined;
}

/** The numeric field `field` of a JSON answer, when it is a plausible count. */
export function countField(json: unknown, field: string): number | undefined {
  return plausibleCount(asObject(json)?.[field]);
}

/** The fields of `body` named in `accepted` (the counting endpoint refuses the rest). */
export function pickFields(body: RequestParams, accepted: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of accepted) if (body[field] !== undefined) picked[field] = body[field];
  return picked;
}

/** `url` with `suffix` appended to its path, its query (Azure's `api-version`, Anthropic's `beta`) kept. */
export function withPathSuffix(url: string, suffix: string): string {
  const query = url.indexOf('?');
  return query === -1 ? `${url}${suffix}` : `${url.slice(0, query)}${suffix}${url.slice(query)}`;
}
