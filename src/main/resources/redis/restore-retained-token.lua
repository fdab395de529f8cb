-- A watched token must be persisted with its full totals even if its hash expired before anyone watched it: the hash
-- is rebuilt from the retained state (same epoch, same totals) and marked dirty, so the next sync writes its row.
-- Nothing happens when the hash exists or nothing was retained.
-- KEYS[1] token hash, KEYS[2] retained state, KEYS[3] dirty zset; ARGV[1] now (ms), ARGV[2] mint
-- Returns 1 when the hash was rebuilt.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local retained = redis.call('HGETALL', KEYS[2])
if #retained == 0 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(retained))
redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('ZADD', KEYS[3], 'NX', ARGV[1], ARGV[2])
return 1
