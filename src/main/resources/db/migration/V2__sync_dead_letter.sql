-- Rows the database rejected during a sync (constraint violation, numeric overflow, invalid value): kept with the
-- error so the batch goes on without them and an operator can inspect, fix and replay them (docs/write-behind.md).
CREATE TABLE sync_dead_letter (
    id          bigserial   PRIMARY KEY,
    mint        text        NOT NULL,
    sync_owner  text        NOT NULL,
    sql_state   text,
    error       text        NOT NULL,
    payload     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);

CREATE INDEX sync_dead_letter_mint_idx ON sync_dead_letter (mint);
