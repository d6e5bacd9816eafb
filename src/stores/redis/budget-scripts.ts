/**
 * The shared budget's operations, one Lua script each, so every check and change across all scopes of a
 * call is one atomic step on Redis. Money is integer nano-USD, never INCRBYFLOAT: Lua numbers are doubles,
 * exact up to 2^53, the client never lets a counter pass 2^53 − 1, and numbers go back to Redis formatted
 * with %d (Lua would print 1e15 as "1e+15", which Redis refuses as an integer).
 *
 * A budget tree is three keys sharing the hash tag `{tree}` (one slot on Redis Cluster):
 * - `b` — one hash for every scope of the tree: `<scope>\nl` limit ('-' for none), `\ns` spent,
 *   `\nh` held, `\nc` calls, and `<kill key>\nk` the kill reason. One HMGET reads every scope of a call,
 *   one HSET writes them: a script's cost grows with its Redis calls, not with the fields.
 * - `holds` — sorted set, reservation id → expiry on Redis's clock.
 * - `r:<id>` — one reservation: `held\n<amount>\n<scope>…` while held, then `settled|released|expired\n…`
 *   kept for the retention period, which is what makes a repeated settle answer the first result.
 * Scope names never contain control characters (labels and ids are validated), so '\n' separates safely.
 */

