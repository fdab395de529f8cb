-- Applies one change to a token atomically and marks it dirty for the write-behind sync.
-- KEYS[1] token hash, KEYS[2] prices tick, KEYS[3] dirty sorted set, KEYS[4] signature dedup key,
-- KEYS[5] hot feed, KEYS[6] new feed, KEYS[7] graduating feed, KEYS[8] recent trades list,
-- KEYS[9] the token's retained state (what survives the hash's cache TTL, written by acknowledge-claims.lua)
-- ARGV[1] receive seq, ARGV[2] now (ms), ARGV[3] dedup TTL seconds (0: no dedup), ARGV[4] mint, ARGV[5] tick JSON ('' = none)
-- then five groups, each a count followed by field/value pairs: latest, always, once, increments, float increments,
-- then the read side: hot weight (0: none), hot exponent, new-feed score ('' = none), graduating progress
-- ('' = unchanged, '-' = leaves the feed), feed size, trade JSON ('' = none), trades kept per token.
-- Returns 0 for a duplicate signature, 1 when applied without a newer price, 2 when the latest values were newer.
--
-- Cost: this runs once per frame, so the token hash is read with ONE HMGET and written with ONE HSET (every field
-- of the change, computed here); only the decimal accumulators keep HINCRBYFLOAT, for its exact long-double sums.
local seq = tonumber(ARGV[1])
-- A duplicate signature is dropped. The signature is recorded only at the end, once every write succeeded: Redis does
-- not roll a script back, so a change that failed half way (an error reply) must stay replayable, not look applied.
if ARGV[3] ~= '0' and redis.call('EXISTS', KEYS[4]) == 1 then
  return 0
end

-- The groups' positions in ARGV.
local i = 6
local function group()
  local n = tonumber(ARGV[i])
  local from = i + 1
  i = i + 1 + 2 * n
  return from, n
end
local latestFrom, latestN = group()
local alwaysFrom, alwaysN = group()
local onceFrom, onceN = group()
local incFrom, incN = group()
local floatFrom, floatN = group()

