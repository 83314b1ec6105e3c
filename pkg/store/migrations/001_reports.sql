-- The audit trail and the employee-days.
--
-- Times are UTC RFC 3339 text with nanoseconds (fixed width), dates
-- YYYY-MM-DD, JSON values TEXT.

-- Every distinct version of every report ever seen.
CREATE TABLE report_versions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	employee     TEXT    NOT NULL,
	date         TEXT    NOT NULL,
	content_hash TEXT    NOT NULL,
	revision     TEXT    NOT NULL DEFAULT '', -- source revision when first seen
	first_seen   TEXT    NOT NULL,
	valid        INTEGER NOT NULL CHECK (valid IN (0, 1)),
	metrics      TEXT    NOT NULL DEFAULT '{}', -- JSON object metric → value
	notes        TEXT    NOT NULL DEFAULT '',
	errors       TEXT    NOT NULL DEFAULT '[]', -- JSON array of report.FieldError
	text         TEXT    NOT NULL DEFAULT '',   -- the section's raw text
	UNIQUE (employee, date, content_hash)
) STRICT;

-- One row per employee-day: its status and what counts for it now.
CREATE TABLE days (
	employee    TEXT    NOT NULL,
	date        TEXT    NOT NULL,
	status      TEXT    NOT NULL,
	late        INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
	closed_at   TEXT,                -- NULL: the day is not closed
	first_seen  TEXT,                -- NULL: no report seen yet
	version_id  INTEGER REFERENCES report_versions (id), -- NULL: none
	metrics     TEXT    NOT NULL DEFAULT '{}',
	notes       TEXT    NOT NULL DEFAULT '',
	errors      TEXT    NOT NULL DEFAULT '[]',
	flags       TEXT    NOT NULL DEFAULT '[]', -- JSON array of crm.Flag
	source_url  TEXT    NOT NULL DEFAULT '',
	record_hash TEXT    NOT NULL DEFAULT '',   -- hash of the record last enqueued
	updated_at  TEXT    NOT NULL,
	PRIMARY KEY (employee, date)
) STRICT, WITHOUT ROWID;

-- Days by date (DaysOn, EachDay's keyset pages in date, employee order).
CREATE INDEX days_date ON days (date, employee);
