-- The server's version number (170000 and up: checkpoints are in pg_stat_checkpointer).
SHOW server_version_num
