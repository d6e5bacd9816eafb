/**
 * The shared budget's operations, one Lua script each, so every check and change across all scopes of a
 * call is one atomic step on Redis. Money is integer nano-USD (HINCRBY, never INCRBYFLOAT): Lua numbers
 * are doubles, exact up to 2^53, and the client never lets a counter pass 2^53 − 1.
 *
 * Keys of one budget tree share a hash tag `{tree}`: `holds` (sorted set, reservation id → expiry on
 * Redis's clock), `kills` (hash, kill key → reason), `r:<id>` (one reservation), `s:<scope>` (one scope:
 * limit, spent, held, calls). A script reaches the reservations it sweeps by name; they share the tag, so
 * they are in the script's slot on Redis Cluster too.
 */

/**
 * Amounts go back to Redis as the decimal strings they came as: Lua would print a number of 15 digits or
 * more as "1e+15" (and 0 negated as "-0"), which HINCRBY refuses.
 */
const NEGATE = `
local function negate(amount)
  if amount == '0' then return '0' end
  return '-' .. amount
end
`;

/** Shared by the scripts that run on a tree: Redis's clock, and the sweep of expired holds. */
const PRELUDE = `
${NEGATE}
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function sweep(holds, prefix, now, retention)
  local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    local rkey = prefix .. 'r:' .. id
    local r = redis.call('HMGET', rkey, 'state', 'amount', 'scopes')
    if r[1] == 'held' then
      for scope in string.gmatch(r[3], '[^\\n]+') do redis.call('HINCRBY', scope, 'held', negate(r[2])) end
      redis.call('HSET', rkey, 'state', 'expired')
      redis.call('PEXPIRE', rkey, retention)
    end
    redis.call('ZREM', holds, id)
  end
  return #expired
end
`;

/**
 * KEYS: holds, kills, reservation, scope…  ARGV: amount, ttlMs, force, update, retentionMs, prefix,
 * then per scope: kill key, limit ('-' for none).
 * Returns {'held', spent1, held1, …} | {'denied', i, spent, held, limit} | {'killed', i, reason} |
 * {'conflict', i, storedLimit} | {'ended', state} (the id was already used and is over) |
 * {'mismatch'} (the id holds another amount).
 */
export const RESERVE = `${PRELUDE}
local amount = tonumber(ARGV[1])
local now = now_ms()
sweep(KEYS[1], ARGV[6], now, tonumber(ARGV[5]))
local state = redis.call('HMGET', KEYS[3], 'state', 'amount')
local function totals()
  local out = {'held'}
  for i = 4, #KEYS do
    local s = redis.call('HMGET', KEYS[i], 'spent', 'held')
    out[#out + 1] = tonumber(s[1]) or 0
    out[#out + 1] = tonumber(s[2]) or 0
  end
  return out
end
if state[1] then
  if state[1] ~= 'held' then return {'ended', state[1]} end
  if state[2] ~= ARGV[1] then return {'mismatch'} end
  return totals()
end
local count = #KEYS - 3
for i = 1, count do
  local reason = redis.call('HGET', KEYS[2], ARGV[5 + 2 * i])
  if reason then return {'killed', i, reason} end
end
for i = 1, count do
  local key = KEYS[3 + i]
  local wanted = ARGV[6 + 2 * i]
  local s = redis.call('HMGET', key, 'limit', 'spent', 'held')
  if not s[1] then
    redis.call('HSET', key, 'limit', wanted, 'spent', 0, 'held', 0, 'calls', 0)
    s = {wanted, '0', '0'}
  elseif s[1] ~= wanted then
    if ARGV[4] ~= '1' then return {'conflict', i, s[1]} end
    redis.call('HSET', key, 'limit', wanted)
    s[1] = wanted
  end
  local used = tonumber(s[2]) + tonumber(s[3]) + amount
  if used > 9007199254740991 or (ARGV[3] ~= '1' and s[1] ~= '-' and used > tonumber(s[1])) then
    return {'denied', i, tonumber(s[2]), tonumber(s[3]), tonumber(s[1]) or -1}
  end
end
local names = {}
for i = 4, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'held', ARGV[1])
  names[#names + 1] = KEYS[i]
end
redis.call('HSET', KEYS[3], 'state', 'held', 'amount', ARGV[1], 'scopes', table.concat(names, '\\n'))
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[7 + 2 * count])
return totals()
`;

/**
 * KEYS: holds, reservation, scope…  ARGV: reservation id, cost ('-' releases), retentionMs.
 * Ends a hold exactly once. A hold already swept (its process was presumed dead) or never made (admitted
 * while the store was down) is still charged: flagged late. Returns {'ok', late} | {'repeat', late}
 * (the same settlement again) | {'conflict', state, charged} (another settlement of this id).
 */
export const SETTLE = `${NEGATE}
local cost = ARGV[2]
local r = redis.call('HMGET', KEYS[2], 'state', 'amount', 'charged', 'late')
local ended = cost == '-' and 'released' or 'settled'
if r[1] == 'settled' or r[1] == 'released' then
  if r[1] == ended and (r[3] or '-') == cost then return {'repeat', tonumber(r[4]) or 0} end
  return {'conflict', r[1], r[3] or '-'}
end
local late = 1
if r[1] == 'held' then
  late = 0
  for i = 3, #KEYS do redis.call('HINCRBY', KEYS[i], 'held', negate(r[2])) end
  redis.call('ZREM', KEYS[1], ARGV[1])
end
if cost ~= '-' then
  for i = 3, #KEYS do
    redis.call('HINCRBY', KEYS[i], 'spent', cost)
    redis.call('HINCRBY', KEYS[i], 'calls', 1)
  end
end
redis.call('HSET', KEYS[2], 'state', ended, 'charged', cost, 'late', late)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return {'ok', late}
`;

/**
 * KEYS: holds.  ARGV: ttlMs, prefix, retentionMs, reservation id…  Pushes back the expiry of holds still
 * held, and sweeps expired ones. Returns the ids that are no longer held.
 */
export const EXTEND = `${PRELUDE}
local now = now_ms()
sweep(KEYS[1], ARGV[2], now, tonumber(ARGV[3]))
local lost = {}
for i = 4, #ARGV do
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i]) == 0 and
     not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`;

/** KEYS: kills.  ARGV: kill key, reason, channel, message.  The first kill's reason stays. */
export const KILL = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return redis.call('HGET', KEYS[1], ARGV[1])
`;
