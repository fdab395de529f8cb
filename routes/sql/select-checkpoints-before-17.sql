-- Checkpoints so far, PostgreSQL before 17 (postgres-monitor): the same figures from pg_stat_bgwriter.
SELECT checkpoints_timed AS timed, checkpoints_req AS requested,
       checkpoint_write_time AS write_time, checkpoint_sync_time AS sync_time
FROM pg_stat_bgwriter
