-- After the batch is committed: ends this owner's claims and starts the TTLs of tokens that did not change since
-- they were claimed (a token changed meanwhile is dirty again and keeps no TTL; a watched token never expires).
-- A token whose TTL starts also gets its retained state: the few fields that must outlive the cached hash (epoch,
-- running totals, first-seen time, metadata, state), kept for the longer retention TTL, so a token that trades,
-- migrates or is watched after its hash expired goes on from its totals instead of from zero.
-- Claims taken over by another sync (another owner) are left alone.
-- KEYS[1] dirty zset, KEYS[2] in-flight zset, KEYS[3] owner hash, KEYS[4] watched set,
-- then per mint: token hash key, price tick key, recent trades key, retained state key
-- ARGV[1] owner, ARGV[2] token TTL s, ARGV[3] tick TTL s, ARGV[4] retained state TTL s, then the mints in the same
-- order as their keys
-- Returns the number of tokens whose TTL started.
local retainedFields = {'epoch', 'version', 'first_seen_at', 'name', 'symbol', 'uri', 'creator',
  'is_mayhem_mode', 'pool', 'state', 'migrated_at', 'bonding_progress', 'trade_count', 'buy_count', 'sell_count',
  'volume_sol', 'volume_usd'}
local prefix = ARGV[1] .. '|'
local expiring = 0
for i = 5, #ARGV do
  local mint = ARGV[i]
  local owner = redis.call('HGET', KEYS[3], mint)
  if owner and string.sub(owner, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[3], mint)
    redis.call('ZREM', KEYS[2], mint)
    if not redis.call('ZSCORE', KEYS[1], mint) and redis.call('SISMEMBER', KEYS[4], mint) == 0 then
      local k = 5 + (i - 5) * 4
      local values = redis.call('HMGET', KEYS[k], unpack(retainedFields))
      local retained = {}
      local any = false
      for f = 1, #retainedFields do
        if values[f] then
          retained[retainedFields[f]] = values[f]
          any = true
        end
      end
      if any then
        -- one JSON string, not a hash: a hash with a value over 64 bytes (most pump.fun uris) leaves the compact
        -- listpack encoding and costs about 1.5 KB instead of about 0.5 KB
        redis.call('SET', KEYS[k + 3], cjson.encode(retained), 'EX', ARGV[4])
      end
      redis.call('EXPIRE', KEYS[k], ARGV[2])
      redis.call('EXPIRE', KEYS[k + 1], ARGV[3])
      redis.call('EXPIRE', KEYS[k + 2], ARGV[2])
      expiring = expiring + 1
    end
  end
end
return expiring
