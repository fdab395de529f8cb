-- Rows PostgreSQL rejected during syncs and not replayed yet (tokendiscovery.sync.dead.letters.open).
SELECT count(*) FROM sync_dead_letter WHERE replayed_at IS NULL
