-- What Drive told the last poll: the change log's page token and every
-- known file's version and last editor; as SQLite's
-- migrations/014_drive_changes.sql.
CREATE TABLE drive_watch (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	scope      TEXT COLLATE "C" NOT NULL,
	page_token TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE drive_files (
	file_id   TEXT COLLATE "C" PRIMARY KEY,
	version   BIGINT NOT NULL,
	edited_by TEXT NOT NULL DEFAULT '',
	edited_at TEXT COLLATE "C",
	gone      INTEGER NOT NULL DEFAULT 0
);
