import { InvalidOptionsError } from '../../errors/invalid-options-error.js';

/**
 * A Redis URL as it may be shown: scheme, host, port and database number only. Credentials can sit in the
 * user info, in the query (for ioredis) and, in a mangled URL, in the path, so all three are dropped; an
 * unparseable URL is not echoed at all.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = /^\/\d{1,5}$/.test(parsed.pathname) ? parsed.pathname : '';
    return `${parsed.protocol}//${parsed.host}${database}`;
  } catch {
    return 'redis://(invalid URL)';
  }
}

/**
 * Checks a `redis://` / `rediss://` URL before ioredis sees it: ioredis throws a raw TypeError whose
 * `input` field holds the whole URL, password included. Returns the URL as it may be shown.
 */
export function checkRedisUrl(url: string): string {
  const shown = redactRedisUrl(url);
  const refuse = (why: string) => new InvalidOptionsError('store', `not a usable Redis URL (${why}): ${shown}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('it does not parse as a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw refuse('expected redis:// or rediss://');
  if (parsed.hostname === '') throw refuse('no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (!(port >= 1 && port <= 65_535)) throw refuse('the port must be 1–65535');
  const database = parsed.pathname.replace(/^\//, '');
  if (database !== '' && !/^\d{1,5}$/.test(database)) throw refuse('the path must be a database number');
  return shown;
}
