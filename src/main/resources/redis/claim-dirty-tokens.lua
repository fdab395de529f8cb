-- Claims up to ARGV[4] dirty tokens for one sync run, atomically: moves them from the dirty set to the in-flight
-- set (score = claim deadline) and records the owner with the token's original dirty time. First, claims whose
-- deadline passed (their sync died) are returned to the dirty set, so nothing is stranded.
-- KEYS[1] dirty zset, KEYS[2] in-flight zset, KEYS[3] owner hash
-- ARGV[1] now ms, ARGV[2] deadline ms, ARGV[3] owner, ARGV[4] limit
-- Returns { claimed mints..., } preceded by the number of recovered claims: {recovered, m1, m2, ...}
local limit = tonumber(ARGV[4])
local recovered = 0
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, limit)
for _, mint in ipairs(expired) do
  local owner = redis.call('HGET', KEYS[3], mint)
  local since = ARGV[1]
  if owner then
    since = string.match(owner, '|(%d+)$') or ARGV[1]
  end
  redis.call('ZREM', KEYS[2], mint)
  redis.call('HDEL', KEYS[3], mint)
  redis.call('ZADD', KEYS[1], 'NX', since, mint)
  recovered = recovered + 1
end

local result = { recovered }
local members = redis.call('ZRANGE', KEYS[1], 0, limit - 1, 'WITHSCORES')
for i = 1, #members, 2 do
  local mint = members[i]
  redis.call('ZREM', KEYS[1], mint)
  redis.call('ZADD', KEYS[2], ARGV[2], mint)
  redis.call('HSET', KEYS[3], mint, ARGV[3] .. '|' .. members[i + 1])
  result[#result + 1] = mint
end
return result
