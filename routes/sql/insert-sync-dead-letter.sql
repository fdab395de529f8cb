-- A row PostgreSQL rejected during a sync: kept with its values (as jsonb) and the error, so the batch goes on
-- without it and an operator can inspect, fix and replay it (docs/write-behind.md). Runs under its own savepoint.
INSERT INTO sync_dead_letter (mint, sync_owner, sql_state, error, payload)
VALUES (:#mint, :#owner, :#sqlState, :#error, CAST(:#payload AS jsonb))
