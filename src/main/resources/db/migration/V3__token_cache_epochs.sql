-- Totals survive the Redis cache (docs/write-behind.md, "Cache expiry"). A token's Redis hash lives in epochs: it is
-- created from nothing (epoch = its creation time in ms), expires 2 h after its last commit, and may be created again
-- later, its counters starting again from zero. The row keeps the totals of every earlier epoch as a base, so the
-- upsert writes base + the epoch's running count, and a new epoch adds to the totals instead of resetting them.
-- Rows written before this migration have no epoch: their counters are the base of nothing yet (0), as before.
ALTER TABLE token_discovery
    ADD COLUMN cache_epoch      bigint,
    ADD COLUMN base_trade_count bigint  NOT NULL DEFAULT 0,
    ADD COLUMN base_buy_count   bigint  NOT NULL DEFAULT 0,
    ADD COLUMN base_sell_count  bigint  NOT NULL DEFAULT 0,
    ADD COLUMN base_volume_sol  numeric NOT NULL DEFAULT 0,
    ADD COLUMN base_volume_usd  numeric NOT NULL DEFAULT 0;
