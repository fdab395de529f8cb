-- The most recent sync runs WITH the error text of failed ones, for ADMIN at /actuator/syncruns (the public
-- GET /api/sync/runs answers select-sync-runs.sql: a category and the SQLSTATE only).
SELECT id, owner,
       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
       to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at,
       total, inserted, updated, skipped, dead_lettered, duration_ms, outcome, error_category,
       sql_state, error
FROM sync_run
ORDER BY id DESC
LIMIT :#limit
