-- The first day dayreport judged for each employee (the install, or the
-- first pass after they joined the roster): the day ledger never closes a day
-- before it. Existing installs start from each employee's first stored day.
CREATE TABLE employee_since (
    employee TEXT PRIMARY KEY,
    since    TEXT NOT NULL
);
INSERT INTO employee_since (employee, since) SELECT employee, MIN(date) FROM days GROUP BY employee;
