-- Hot scores to PostgreSQL: ONE statement per run. :#scores is a JSON array [{mint, score}] of the hot feed's
-- tokens with their decayed score now; tokens that left the feed decay to 0. Only rows whose score moved by more
-- than :#minChange are rewritten (hot_score is not indexed, so these updates are HOT).
UPDATE token_discovery t
SET hot_score = s.new_score
FROM (SELECT d.mint, COALESCE(u.score, 0) AS new_score
      FROM token_discovery d
      LEFT JOIN jsonb_to_recordset(CAST(:#scores AS jsonb)) AS u(mint text, score numeric) ON u.mint = d.mint
      WHERE d.hot_score > 0 OR u.mint IS NOT NULL) s
WHERE t.mint = s.mint
  AND abs(t.hot_score - s.new_score) > :#minChange
