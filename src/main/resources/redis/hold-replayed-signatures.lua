-- After a dead-letter replay: the dedup keys of the replayed changes that were applied are kept for ARGV[1] seconds
-- (never shortened), so replaying the same entries again (left in the list by a crash before their removal) is a
-- no-op for that long, not just for the live dedup TTL. A key that does not exist (change not applied) is left alone.
-- KEYS: dedup keys. Returns how many keys are now held.
local ttl = tonumber(ARGV[1])
local held = 0
for _, key in ipairs(KEYS) do
  local left = redis.call('TTL', key)
  if left >= 0 and left < ttl then
    redis.call('EXPIRE', key, ttl)
  end
  if left ~= -2 then
    held = held + 1
  end
end
return held
