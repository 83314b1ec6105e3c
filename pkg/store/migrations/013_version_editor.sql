-- Who last modified a report's document, and when, as its source said when
-- a version was first seen (Drive's lastModifyingUser and modifiedTime):
-- an edit after the deadline names its editor. Empty and NULL when the
-- source does not say (local files, versions seen before 013).
ALTER TABLE report_versions ADD COLUMN edited_by TEXT NOT NULL DEFAULT '';
ALTER TABLE report_versions ADD COLUMN edited_at TEXT;
