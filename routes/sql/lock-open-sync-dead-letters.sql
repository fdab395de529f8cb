-- The oldest open sync dead letters, locked for one replay (another replica's replay skips them).
SELECT id, payload::text AS payload
FROM sync_dead_letter
WHERE replayed_at IS NULL
ORDER BY id
LIMIT :#limit
FOR UPDATE SKIP LOCKED
