-- The dependency probe (every tokendiscovery.ops.probe-interval): PostgreSQL answers.
SELECT 1
