-- Files one dead letter on the capped list, marked "applied" when the frame's change is already in Redis.
-- KEYS[1] dead-letter list, KEYS[2] the change's signature dedup key (a placeholder when ARGV[4] is '0')
-- ARGV[1] the entry when not applied, ARGV[2] the entry when applied, ARGV[3] entries kept, ARGV[4] '1': check KEYS[2]
-- Returns 1 when the change was applied (its dedup key exists), else 0.
--
-- It runs on the connection the ingest applies changes on, after the batch's script calls: Redis runs one
-- connection's commands in order, so a change whose reply timed out has run (or never will) when this checks its
-- key. The mark lives in the entry, so it holds for as long as the entry is kept, whatever the key's TTL.
local applied = 0
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then
  applied = 1
end
redis.call('LPUSH', KEYS[1], applied == 1 and ARGV[2] or ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
return applied
