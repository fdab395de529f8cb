-- A watched token must be persisted with its full totals even if its hash expired before anyone watched it: the hash
-- is rebuilt from the retained state (same epoch, same totals) and marked dirty, so the next sync writes its row.
-- Nothing happens when the hash exists or nothing was retained.
-- KEYS[1] token hash, KEYS[2] retained state, KEYS[3] dirty zset; ARGV[1] now (ms), ARGV[2] mint
-- Returns 1 when the hash was rebuilt.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local retained = redis.call('GET', KEYS[2])
if not retained then
  return 0
end
local fields = {}
for field, value in pairs(cjson.decode(retained)) do
  fields[#fields + 1] = field
  fields[#fields + 1] = value
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('ZADD', KEYS[3], 'NX', ARGV[1], ARGV[2])
return 1
