-- The most recent sync runs for GET /api/sync/runs.
SELECT id, owner, started_at, finished_at, total, inserted, updated, skipped, dead_lettered, duration_ms, outcome, error
FROM sync_run
ORDER BY id DESC
LIMIT :#limit
