-- Source change detection, pass history, sent notifications.

CREATE TABLE documents (
	employee     TEXT PRIMARY KEY,
	revision     TEXT NOT NULL,
	content_hash TEXT NOT NULL,
	fetched_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE passes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,
	date        TEXT NOT NULL DEFAULT '', -- '' when the pass is not about one day
	started_at  TEXT NOT NULL,
	finished_at TEXT,                     -- NULL: running, or crashed
	result      TEXT NOT NULL DEFAULT '',
	summary     TEXT,                     -- JSON
	error       TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE notifications (
	key     TEXT PRIMARY KEY,
	sent_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
