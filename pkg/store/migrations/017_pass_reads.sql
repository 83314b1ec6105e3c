-- What a pass reads of every employee at once (the employees' first days,
-- the documents' last reads, the pass date's days with their records'
-- place), kept at the change count (016) it holds at: the next pass, when
-- it reads that count under the pass lock, takes it instead of reading
-- 10 000 rows of each table. A cron's `dayreport sync` is a new process
-- each poll and cannot keep them in memory as the daemon does
-- (pkg/pass/reuse.go). One row; data is the rows as read, in the store's
-- own encoding (pkg/store/keptreads.go). A cache: deleting the row loses
-- nothing but the next pass's shortcut.
CREATE TABLE pass_reads (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	epoch TEXT    NOT NULL,
	n     INTEGER NOT NULL,
	data  BLOB    NOT NULL
) STRICT;
