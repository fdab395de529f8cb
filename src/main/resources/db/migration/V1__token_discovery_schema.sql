-- token-discovery schema: the public contract of the database (docs/data-model.md).
-- Money and price columns are numeric (exact), never float.

-- One row per token with real activity (lazy persistence). Written by the write-behind sync only, at most once per
-- token per sync interval. fillfactor 70 leaves room on each page so the periodic UPDATEs are HOT (heap-only
-- tuples): the new row version goes on the same page and, as none of the updated columns is indexed, no index is
-- touched. That keeps WAL and index bloat proportional to changed tokens, not to swaps.
CREATE TABLE token_discovery (
    mint              text        PRIMARY KEY,
    name              text,
    symbol            text,
    uri               text,
    creator           text,
    pool              text,
    is_mayhem_mode    boolean     NOT NULL DEFAULT false,
    state             text        NOT NULL DEFAULT 'NEW',
    price_sol         numeric,
    price_usd         numeric,
    market_cap_sol    numeric,
    market_cap_usd    numeric,
    v_sol_in_curve    numeric,
    v_tokens_in_curve numeric,
    bonding_progress  numeric(7, 4),
    trade_count       bigint      NOT NULL DEFAULT 0,
    buy_count         bigint      NOT NULL DEFAULT 0,
    sell_count        bigint      NOT NULL DEFAULT 0,
    volume_sol        numeric     NOT NULL DEFAULT 0,
    volume_usd        numeric     NOT NULL DEFAULT 0,
    hot_score         numeric     NOT NULL DEFAULT 0,
    first_seen_at     timestamptz NOT NULL,
    last_trade_ts     timestamptz,
    migrated_at       timestamptz,
    last_updated_at   timestamptz NOT NULL,
    last_synced_at    timestamptz NOT NULL DEFAULT now(),
    -- Monotonic guard of the write-behind upsert: strictly increasing per change of the token in Redis, so a
    -- replayed or overlapping batch can never overwrite newer values with older ones.
    version           bigint      NOT NULL,
    CONSTRAINT token_discovery_state_chk CHECK (state IN ('NEW', 'ACTIVE', 'GRADUATING', 'MIGRATED', 'STALE')),
    CONSTRAINT token_discovery_counts_chk CHECK (trade_count >= 0 AND buy_count >= 0 AND sell_count >= 0)
) WITH (fillfactor = 70);

-- Only columns that never change after insert are indexed, so updates stay HOT.
CREATE INDEX token_discovery_first_seen_idx ON token_discovery (first_seen_at DESC);

-- Tokens users watch: always subscribed for trades and always persisted.
CREATE TABLE token_watch (
    mint       text        NOT NULL,
    watcher    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (mint, watcher)
);

-- One row per sync run, written in the same transaction as the batch it describes (a failed run is recorded
-- afterwards in its own transaction when the database allows it).
CREATE TABLE sync_run (
    id            bigserial   PRIMARY KEY,
    owner         text        NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL,
    total         integer     NOT NULL,
    inserted      integer     NOT NULL,
    updated       integer     NOT NULL,
    skipped       integer     NOT NULL,
    dead_lettered integer     NOT NULL DEFAULT 0,
    duration_ms   bigint      NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILED')),
    error         text
);

CREATE INDEX sync_run_started_idx ON sync_run (started_at DESC);
