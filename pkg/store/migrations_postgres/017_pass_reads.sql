-- Migration 017 keeps a pass's reads on SQLite at the change count of 016,
-- which PostgreSQL does not keep: its passes read the store every time, as
-- before. The number keeps the two schemas' versions in step.
SELECT 1;
