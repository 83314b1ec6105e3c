-- The report version the pass that closed a day judged (verification, issue
-- 20): a later change of the day's numbers is measured from it, even when no
-- version was seen before the deadline (a far-east employee's deadline falls
-- before the first poll). A day closed without a report has no row; its
-- first version seen is the baseline.
CREATE TABLE closed_versions (
    employee     TEXT NOT NULL,
    date         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    closed_at    TEXT NOT NULL,
    PRIMARY KEY (employee, date)
);
