-- After the batch is committed: ends this owner's claims and starts the TTLs of tokens that did not change since
-- they were claimed (a token changed meanwhile is dirty again and keeps no TTL; a watched token never expires).
-- Claims taken over by another sync (another owner) are left alone.
-- KEYS[1] dirty zset, KEYS[2] in-flight zset, KEYS[3] owner hash, KEYS[4] watched set,
-- then per mint: token hash key, price tick key, recent trades key
-- ARGV[1] owner, ARGV[2] token TTL s, ARGV[3] tick TTL s, then the mints in the same order as their keys
-- Returns the number of tokens whose TTL started.
local prefix = ARGV[1] .. '|'
local expiring = 0
for i = 4, #ARGV do
  local mint = ARGV[i]
  local owner = redis.call('HGET', KEYS[3], mint)
  if owner and string.sub(owner, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[3], mint)
    redis.call('ZREM', KEYS[2], mint)
    if not redis.call('ZSCORE', KEYS[1], mint) and redis.call('SISMEMBER', KEYS[4], mint) == 0 then
      local k = 5 + (i - 4) * 3
      redis.call('EXPIRE', KEYS[k], ARGV[2])
      redis.call('EXPIRE', KEYS[k + 1], ARGV[3])
      redis.call('EXPIRE', KEYS[k + 2], ARGV[2])
      expiring = expiring + 1
    end
  end
end
return expiring
