import { UsageError } from './cli-io.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `30m`, `7d`, `2w` before `now`, or an ISO date / date-time, to epoch ms. */
export function parseTime(value: string | undefined, option: string, now: number): number | undefined {
  if (value === undefined) return undefined;
  const relative = /^(\d+)([mhdw])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * (UNITS[relative[2] as string] as number);
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute))
    throw new UsageError(`--${option} takes a duration like 24h, 7d or an ISO date, got "${value}"`);
  return absolute;
}
