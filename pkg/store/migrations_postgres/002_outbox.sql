-- The outbox and the push log (see the package documentation); as SQLite's
-- migrations/002_outbox.sql.

CREATE TABLE outbox (
	adapter      TEXT    COLLATE "C" NOT NULL,
	key          TEXT    COLLATE "C" NOT NULL,
	record       TEXT    NOT NULL,             -- JSON crm.Record
	hash         TEXT    COLLATE "C" NOT NULL, -- crm.Record.Hash()
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	next_attempt TEXT    COLLATE "C" NOT NULL,
	enqueued_at  TEXT    COLLATE "C" NOT NULL,
	PRIMARY KEY (adapter, key)
);

CREATE INDEX outbox_due ON outbox (adapter, next_attempt);

CREATE TABLE crm_objects (
	adapter     TEXT COLLATE "C" NOT NULL,
	key         TEXT COLLATE "C" NOT NULL,
	object_id   TEXT COLLATE "C" NOT NULL,
	record_hash TEXT COLLATE "C" NOT NULL,
	pushed_at   TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (adapter, key)
);
