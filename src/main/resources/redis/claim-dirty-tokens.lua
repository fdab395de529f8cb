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
if #members == 0 then
  return result
end
-- Bulk commands, not three calls per token: the claim of a 100,000-token backlog is one script run that blocks
-- Redis (and the ingest) while it lasts. ZRANGE and ZREMRANGEBYRANK cover the same ranks inside this atomic script.
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #members / 2 - 1)
-- unpack() passes its values on Lua's C stack (8,000 slots): 1,000 tokens (2,000 values) per command.
local chunk = 2000
for first = 1, #members, chunk do
  local deadlines = {}
  local owners = {}
  for i = first, math.min(first + chunk - 1, #members), 2 do
    local mint = members[i]
    deadlines[#deadlines + 1] = ARGV[2]
    deadlines[#deadlines + 1] = mint
    owners[#owners + 1] = mint
    owners[#owners + 1] = ARGV[3] .. '|' .. members[i + 1]
    result[#result + 1] = mint
  end
  redis.call('ZADD', KEYS[2], unpack(deadlines))
  redis.call('HSET', KEYS[3], unpack(owners))
end
return result
