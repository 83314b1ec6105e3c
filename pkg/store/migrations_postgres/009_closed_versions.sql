-- The report version the pass that closed a day judged; as SQLite's
-- migrations/009_closed_versions.sql.
CREATE TABLE closed_versions (
    employee     TEXT COLLATE "C" NOT NULL,
    date         TEXT COLLATE "C" NOT NULL,
    content_hash TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    PRIMARY KEY (employee, date)
);
