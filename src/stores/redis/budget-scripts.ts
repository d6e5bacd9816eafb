/**
 * The shared budget's operations, one Lua script each, so every check and change across all scopes of a
 * call is one atomic step on Redis. Money is integer nano-USD, never INCRBYFLOAT: Lua numbers are doubles,
 * exact up to 2^53, the client never lets a counter pass 2^53 − 1, and numbers go back to Redis formatted
 * with %d (Lua would print 1e15 as "1e+15", which Redis refuses as an integer).
 *
 * Reserve and settle take a batch of operations of one tree (group commit): a script's cost is mostly its
 * Redis calls, so each reads and writes everything the batch needs in a few calls. Keys of a tree share
 * the hash tag `{tree}` (one slot on Redis Cluster):
 * - `b` — one hash for every lasting scope of the tree: `<scope>\nl` limit ('-' for none), `\ns` spent,
 *   `\nh` held, `\nc` calls, and `<kill key>\nk` the kill reason. A run's scopes (and a window's) live in
 *   a hash of their own, `b:<run>` (`b:<window>`), that expires a retention period (plus 32 days for a
 *   window) after its last write: finished runs do not pile up. `hashOfScope` is the same rule in
 *   TypeScript.
 * - `holds` — sorted set, reservation id → expiry on Redis's clock; `held` — hash, reservation id →
 *   `<amount>\n<scope>…` while held.
 * - `e:<period>` — hash, reservation id → `settled|released|expired\n<cost or amount>\n<late>` for ended
 *   reservations, one per retention period of Redis's clock, expiring at the end of the next period (two
 *   keys hold every record still retained): what makes a repeated settle answer the first result.
 * Scope names never contain control characters (labels and ids are validated), so '\n' separates safely.
 */

/** The hash a scope's fields live in (the rule of the scripts' `hash_of`). */
export function hashOfScope(treePrefix: string, key: string): string {
  const part = /^[^\u0001]*\u0001[^/]*/.exec(key) ?? /^[^\u0002]*\u0002\d+/.exec(key);
  return part ? `${treePrefix}b:${part[0]}` : `${treePrefix}b`;
}

