-- Migration 016 keeps a count of writes on SQLite (a table moved by
-- triggers in each writer's transaction), which the daemon checks before it
-- reuses what it read in the previous poll. PostgreSQL keeps none: a shared
-- counter row would serialize concurrent writers (the day batches, the
-- pushers of several replicas) and could deadlock them, and a sequence
-- moves before its transaction commits, so a poll could take a count that
-- its data does not show yet. On PostgreSQL every poll reads the store, as
-- before; the number keeps the two schemas' versions in step.
SELECT 1;
