-- The newest day section a document held when it was last read; as SQLite's
-- migrations/006_document_newest.sql.
ALTER TABLE documents ADD COLUMN newest TEXT COLLATE "C" NOT NULL DEFAULT '';