/**
 * Shared helpers: Redis's clock, integer formatting, splitting records, a read-through cache of the tree's
 * budget fields (one HMGET for what a batch needs, one HSET for what it changed), ended records by period,
 * and the sweep of expired holds.
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
-- Where a scope's fields live: the tree's lasting scopes in one hash (b); a run's scopes (marked \\1)
-- and a window's (marked \\2) in a hash of their own, which expires when no longer written to.
local tree_prefix, run_ttl, window_ttl = '', 0, 0
local ephemeral, hash_of_field = {}, {}
local function setup(prefix, retention)
  tree_prefix, run_ttl, window_ttl = prefix, retention, retention + 32 * 86400000
end
local function hash_of(key)
  local run = string.match(key, '^[^\\1]*\\1[^/]*')
  if run then
    local hash = tree_prefix .. 'b:' .. run
    ephemeral[hash] = run_ttl
    return hash
  end
  local window = string.match(key, '^[^\\2]*\\2%d+')
  if window then
    local hash = tree_prefix .. 'b:' .. window
    ephemeral[hash] = window_ttl
    return hash
  end
  return tree_prefix .. 'b'
end
-- Field names of a scope and of a kill flag, built once per script.
local names = {}
local function fields_of(key)
  local scope = names[key]
  if not scope then
    local hash = hash_of(key)
    scope = { hash = hash, l = key .. '\\nl', s = key .. '\\ns', h = key .. '\\nh', c = key .. '\\nc' }
    hash_of_field[scope.l], hash_of_field[scope.s] = hash, hash
    hash_of_field[scope.h], hash_of_field[scope.c] = hash, hash
    names[key] = scope
  end
  return scope
end
local function kill_field(kill_key)
  local field = kill_key .. '\\nk'
  hash_of_field[field] = hash_of(kill_key)
  return field
end
-- The budget fields this script has read: raw values, and numbers parsed once; writes are kept as
-- numbers and formatted once per field at the end (one HMGET and one HSET per hash).
local cache, numbers, dirty = {}, {}, {}
local function group_of(groups, field)
  local hash = hash_of_field[field]
  local group = groups[hash]
  if not group then
    group = {}
    groups[hash] = group
  end
  return group
end
local function load(fields)
  local groups = {}
  for _, field in ipairs(fields) do
    if cache[field] == nil then
      local group = group_of(groups, field)
      group[#group + 1] = field
    end
  end
  for hash, group in pairs(groups) do
    local values = redis.call('HMGET', hash, unpack(group))
    for i = 1, #group do cache[group[i]] = values[i] or false end
  end
end
local function num(field)
  local value = numbers[field]
  if value == nil then
    value = tonumber(cache[field]) or 0
    numbers[field] = value
  end
  return value
end
local function put(field, value)
  if type(value) == 'number' then
    numbers[field] = value
    cache[field] = true
  else
    cache[field] = value
    numbers[field] = nil
  end
  dirty[field] = true
end
local function flush()
  local groups = {}
  for field in pairs(dirty) do
    local group = group_of(groups, field)
    group[#group + 1] = field
    local value = numbers[field]
    group[#group + 1] = value ~= nil and int(value) or cache[field]
  end
  for hash, group in pairs(groups) do
    redis.call('HSET', hash, unpack(group))
    if ephemeral[hash] then redis.call('PEXPIRE', hash, ephemeral[hash]) end
  end
  dirty = {}
end
local function forget()
  cache, numbers = {}, {}
end
-- Every batch that writes moves the tree's sequence on: a client that sees it go back knows Redis lost
-- writes it had acknowledged (a restart without appendfsync always, a failover to a lagging replica).
local function next_sequence()
  return redis.call('HINCRBY', tree_prefix .. 'b', '\\nseq', 1)
end
-- Ended records live in periods of one retention each, a period's key expiring at the end of the next
-- one: a record is kept at least the retention, and two keys hold every record that may still be.
local function find_ended(prefix, now, retention, ids)
  local found = {}
  if #ids == 0 then return found end
  local period = math.floor(now / retention)
  for key = period - 1, period do
    local values = redis.call('HMGET', prefix .. 'e:' .. key, unpack(ids))
    for i = 1, #ids do
      if values[i] then found[ids[i]] = values[i] end
    end
  end
  return found
end
local ended_writes = {}
local function record_end(id, text)
  ended_writes[#ended_writes + 1] = id
  ended_writes[#ended_writes + 1] = text
end
local function flush_ended(prefix, now, retention)
  if #ended_writes == 0 then return end
  local period = math.floor(now / retention)
  local key = prefix .. 'e:' .. period
  redis.call('HSET', key, unpack(ended_writes))
  redis.call('PEXPIREAT', key, (period + 2) * retention)
  ended_writes = {}
end
-- Gives back the holds whose expiry passed; their processes are presumed dead.
local function sweep(holds, held, prefix, now, retention)
  local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, 1000)
  if #expired == 0 then return 0 end
  local records = redis.call('HMGET', held, unpack(expired))
  for i = 1, #expired do
    if records[i] then
      local parts = split(records[i])
      if parts[1] ~= '0' then
        for k = 2, #parts do redis.call('HINCRBY', hash_of(parts[k]), parts[k] .. '\\nh', '-' .. parts[1]) end
      end
      record_end(expired[i], 'expired\\n' .. parts[1])
    end
  end
  redis.call('HDEL', held, unpack(expired))
  redis.call('ZREM', holds, unpack(expired))
  flush_ended(prefix, now, retention)
  return #expired
end
`;

/**
 * A batch of reservations of one tree, in order, each checked against the counters as the ones before it
 * left them. KEYS: budgets, holds, held.  ARGV: ttlMs, retentionMs, prefix, request count, then per
 * request: id, amount, force, update, scope count, and per scope: key, kill key, limit ('-' for none).
 * Returns one reply per request, then the tree's sequence: {'held', spent1, held1, …} | {'denied', i, spent, held, limit} |
 * {'killed', i, reason} | {'conflict', i, storedLimit} | {'ended', state} (the id was already used and is
 * over) | {'mismatch'} (the id holds another amount). Expired holds are swept only when they could
 * matter: before refusing a request.
 */
