-- The manager spreadsheet's tabs a pass depends on (the roster, План,
-- Изменения), as last read, with the spreadsheet's Drive version taken
-- before the read: a poll whose Drive change log says the spreadsheet is
-- still at that version does not read them again. tab_key is what was
-- asked (the value rendering and the tab's names); body the title and the
-- rows as JSON.
CREATE TABLE manager_tabs (
	spreadsheet TEXT NOT NULL,
	tab_key     TEXT NOT NULL,
	version     INTEGER NOT NULL,
	body        TEXT NOT NULL,
	read_at     TEXT NOT NULL,
	PRIMARY KEY (spreadsheet, tab_key)
) STRICT, WITHOUT ROWID;
