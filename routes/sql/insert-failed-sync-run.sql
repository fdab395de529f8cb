-- A failed sync run, recorded after its transaction rolled back, when the database allows: the public answer is the
-- category and the SQLSTATE, the error text is for ADMIN only.
INSERT INTO sync_run (owner, started_at, finished_at, total, inserted, updated, skipped,
                      dead_lettered, duration_ms, outcome, error, error_category, sql_state)
VALUES (:#owner, to_timestamp(:#startedAtMs / 1000.0), now(), :#total, 0, 0, 0, 0, :#durationMs,
        'FAILED', :#error, :#category, :#sqlState)
