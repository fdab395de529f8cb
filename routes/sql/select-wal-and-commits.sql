-- WAL written so far (the current WAL position in bytes) and transactions committed in this database
-- (postgres-monitor): commits per second and WAL per commit are the real load signals.
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS wal_bytes,
       (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) AS commits
