-- Migration 018 keeps SQLite's kept reads (017) in parts; PostgreSQL keeps
-- none. The number keeps the two schemas' versions in step.
SELECT 1;
