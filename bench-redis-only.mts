import { formatRedisSummary, measureRedisBudgets } from './bench/redis.ts';
const table = (headers: readonly string[], rows: readonly (readonly string[])[]) =>
  [headers.join(' | '), ...rows.map((row) => row.join(' | '))].join('\n');
const result = await measureRedisBudgets();
console.log(formatRedisSummary(result, table));
