-- Write-behind batch upsert: ONE set-based statement for every claimed token (arrays unnested server-side).
-- Run by the redis-to-db-sync route through camel-sql (routes/redis-to-db-sync.camel.yaml); its named parameters
-- (:#name) come from the map tokenSnapshots builds: one array per column, the thresholds.
--  * Lazy persistence: a token not yet in the table is inserted only once it has :minTrades trades, or
--    :minVolumeUsd USD volume, or is in token_watch. Tokens already in the table are always updated.
--  * Monotonic: a row is only replaced by a newer version, so a replayed or overlapping batch never regresses it.
--  * Totals are totals: the Redis hash counts from the start of its epoch (its creation); a new epoch (the hash
--    expired and was created again) moves the row's totals into base_* and adds the new epoch's counts on top, so
--    an expired cache never resets trade counts or volumes (docs/write-behind.md, "Cache expiry"). Rows without an
--    epoch (written before it existed) and payloads without one (old dead letters) count as the same epoch.
--  * Lifecycle never goes backwards: MIGRATED is terminal (progress stays 100); a rebuilt hash that knows only NEW
--    does not demote a row that is further on; first-seen time, name, symbol, uri and creator are never lost.
--  * Market cap = price x supply; mayhem-mode tokens have a 2 B supply.
-- RETURNING tells inserted rows (xmax = 0) from updated ones; claimed tokens not returned were skipped.
INSERT INTO token_discovery AS t (
    mint, name, symbol, uri, creator, pool, is_mayhem_mode, state,
    price_sol, price_usd, market_cap_sol, market_cap_usd,
    v_sol_in_curve, v_tokens_in_curve, bonding_progress,
    trade_count, buy_count, sell_count, volume_sol, volume_usd,
    first_seen_at, last_trade_ts, migrated_at, last_updated_at, last_synced_at, version, cache_epoch)
SELECT i.mint, i.name, i.symbol, i.uri, i.creator, i.pool, COALESCE(i.is_mayhem_mode = '1', false),
       COALESCE(i.state, 'NEW'),
       i.price_sol, i.price_usd,
       i.price_sol * CASE WHEN i.is_mayhem_mode = '1' THEN 2000000000 ELSE 1000000000 END,
       i.price_usd * CASE WHEN i.is_mayhem_mode = '1' THEN 2000000000 ELSE 1000000000 END,
       i.v_sol, i.v_tokens,
       CASE WHEN i.state = 'MIGRATED' THEN 100 ELSE round(i.bonding_progress, 4) END,
       COALESCE(i.trade_count, 0), COALESCE(i.buy_count, 0), COALESCE(i.sell_count, 0),
       COALESCE(i.volume_sol, 0), COALESCE(i.volume_usd, 0),
       to_timestamp(i.first_seen_ms / 1000.0), to_timestamp(i.last_trade_ms / 1000.0),
       to_timestamp(i.migrated_ms / 1000.0), to_timestamp(i.updated_ms / 1000.0), now(), i.version, i.epoch
FROM unnest(
        CAST(:#mint AS text[]), CAST(:#name AS text[]), CAST(:#symbol AS text[]), CAST(:#uri AS text[]),
        CAST(:#creator AS text[]), CAST(:#pool AS text[]), CAST(:#isMayhemMode AS text[]), CAST(:#state AS text[]),
        CAST(:#priceSol AS numeric[]), CAST(:#priceUsd AS numeric[]),
        CAST(:#vSolInCurve AS numeric[]), CAST(:#vTokensInCurve AS numeric[]), CAST(:#bondingProgress AS numeric[]),
        CAST(:#tradeCount AS bigint[]), CAST(:#buyCount AS bigint[]), CAST(:#sellCount AS bigint[]),
        CAST(:#volumeSol AS numeric[]), CAST(:#volumeUsd AS numeric[]),
        CAST(:#firstSeenAtMs AS bigint[]), CAST(:#lastTradeTsMs AS bigint[]), CAST(:#migratedAtMs AS bigint[]),
        CAST(:#updatedAtMs AS bigint[]), CAST(:#version AS bigint[]), CAST(:#cacheEpoch AS bigint[]))
     AS i(mint, name, symbol, uri, creator, pool, is_mayhem_mode, state,
          price_sol, price_usd, v_sol, v_tokens, bonding_progress,
          trade_count, buy_count, sell_count, volume_sol, volume_usd,
          first_seen_ms, last_trade_ms, migrated_ms, updated_ms, version, epoch)
WHERE COALESCE(i.trade_count, 0) >= :#minTrades
   OR COALESCE(i.volume_usd, 0) >= :#minVolumeUsd
   OR EXISTS (SELECT 1 FROM token_watch w WHERE w.mint = i.mint)
   OR EXISTS (SELECT 1 FROM token_discovery d WHERE d.mint = i.mint)
ON CONFLICT (mint) DO UPDATE SET
    name              = COALESCE(EXCLUDED.name, t.name),
    symbol            = COALESCE(EXCLUDED.symbol, t.symbol),
    uri               = COALESCE(EXCLUDED.uri, t.uri),
    creator           = COALESCE(EXCLUDED.creator, t.creator),
    pool              = COALESCE(EXCLUDED.pool, t.pool),
    is_mayhem_mode    = EXCLUDED.is_mayhem_mode OR t.is_mayhem_mode,
    state             = CASE
                          WHEN t.state = 'MIGRATED' OR EXCLUDED.state = 'MIGRATED' THEN 'MIGRATED'
                          -- a hash rebuilt without the token's history says NEW: the row knows better
                          WHEN EXCLUDED.state = 'NEW' AND t.cache_epoch IS DISTINCT FROM EXCLUDED.cache_epoch
                               AND t.state IN ('ACTIVE', 'GRADUATING') THEN t.state
                          WHEN EXCLUDED.state = 'NEW' AND t.cache_epoch IS DISTINCT FROM EXCLUDED.cache_epoch
                               AND t.trade_count + EXCLUDED.trade_count >= :#activeMinTrades THEN 'ACTIVE'
                          ELSE EXCLUDED.state
                        END,
    price_sol         = COALESCE(EXCLUDED.price_sol, t.price_sol),
    price_usd         = COALESCE(EXCLUDED.price_usd, t.price_usd),
    market_cap_sol    = COALESCE(EXCLUDED.price_sol * CASE WHEN EXCLUDED.is_mayhem_mode OR t.is_mayhem_mode
                                 THEN 2000000000 ELSE 1000000000 END, t.market_cap_sol),
    market_cap_usd    = COALESCE(EXCLUDED.price_usd * CASE WHEN EXCLUDED.is_mayhem_mode OR t.is_mayhem_mode
                                 THEN 2000000000 ELSE 1000000000 END, t.market_cap_usd),
    v_sol_in_curve    = COALESCE(EXCLUDED.v_sol_in_curve, t.v_sol_in_curve),
    v_tokens_in_curve = COALESCE(EXCLUDED.v_tokens_in_curve, t.v_tokens_in_curve),
    bonding_progress  = CASE WHEN t.state = 'MIGRATED' OR EXCLUDED.state = 'MIGRATED' THEN 100
                             ELSE COALESCE(EXCLUDED.bonding_progress, t.bonding_progress) END,
    -- same epoch: base + the epoch's running count; a new epoch: the row's totals become the base
    base_trade_count  = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.trade_count ELSE t.base_trade_count END,
    base_buy_count    = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.buy_count ELSE t.base_buy_count END,
    base_sell_count   = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.sell_count ELSE t.base_sell_count END,
    base_volume_sol   = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.volume_sol ELSE t.base_volume_sol END,
    base_volume_usd   = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.volume_usd ELSE t.base_volume_usd END,
    trade_count       = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.trade_count
                             ELSE t.base_trade_count END + EXCLUDED.trade_count,
    buy_count         = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.buy_count
                             ELSE t.base_buy_count END + EXCLUDED.buy_count,
    sell_count        = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.sell_count
                             ELSE t.base_sell_count END + EXCLUDED.sell_count,
    volume_sol        = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.volume_sol
                             ELSE t.base_volume_sol END + EXCLUDED.volume_sol,
    volume_usd        = CASE WHEN t.cache_epoch <> EXCLUDED.cache_epoch THEN t.volume_usd
                             ELSE t.base_volume_usd END + EXCLUDED.volume_usd,
    last_trade_ts     = GREATEST(EXCLUDED.last_trade_ts, t.last_trade_ts),
    migrated_at       = COALESCE(t.migrated_at, EXCLUDED.migrated_at),
    last_updated_at   = EXCLUDED.last_updated_at,
    last_synced_at    = now(),
    version           = EXCLUDED.version,
    cache_epoch       = COALESCE(EXCLUDED.cache_epoch, t.cache_epoch)
WHERE t.version < EXCLUDED.version
RETURNING t.mint, (t.xmax = 0) AS inserted