-- One read of everything the change depends on: seq, version, hot_log, epoch, state, then the once fields, then
-- the counters.
local token = KEYS[1]
local fields = {'seq', 'version', 'hot_log', 'epoch', 'state'}
for j = onceFrom, onceFrom + 2 * onceN - 1, 2 do
  fields[#fields + 1] = ARGV[j]
end
for j = incFrom, incFrom + 2 * incN - 1, 2 do
  fields[#fields + 1] = ARGV[j]
end
local stored = redis.call('HMGET', token, unpack(fields))

-- The hash expired after its last commit (cache TTL) or was never there. If the token's retained state is still
-- kept, the hash is rebuilt from it first: same epoch, same running totals, first-seen time and metadata, so the
-- token goes on where it left off instead of starting again from zero (docs/write-behind.md, "Cache expiry").
if not stored[2] then
  local retained = redis.call('GET', KEYS[9])
  if retained then
    local seed = {}
    for field, value in pairs(cjson.decode(retained)) do
      seed[#seed + 1] = field
      seed[#seed + 1] = value
    end
    redis.call('HSET', token, unpack(seed))
    redis.call('DEL', KEYS[9])
    stored = redis.call('HMGET', token, unpack(fields))
  end
end

local out = {}
local function put(field, value)
  out[#out + 1] = field
  out[#out + 1] = value
end

-- The epoch names this life of the hash: set when the hash is created from nothing, kept while it lives (and
-- through its retained state). PostgreSQL keeps the totals of earlier epochs as a base, so counters that start
-- again from zero in a new epoch are added to the row's totals, never written over them.
if not stored[4] then
  put('epoch', ARGV[2])
end

-- once: written only if absent (first-seen time, metadata). Put first, so a latest or always value of the same
-- field in this change wins (HSET applies its pairs in order).
local k = 6
for j = onceFrom, onceFrom + 2 * onceN - 1, 2 do
  if not stored[k] then
    put(ARGV[j], ARGV[j + 1])
  end
  k = k + 1
end

-- MIGRATED is terminal: a later trade (on the AMM pool) never moves the state or the curve progress back.
local migrated = stored[5] == 'MIGRATED'
local applied = 1
local current = tonumber(stored[1] or '0')
-- Only a change carrying latest values (a price) moves the token's sequence: a state-only change from a job must
-- not make frames received before it look older.
if seq > current and (latestN > 0 or ARGV[5] ~= '') then
  applied = 2
  for j = latestFrom, latestFrom + 2 * latestN - 1, 2 do
    if not (migrated and ARGV[j] == 'bonding_progress') then
      put(ARGV[j], ARGV[j + 1])
    end
  end
  put('seq', ARGV[1])
  if ARGV[5] ~= '' then
    redis.call('SET', KEYS[2], ARGV[5])
  end
end

for j = alwaysFrom, alwaysFrom + 2 * alwaysN - 1, 2 do
  if not (migrated and (ARGV[j] == 'state' or ARGV[j] == 'bonding_progress')) then
    put(ARGV[j], ARGV[j + 1])
  end
end

-- integer counters: the stored value plus the increment
for j = incFrom, incFrom + 2 * incN - 1, 2 do
  put(ARGV[j], string.format('%d', (tonumber(stored[k]) or 0) + tonumber(ARGV[j + 1])))
  k = k + 1
end

-- Read side, kept current as events arrive.
local hotWeight = tonumber(ARGV[i])
local hotExponent = tonumber(ARGV[i + 1])
local newScore = ARGV[i + 2]
local progress = ARGV[i + 3]
local feedSize = tonumber(ARGV[i + 4])
local tradeJson = ARGV[i + 5]
local tradesKept = tonumber(ARGV[i + 6])
local mint = ARGV[4]
local function trim(feed)
  if redis.call('ZCARD', feed) > feedSize + 100 then
    redis.call('ZREMRANGEBYRANK', feed, 0, -feedSize - 1)
  end
end
if hotWeight > 0 then
  -- hot score in log2 space, shifted by time: log2(sum of weight x 2^(t / half-life)); ordering by it is ordering
  -- by the decayed score at any instant, so the feed never needs a decay pass.
  local x = math.log(hotWeight) / math.log(2) + hotExponent
  local old = tonumber(stored[3] or '')
  if old then
    local hi, lo = math.max(old, x), math.min(old, x)
    x = hi + math.log(1 + 2 ^ (lo - hi)) / math.log(2)
  end
  put('hot_log', string.format('%.12f', x))
  redis.call('ZADD', KEYS[5], x, mint)
  trim(KEYS[5])
end
if newScore ~= '' then
  redis.call('ZADD', KEYS[6], 'NX', newScore, mint)
  trim(KEYS[6])
end
if progress == '-' then
  redis.call('ZREM', KEYS[7], mint)
elseif progress ~= '' and applied == 2 and not migrated then
  redis.call('ZADD', KEYS[7], progress, mint)
  trim(KEYS[7])
end
if tradeJson ~= '' then
  redis.call('LPUSH', KEYS[8], tradeJson)
  redis.call('LTRIM', KEYS[8], 0, tradesKept - 1)
end

-- version: strictly increasing per change and never behind the receive clock, so it survives a Redis restart;
-- PostgreSQL only accepts a row whose version is newer than the stored one.
local version = math.max(tonumber(stored[2] or '0') + 1, seq)
put('version', string.format('%.0f', version))
put('updated_at', ARGV[2])
redis.call('HSET', token, unpack(out))

-- decimal accumulators (volumes): HINCRBYFLOAT sums in long double, as before
for j = floatFrom, floatFrom + 2 * floatN - 1, 2 do
  redis.call('HINCRBYFLOAT', token, ARGV[j], ARGV[j + 1])
end

-- Dirty data never expires: TTLs are set only after the change is committed to PostgreSQL.
redis.call('PERSIST', token)
redis.call('PERSIST', KEYS[2])
redis.call('PERSIST', KEYS[8])
redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[4])
if ARGV[3] ~= '0' then
  redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[3])
end
return applied