export const RESERVE = `${PRELUDE}
local holds, held = KEYS[2], KEYS[3]
local ttl, retention, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
setup(prefix, retention)
local requests, ids, entries, wanted = {}, {}, {}, {}
local at = 5
for j = 1, tonumber(ARGV[4]) do
  local request = { id = ARGV[at], amountText = ARGV[at + 1], amount = tonumber(ARGV[at + 1]),
    force = ARGV[at + 2] == '1', update = ARGV[at + 3] == '1', scopes = {} }
  for i = 1, tonumber(ARGV[at + 4]) do
    local base = at + 5 + 3 * (i - 1)
    local key, kill, limit = ARGV[base], ARGV[base + 1], ARGV[base + 2]
    -- One entry per scope of the batch (a request asking another limit or kill key gets its own).
    local entry = entries[key]
    if not entry or entry.killKey ~= kill or entry.limit ~= limit then
      local scope = fields_of(key)
      entry = { key = key, killKey = kill, kill = kill_field(kill), limit = limit, l = scope.l, s = scope.s, h = scope.h }
      entries[key] = entry
      wanted[#wanted + 1] = entry.l
      wanted[#wanted + 1] = entry.s
      wanted[#wanted + 1] = entry.h
      wanted[#wanted + 1] = entry.kill
    end
    request.scopes[i] = entry
  end
  at = at + 5 + 3 * #request.scopes
  requests[j] = request
  ids[j] = request.id
end
local function totals(request)
  local out = {'held'}
  for _, scope in ipairs(request.scopes) do
    out[#out + 1] = num(scope.s)
    out[#out + 1] = num(scope.h)
  end
  return out
end
local function check(request)
  for i, scope in ipairs(request.scopes) do
    if cache[scope.kill] then return {'killed', i, cache[scope.kill]} end
  end
  for i, scope in ipairs(request.scopes) do
    local stored = cache[scope.l]
    if stored and stored ~= scope.limit and not request.update then return {'conflict', i, stored} end
    local used = num(scope.s) + num(scope.h) + request.amount
    if used > 9007199254740991 or (not request.force and scope.limit ~= '-' and used > tonumber(scope.limit)) then
      return {'denied', i, num(scope.s), num(scope.h), tonumber(scope.limit) or -1}
    end
  end
  return nil
end
local now = now_ms()
local ended = find_ended(prefix, now, retention, ids)
local current = redis.call('HMGET', held, unpack(ids))
load(wanted)
local swept = false
local results, held_writes, expiries, made = {}, {}, {}, {}
for j, request in ipairs(requests) do
  local id = request.id
  if ended[id] then
    results[j] = {'ended', split(ended[id])[1]}
  elseif current[j] or made[id] then
    if split(current[j] or made[id])[1] ~= request.amountText then
      results[j] = {'mismatch'}
    else
      results[j] = totals(request)
    end
  else
    local refusal = check(request)
    if refusal and refusal[1] == 'denied' and not swept then
      swept = true
      flush()
      if sweep(holds, held, prefix, now, retention) > 0 then
        forget()
        load(wanted)
        refusal = check(request)
      end
    end
    if refusal then
      results[j] = refusal
    else
      local record = { request.amountText }
      for _, scope in ipairs(request.scopes) do
        if not cache[scope.l] then put(scope.s, 0) end
        if cache[scope.l] ~= scope.limit then put(scope.l, scope.limit) end
        put(scope.h, num(scope.h) + request.amount)
        record[#record + 1] = scope.key
      end
      made[id] = table.concat(record, '\\n')
      held_writes[#held_writes + 1] = id
      held_writes[#held_writes + 1] = made[id]
      expiries[#expiries + 1] = now + ttl
      expiries[#expiries + 1] = id
      results[j] = totals(request)
    end
  end
end
flush()
if #held_writes > 0 then
  redis.call('HSET', held, unpack(held_writes))
  redis.call('ZADD', holds, unpack(expiries))
end
results[#results + 1] = next_sequence()
return results
`;

