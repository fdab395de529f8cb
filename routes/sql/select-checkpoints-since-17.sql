-- Checkpoints so far, PostgreSQL 17 and later (postgres-monitor): timed (checkpoint_timeout) vs requested (forced by
-- WAL volume, the storm's signal), and the time spent writing and syncing.
SELECT num_timed AS timed, num_requested AS requested, write_time, sync_time
FROM pg_stat_checkpointer
