-- Leadership among replicas and outbox claims (see the package
-- documentation).

-- A named lease: who holds it and until when (text time, like every time
-- here). "leader" is the daemon's leadership; "pass" only says, for people
-- and for the error of the next one, who holds PostgreSQL's pass lock.
CREATE TABLE leases (
	name   TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  TEXT NOT NULL,
	since  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- A pusher claims the rows it is about to push: nobody else pushes them
-- until the claim is released (MarkPushed, MarkFailed) or expires.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';
