-- The newest day section a document held when it was last read: an unchanged
-- document (same Drive version) is not read again, unless it held a report
-- for a day the state does not know yet.
ALTER TABLE documents ADD COLUMN newest TEXT NOT NULL DEFAULT '';
