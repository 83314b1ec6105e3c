-- The kept reads (017) in parts of a few hundred KiB instead of one blob:
-- for 10 000 employees the one blob was some 6 MiB, built by doubling a
-- buffer and copied by SQLite into its record, which made the write of it
-- the highest point of a first pass's memory (pkg/store/keptreads.go). A
-- cache: the rows kept under 017 are dropped, which loses nothing but the
-- next pass's shortcut. Every part carries the change count it was kept at;
-- the parts of one keep are written in one transaction, after the parts
-- before them are deleted.
DROP TABLE pass_reads;

CREATE TABLE pass_reads (
	part  INTEGER PRIMARY KEY,
	epoch TEXT    NOT NULL,
	n     INTEGER NOT NULL,
	data  BLOB    NOT NULL
) STRICT;
