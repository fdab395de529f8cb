-- Tokens only PostgreSQL still has (their Redis state expired) go STALE after :#staleAfterSeconds without a trade.
-- Same rule as TokenState: GRADUATING (progress >= :#graduatingProgress) wins over STALE. Tokens still in Redis are
-- evaluated there by the tokenStates bean; a token that traded recently is dirty, and its sync overwrites this.
UPDATE token_discovery
SET state = 'STALE'
WHERE state IN ('NEW', 'ACTIVE', 'GRADUATING')
  AND COALESCE(bonding_progress, 0) < :#graduatingProgress
  AND COALESCE(last_trade_ts, first_seen_at) < to_timestamp(:#nowMs / 1000.0) - make_interval(secs => :#staleAfterSeconds)
