-- The outbox and the push log (see the package documentation).

-- The latest record still to be pushed per adapter and key: never two rows
-- per key, a newer record replaces a pending older one.
CREATE TABLE outbox (
	adapter      TEXT    NOT NULL,
	key          TEXT    NOT NULL,
	record       TEXT    NOT NULL,             -- JSON crm.Record
	hash         TEXT    NOT NULL,             -- crm.Record.Hash()
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	next_attempt TEXT    NOT NULL,
	enqueued_at  TEXT    NOT NULL,
	PRIMARY KEY (adapter, key)
) STRICT;

CREATE INDEX outbox_due ON outbox (adapter, next_attempt);

-- The push log: the CRM object holding each key, and the hash of the record
-- last pushed to it successfully.
CREATE TABLE crm_objects (
	adapter     TEXT NOT NULL,
	key         TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	record_hash TEXT NOT NULL,
	pushed_at   TEXT NOT NULL,
	PRIMARY KEY (adapter, key)
) STRICT, WITHOUT ROWID;
