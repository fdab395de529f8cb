-- A sync failed: return this owner's claims to the dirty set with their original dirty time, so the next run
-- retries them. Claims taken over by another owner are left alone.
-- KEYS[1] dirty zset, KEYS[2] in-flight zset, KEYS[3] owner hash; ARGV[1] owner, ARGV[2..] mints
-- Returns the number of tokens returned to the dirty set.
local prefix = ARGV[1] .. '|'
local released = 0
for i = 2, #ARGV do
  local mint = ARGV[i]
  local owner = redis.call('HGET', KEYS[3], mint)
  if owner and string.sub(owner, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[3], mint)
    redis.call('ZREM', KEYS[2], mint)
    redis.call('ZADD', KEYS[1], 'NX', string.sub(owner, #prefix + 1), mint)
    released = released + 1
  end
end
return released
