-- Applies one change to a token atomically and marks it dirty for the write-behind sync.
-- KEYS[1] token hash, KEYS[2] prices tick, KEYS[3] dirty sorted set, KEYS[4] signature dedup key,
-- KEYS[5] hot feed, KEYS[6] new feed, KEYS[7] graduating feed, KEYS[8] recent trades list
-- ARGV[1] receive seq, ARGV[2] now (ms), ARGV[3] dedup TTL seconds (0: no dedup), ARGV[4] mint, ARGV[5] tick JSON ('' = none)
-- then five groups, each a count followed by field/value pairs: latest, always, once, increments, float increments,
-- then the read side: hot weight (0: none), hot exponent, new-feed score ('' = none), graduating progress
-- ('' = unchanged, '-' = leaves the feed), feed size, trade JSON ('' = none), trades kept per token.
-- Returns 0 for a duplicate signature, 1 when applied without a newer price, 2 when the latest values were newer.
local seq = tonumber(ARGV[1])
-- A duplicate signature is dropped. The signature is recorded only at the end, once every write succeeded: Redis does
-- not roll a script back, so a change that failed half way (an error reply) must stay replayable, not look applied.
if ARGV[3] ~= '0' and redis.call('EXISTS', KEYS[4]) == 1 then
  return 0
end

local i = 6
local function group()
  local n = tonumber(ARGV[i])
  local from = i + 1
  i = i + 1 + 2 * n
  return from, n
end

local token = KEYS[1]
local applied = 1
local current = tonumber(redis.call('HGET', token, 'seq') or '0')

local from, n = group()
-- Only a change carrying latest values (a price) moves the token's sequence: a state-only change from a job must
-- not make frames received before it look older.
if seq > current and (n > 0 or ARGV[5] ~= '') then
  applied = 2
  if n > 0 then
    redis.call('HSET', token, unpack(ARGV, from, from + 2 * n - 1))
  end
  redis.call('HSET', token, 'seq', ARGV[1])
  if ARGV[5] ~= '' then
    redis.call('SET', KEYS[2], ARGV[5])
  end
end

from, n = group()
if n > 0 then
  redis.call('HSET', token, unpack(ARGV, from, from + 2 * n - 1))
end

from, n = group()
for j = from, from + 2 * n - 1, 2 do
  redis.call('HSETNX', token, ARGV[j], ARGV[j + 1])
end

from, n = group()
for j = from, from + 2 * n - 1, 2 do
  redis.call('HINCRBY', token, ARGV[j], ARGV[j + 1])
end

from, n = group()
for j = from, from + 2 * n - 1, 2 do
  redis.call('HINCRBYFLOAT', token, ARGV[j], ARGV[j + 1])
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
  local old = tonumber(redis.call('HGET', token, 'hot_log') or '')
  if old then
    local hi, lo = math.max(old, x), math.min(old, x)
    x = hi + math.log(1 + 2 ^ (lo - hi)) / math.log(2)
  end
  redis.call('HSET', token, 'hot_log', string.format('%.12f', x))
  redis.call('ZADD', KEYS[5], x, mint)
  trim(KEYS[5])
end
if newScore ~= '' then
  redis.call('ZADD', KEYS[6], 'NX', newScore, mint)
  trim(KEYS[6])
end
if progress == '-' then
  redis.call('ZREM', KEYS[7], mint)
elseif progress ~= '' and applied == 2 then
  redis.call('ZADD', KEYS[7], progress, mint)
  trim(KEYS[7])
end
if tradeJson ~= '' then
  redis.call('LPUSH', KEYS[8], tradeJson)
  redis.call('LTRIM', KEYS[8], 0, tradesKept - 1)
end

-- version: strictly increasing per change and never behind the receive clock, so it survives a Redis restart;
-- PostgreSQL only accepts a row whose version is newer than the stored one.
local version = tonumber(redis.call('HGET', token, 'version') or '0')
version = math.max(version + 1, seq)
redis.call('HSET', token, 'version', string.format('%.0f', version), 'updated_at', ARGV[2])

-- Dirty data never expires: TTLs are set only after the change is committed to PostgreSQL.
redis.call('PERSIST', token)
redis.call('PERSIST', KEYS[2])
redis.call('PERSIST', KEYS[8])
redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[4])
if ARGV[3] ~= '0' then
  redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[3])
end
return applied
