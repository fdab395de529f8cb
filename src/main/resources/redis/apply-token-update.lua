-- Applies one change to a token atomically and marks it dirty for the write-behind sync.
-- KEYS[1] token hash, KEYS[2] prices tick, KEYS[3] dirty sorted set, KEYS[4] signature dedup key
-- ARGV[1] receive seq, ARGV[2] now (ms), ARGV[3] dedup TTL seconds (0: no dedup), ARGV[4] mint, ARGV[5] tick JSON ('' = none)
-- then five groups, each a count followed by field/value pairs: latest, always, once, increments, float increments.
-- Returns 0 for a duplicate signature, 1 when applied without a newer price, 2 when the latest values were newer.
local seq = tonumber(ARGV[1])
if ARGV[3] ~= '0' then
  if not redis.call('SET', KEYS[4], ARGV[1], 'NX', 'EX', ARGV[3]) then
    return 0
  end
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
if seq > current then
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

-- version: strictly increasing per change and never behind the receive clock, so it survives a Redis restart;
-- PostgreSQL only accepts a row whose version is newer than the stored one.
local version = tonumber(redis.call('HGET', token, 'version') or '0')
version = math.max(version + 1, seq)
redis.call('HSET', token, 'version', string.format('%.0f', version), 'updated_at', ARGV[2])

-- Dirty data never expires: TTLs are set only after the change is committed to PostgreSQL.
redis.call('PERSIST', token)
redis.call('PERSIST', KEYS[2])
redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[4])
return applied
