-- A sync failed, or could not write some tokens: return this owner's claims to the dirty set, so the next run retries
-- them. By default with their original dirty time (a failed run keeps its place); with a requeue time, at the end of
-- the queue (a token that could not be written must not lead every next batch). Claims taken over by another owner
-- are left alone.
-- KEYS[1] dirty zset, KEYS[2] in-flight zset, KEYS[3] owner hash; ARGV[1] owner, ARGV[2] requeue time in ms ('' =
-- the original dirty time), ARGV[3..] mints
-- Returns the number of tokens returned to the dirty set.
local prefix = ARGV[1] .. '|'
local released = 0
for i = 3, #ARGV do
  local mint = ARGV[i]
  local owner = redis.call('HGET', KEYS[3], mint)
  if owner and string.sub(owner, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[3], mint)
    redis.call('ZREM', KEYS[2], mint)
    if ARGV[2] == '' then
      redis.call('ZADD', KEYS[1], 'NX', string.sub(owner, #prefix + 1), mint)
    else
      redis.call('ZADD', KEYS[1], ARGV[2], mint)
    end
    released = released + 1
  end
end
return released
