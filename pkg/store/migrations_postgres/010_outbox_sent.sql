-- Whether a pusher ever claimed a record of the key; as SQLite's
-- migrations/010_outbox_sent.sql (see ClaimOutbox).
ALTER TABLE outbox ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;

CREATE TABLE summary_stamps (
	target      TEXT COLLATE "C" PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	state       TEXT NOT NULL,
	written_at  TEXT COLLATE "C" NOT NULL
);
