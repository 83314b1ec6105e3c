-- The long_term free text beside notes; as SQLite's migrations/012_day_long_term.sql.
ALTER TABLE days ADD COLUMN long_term TEXT NOT NULL DEFAULT '';
