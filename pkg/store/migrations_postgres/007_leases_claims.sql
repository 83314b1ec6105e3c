-- Leadership among replicas and outbox claims; as SQLite's
-- migrations/007_leases_claims.sql (see the package documentation).

CREATE TABLE leases (
	name   TEXT COLLATE "C" PRIMARY KEY,
	holder TEXT NOT NULL,
	until  TEXT COLLATE "C" NOT NULL,
	since  TEXT COLLATE "C" NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_by TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until TEXT COLLATE "C" NOT NULL DEFAULT '';
