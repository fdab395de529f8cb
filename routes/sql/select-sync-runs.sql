-- The most recent sync runs for GET /api/sync/runs (anonymous). A failed run says why as a category and the
-- SQLSTATE only: the exception text (`error`: SQL, hosts, values) is for ADMIN at /actuator/syncruns.
SELECT id, owner,
       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
       to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at,
       total, inserted, updated, skipped, dead_lettered, duration_ms, outcome, error_category, sql_state
FROM sync_run
ORDER BY id DESC
LIMIT :#limit
