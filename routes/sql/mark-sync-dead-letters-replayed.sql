-- Sync dead letters written again by a replay, in the replay's transaction (:#ids is a list of ids).
UPDATE sync_dead_letter SET replayed_at = now() WHERE id IN (:#ids)