/**
 * A batch of settlements of one tree; each ends its hold exactly once. A hold already swept (its process
 * was presumed dead) or never made (admitted while the store was down) is still charged: flagged late.
 * KEYS: budgets, holds, held.  ARGV: retentionMs, prefix, settlement count, then per settlement: id, cost
 * ('-' releases), scope count, scope keys.
 * Returns one reply per settlement, then the tree's sequence: {'ok', late} | {'repeat', late} (the same settlement again) |
 * {'conflict', state, charged} (another settlement of this id).
 */
export const SETTLE = `${PRELUDE}
local holds, held = KEYS[2], KEYS[3]
local retention, prefix = tonumber(ARGV[1]), ARGV[2]
setup(prefix, retention)
local settlements, ids, wanted, seen = {}, {}, {}, {}
local at = 4
for j = 1, tonumber(ARGV[3]) do
  local count = tonumber(ARGV[at + 2])
  settlements[j] = { id = ARGV[at], cost = ARGV[at + 1], first = at + 3, last = at + 2 + count }
  ids[j] = ARGV[at]
  for i = at + 3, at + 2 + count do
    if not seen[ARGV[i]] then
      seen[ARGV[i]] = true
      local scope = fields_of(ARGV[i])
      wanted[#wanted + 1] = scope.h
      wanted[#wanted + 1] = scope.s
      wanted[#wanted + 1] = scope.c
    end
  end
  at = at + 3 + count
end
local now = now_ms()
local ended = find_ended(prefix, now, retention, ids)
local current = redis.call('HMGET', held, unpack(ids))
load(wanted)
local results, released = {}, {}
for j, settlement in ipairs(settlements) do
  local id, cost = settlement.id, settlement.cost
  local outcome = cost == '-' and 'released' or 'settled'
  local prior = ended[id] and split(ended[id]) or {}
  if prior[1] == 'settled' or prior[1] == 'released' then
    if prior[1] == outcome and prior[2] == cost then
      results[j] = {'repeat', tonumber(prior[3])}
    else
      results[j] = {'conflict', prior[1], prior[2]}
    end
  else
    local record = not ended[id] and current[j]
    local amount = record and tonumber(split(record)[1]) or 0
    local charged = tonumber(cost)
    if amount > 0 or charged then
      for i = settlement.first, settlement.last do
        local scope = fields_of(ARGV[i])
        put(scope.h, num(scope.h) - amount)
        if charged then
          put(scope.s, num(scope.s) + charged)
          put(scope.c, num(scope.c) + 1)
        end
      end
    end
    if record then released[#released + 1] = id end
    local late = record and 0 or 1
    local text = outcome .. '\\n' .. cost .. '\\n' .. late
    record_end(id, text)
    ended[id] = text
    results[j] = {'ok', late}
  end
end
flush()
if #released > 0 then
  redis.call('HDEL', held, unpack(released))
  redis.call('ZREM', holds, unpack(released))
end
flush_ended(prefix, now, retention)
results[#results + 1] = next_sequence()
return results
`;

/**
 * KEYS: budgets, holds, held.  ARGV: ttlMs, prefix, retentionMs, reservation id…  Sweeps expired holds,
 * then pushes back the expiry of the given holds that are still held. Returns the ids no longer held.
 */
export const EXTEND = `${PRELUDE}
local now = now_ms()
setup(ARGV[2], tonumber(ARGV[3]))
sweep(KEYS[2], KEYS[3], ARGV[2], now, tonumber(ARGV[3]))
local lost = {}
for i = 4, #ARGV do
  if redis.call('ZADD', KEYS[2], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i]) == 0 and
     not redis.call('ZSCORE', KEYS[2], ARGV[i]) then
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
`;

/**
 * KEYS: budgets.  ARGV: kill key, reason, channel, message, prefix, retentionMs.  The first kill's reason
 * stays; the flag lives with the scope (a run's expires with the run's other fields).
 */
export const KILL = `${PRELUDE}
setup(ARGV[5], tonumber(ARGV[6]))
local field = kill_field(ARGV[1])
local hash = hash_of_field[field]
redis.call('HSETNX', hash, field, ARGV[2])
if ephemeral[hash] then redis.call('PEXPIRE', hash, ephemeral[hash]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return redis.call('HGET', hash, field)
`;
