-- The manager spreadsheet's tabs as last read, by the spreadsheet's Drive
-- version; as SQLite's migrations/015_manager_tabs.sql.
CREATE TABLE manager_tabs (
	spreadsheet TEXT COLLATE "C" NOT NULL,
	tab_key     TEXT COLLATE "C" NOT NULL,
	version     BIGINT NOT NULL,
	body        TEXT NOT NULL,
	read_at     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (spreadsheet, tab_key)
);
