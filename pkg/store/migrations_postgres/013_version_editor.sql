-- Who last modified a report's document, and when; as SQLite's
-- migrations/013_version_editor.sql.
ALTER TABLE report_versions ADD COLUMN edited_by TEXT NOT NULL DEFAULT '';
ALTER TABLE report_versions ADD COLUMN edited_at TEXT COLLATE "C";
