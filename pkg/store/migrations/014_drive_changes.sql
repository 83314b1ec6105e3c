-- What Drive told the last poll, so that the next one (a new process from
-- cron, or the daemon's next tick) asks only for what changed since:
-- the page token of Drive's change log (changes.list) and every known
-- file's version and last editor. scope is the reports folder the files
-- were listed for: another folder starts over with a full listing.
CREATE TABLE drive_watch (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	scope      TEXT NOT NULL,
	page_token TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

-- A file Drive listed or reported a change of. gone: trashed or removed
-- (deleted, access lost); its readers are read as if Drive said nothing.
CREATE TABLE drive_files (
	file_id   TEXT PRIMARY KEY,
	version   INTEGER NOT NULL,
	edited_by TEXT NOT NULL DEFAULT '',
	edited_at TEXT,
	gone      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
