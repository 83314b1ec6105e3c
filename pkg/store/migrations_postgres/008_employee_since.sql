-- The first day dayreport judged for each employee; as SQLite's
-- migrations/008_employee_since.sql.
CREATE TABLE employee_since (
    employee TEXT COLLATE "C" PRIMARY KEY,
    since    TEXT COLLATE "C" NOT NULL
);
INSERT INTO employee_since (employee, since) SELECT employee, MIN(date) FROM days GROUP BY employee;
