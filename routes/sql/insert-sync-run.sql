-- One row per successful sync run, in the same transaction as the batch it describes.
INSERT INTO sync_run (owner, started_at, finished_at, total, inserted, updated, skipped, dead_lettered,
                      duration_ms, outcome)
VALUES (:#owner, to_timestamp(:#startedAtMs / 1000.0), now(), :#total, :#inserted, :#updated, :#skipped,
        :#deadLettered, :#durationMs, 'SUCCESS')
