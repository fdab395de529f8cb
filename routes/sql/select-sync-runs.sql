-- The most recent sync runs for GET /api/sync/runs.
SELECT id, owner,
       to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
       to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at,
       total, inserted, updated, skipped, dead_lettered, duration_ms, outcome, error
FROM sync_run
ORDER BY id DESC
LIMIT :#limit
