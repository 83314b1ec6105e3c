-- The CRM of the builtin adapter, kept inside the state database.

CREATE TABLE crm_records (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- the object id
	key        TEXT    NOT NULL UNIQUE,
	record     TEXT    NOT NULL,
	revision   INTEGER NOT NULL,                  -- 1, +1 on every change
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
) STRICT;

-- Facts the builtin CRM "recorded" (for verification).
CREATE TABLE crm_facts (
	employee TEXT NOT NULL,
	date     TEXT NOT NULL,
	metric   TEXT NOT NULL,
	value    REAL NOT NULL,
	PRIMARY KEY (employee, date, metric)
) STRICT, WITHOUT ROWID;
