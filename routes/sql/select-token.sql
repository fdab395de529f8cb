-- A token's row for GET /api/tokens/{mint} when Redis has neither its live hash nor a cached page.
SELECT * FROM token_discovery WHERE mint = :#mint
