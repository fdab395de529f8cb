-- Public error text of a failed sync run is a category and the SQLSTATE (GET /api/sync/runs); the full exception
-- text stays in `error`, for ADMIN only (/actuator/syncruns). docs/api.md#sync-runs
ALTER TABLE sync_run
    ADD COLUMN error_category text,
    ADD COLUMN sql_state      text;

-- runs that failed before this migration: their text was never classified
UPDATE sync_run SET error_category = 'INTERNAL' WHERE outcome = 'FAILED' AND error_category IS NULL;