/**
 * Shared helpers: Redis's clock, integer formatting, splitting records, a read-through cache of the tree's
 * budget fields (one HMGET for what a batch needs, one HSET for what it changed), sweeping expired holds.
 */
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(x) return string.format('%d', x) end
local function split(text)
  local parts = {}
  for part in string.gmatch(text, '[^\\n]+') do parts[#parts + 1] = part end
  return parts
end
local cache, dirty = {}, {}
local function load(budgets, fields)
  local missing = {}
  for _, field in ipairs(fields) do
    if cache[field] == nil then missing[#missing + 1] = field end
  end
  if #missing == 0 then return end
  local values = redis.call('HMGET', budgets, unpack(missing))
  for i, field in ipairs(missing) do cache[field] = values[i] or false end
end
local function num(field) return tonumber(cache[field]) or 0 end
local function put(field, value)
  cache[field] = value
  dirty[field] = true
end
local function flush(budgets)
  local writes = {}
  for field in pairs(dirty) do
    writes[#writes + 1] = field
    writes[#writes + 1] = cache[field]
  end
  if #writes > 0 then redis.call('HSET', budgets, unpack(writes)) end
  dirty = {}
end
local function sweep(budgets, holds, prefix, now, retention)
  local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    local rkey = prefix .. 'r:' .. id
    local record = redis.call('GET', rkey)
    if record then
      local parts = split(record)
      if parts[1] == 'held' then
        if parts[2] ~= '0' then
          for i = 3, #parts do redis.call('HINCRBY', budgets, parts[i] .. '\\nh', '-' .. parts[2]) end
        end
        redis.call('SET', rkey, 'expired\\n' .. parts[2], 'PX', retention)
      end
    end
    redis.call('ZREM', holds, id)
  end
  return #expired
end
`;

/**
 * A batch of reservations of one tree, in order, each checked against the counters as the ones before it
 * left them. KEYS: budgets, holds, then one reservation key per request.  ARGV: ttlMs, retentionMs,
 * prefix, request count, then per request: id, amount, force, update, scope count, and per scope: key,
 * kill key, limit ('-' for none).
 * Returns one reply per request: {'held', spent1, held1, …} | {'denied', i, spent, held, limit} |
 * {'killed', i, reason} | {'conflict', i, storedLimit} | {'ended', state} (the id was already used and is
 * over) | {'mismatch'} (the id holds another amount). Expired holds are swept only when they could
 * matter: before refusing a request.
 */
export const RESERVE = `${PRELUDE}
local budgets, holds = KEYS[1], KEYS[2]
local ttl, retention, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local now = now_ms()
local swept = false
local results = {}
local at = 5
for j = 1, tonumber(ARGV[4]) do
  local id, amountText, force, update = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local amount = tonumber(amountText)
  local scopes, fields = {}, {}
  for i = 1, tonumber(ARGV[at + 4]) do
    local base = at + 5 + 3 * (i - 1)
    local scope = { key = ARGV[base], kill = ARGV[base + 1] .. '\\nk', limit = ARGV[base + 2] }
    scope.l, scope.s, scope.h = scope.key .. '\\nl', scope.key .. '\\ns', scope.key .. '\\nh'
    scopes[i] = scope
    fields[#fields + 1] = scope.l
    fields[#fields + 1] = scope.s
    fields[#fields + 1] = scope.h
    fields[#fields + 1] = scope.kill
  end
  at = at + 5 + 3 * #scopes
  local function totals()
    local out = {'held'}
    for _, scope in ipairs(scopes) do
      out[#out + 1] = num(scope.s)
      out[#out + 1] = num(scope.h)
    end
    return out
  end
  local function check()
    for i, scope in ipairs(scopes) do
      if cache[scope.kill] then return {'killed', i, cache[scope.kill]} end
    end
    for i, scope in ipairs(scopes) do
      local stored = cache[scope.l]
      if stored and stored ~= scope.limit and update ~= '1' then return {'conflict', i, stored} end
      local used = num(scope.s) + num(scope.h) + amount
      if used > 9007199254740991 or (force ~= '1' and scope.limit ~= '-' and used > tonumber(scope.limit)) then
        return {'denied', i, num(scope.s), num(scope.h), tonumber(scope.limit) or -1}
      end
    end
    return nil
  end
  local rkey = KEYS[2 + j]
  local prior = redis.call('GET', rkey)
  if prior then
    local parts = split(prior)
    if parts[1] ~= 'held' then
      results[j] = {'ended', parts[1]}
    elseif parts[2] ~= amountText then
      results[j] = {'mismatch'}
    else
      load(budgets, fields)
      results[j] = totals()
    end
  else
    load(budgets, fields)
    local refusal = check()
    if refusal and refusal[1] == 'denied' and not swept then
      swept = true
      flush(budgets)
      if sweep(budgets, holds, prefix, now, retention) > 0 then
        cache = {}
        load(budgets, fields)
        refusal = check()
      end
    end
    if refusal then
      results[j] = refusal
    else
      local names = {}
      for _, scope in ipairs(scopes) do
        if not cache[scope.l] then put(scope.s, '0') end
        if cache[scope.l] ~= scope.limit then put(scope.l, scope.limit) end
        put(scope.h, int(num(scope.h) + amount))
        names[#names + 1] = scope.key
      end
      redis.call('SET', rkey, 'held\\n' .. amountText .. '\\n' .. table.concat(names, '\\n'))
      redis.call('ZADD', holds, now + ttl, id)
      results[j] = totals()
    end
  end
end
flush(budgets)
return results
`;

/**
 * A batch of settlements of one tree; each ends its hold exactly once. A hold already swept (its process
 * was presumed dead) or never made (admitted while the store was down) is still charged: flagged late.
 * KEYS: budgets, holds, then one reservation key per settlement.  ARGV: retentionMs, settlement count,
 * then per settlement: id, cost ('-' releases), scope count, scope keys.
 * Returns one reply per settlement: {'ok', late} | {'repeat', late} (the same settlement again) |
 * {'conflict', state, charged} (another settlement of this id).
 */
export const SETTLE = `${PRELUDE}
local budgets, holds = KEYS[1], KEYS[2]
local results = {}
local at = 3
for j = 1, tonumber(ARGV[2]) do
  local id, cost, count = ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2])
  local first, last = at + 3, at + 2 + count
  at = last + 1
  local rkey = KEYS[2 + j]
  local ended = cost == '-' and 'released' or 'settled'
  local prior = redis.call('GET', rkey)
  local parts = prior and split(prior) or {}
  if parts[1] == 'settled' or parts[1] == 'released' then
    if parts[1] == ended and parts[2] == cost then
      results[j] = {'repeat', tonumber(parts[3])}
    else
      results[j] = {'conflict', parts[1], parts[2]}
    end
  else
    local held = parts[1] == 'held'
    local amount = held and tonumber(parts[2]) or 0
    if amount > 0 or cost ~= '-' then
      local fields = {}
      for i = first, last do
        fields[#fields + 1] = ARGV[i] .. '\\nh'
        fields[#fields + 1] = ARGV[i] .. '\\ns'
        fields[#fields + 1] = ARGV[i] .. '\\nc'
      end
      load(budgets, fields)
      for i = first, last do
        local h, s, c = ARGV[i] .. '\\nh', ARGV[i] .. '\\ns', ARGV[i] .. '\\nc'
        put(h, int(num(h) - amount))
        if cost ~= '-' then
          put(s, int(num(s) + tonumber(cost)))
          put(c, int(num(c) + 1))
        end
      end
    end
    if held then redis.call('ZREM', holds, id) end
    local late = held and 0 or 1
    redis.call('SET', rkey, ended .. '\\n' .. cost .. '\\n' .. late, 'PX', ARGV[1])
    results[j] = {'ok', late}
  end
end
flush(budgets)
return results
`;

/**
 * KEYS: budgets, holds.  ARGV: ttlMs, prefix, retentionMs, reservation id…  Sweeps expired holds, then
 * pushes back the expiry of the given holds that are still held. Returns the ids no longer held.
 */
export const EXTEND = `${PRELUDE}
local now = now_ms()
sweep(KEYS[1], KEYS[2], ARGV[2], now, tonumber(ARGV[3]))
local lost = {}
for i = 4, #ARGV do
  if redis.call('ZADD', KEYS[2], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i]) == 0 and
     not redis.call('ZSCORE', KEYS[2], ARGV[i]) then
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`;

/** KEYS: budgets.  ARGV: kill key, reason, channel, message.  The first kill's reason stays. */
export const KILL = `
redis.call('HSETNX', KEYS[1], ARGV[1] .. '\\nk', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return redis.call('HGET', KEYS[1], ARGV[1] .. '\\nk')
`;
