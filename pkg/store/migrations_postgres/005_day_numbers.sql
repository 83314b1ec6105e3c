-- The numbers of each employee-day in plain columns, one per metric slot;
-- as SQLite's migrations/005_day_numbers.sql (see there why).

CREATE TABLE metric_slots (
	metric TEXT    COLLATE "C" PRIMARY KEY,
	slot   INTEGER NOT NULL UNIQUE CHECK (slot BETWEEN 0 AND 31)
);

CREATE TABLE day_numbers (
	employee TEXT COLLATE "C" NOT NULL,
	status   TEXT COLLATE "C" NOT NULL,
	date     TEXT COLLATE "C" NOT NULL,
	v0 DOUBLE PRECISION,
	v1 DOUBLE PRECISION,
	v2 DOUBLE PRECISION,
	v3 DOUBLE PRECISION,
	v4 DOUBLE PRECISION,
	v5 DOUBLE PRECISION,
	v6 DOUBLE PRECISION,
	v7 DOUBLE PRECISION,
	v8 DOUBLE PRECISION,
	v9 DOUBLE PRECISION,
	v10 DOUBLE PRECISION,
	v11 DOUBLE PRECISION,
	v12 DOUBLE PRECISION,
	v13 DOUBLE PRECISION,
	v14 DOUBLE PRECISION,
	v15 DOUBLE PRECISION,
	v16 DOUBLE PRECISION,
	v17 DOUBLE PRECISION,
	v18 DOUBLE PRECISION,
	v19 DOUBLE PRECISION,
	v20 DOUBLE PRECISION,
	v21 DOUBLE PRECISION,
	v22 DOUBLE PRECISION,
	v23 DOUBLE PRECISION,
	v24 DOUBLE PRECISION,
	v25 DOUBLE PRECISION,
	v26 DOUBLE PRECISION,
	v27 DOUBLE PRECISION,
	v28 DOUBLE PRECISION,
	v29 DOUBLE PRECISION,
	v30 DOUBLE PRECISION,
	v31 DOUBLE PRECISION,
	PRIMARY KEY (employee, status, date)
);

-- Days stored before this migration.
INSERT INTO metric_slots (metric, slot)
	SELECT key, ROW_NUMBER() OVER (ORDER BY key) - 1
	FROM (SELECT DISTINCT j.key COLLATE "C" AS key FROM days d,
		jsonb_each(CASE WHEN jsonb_typeof(d.metrics::jsonb) = 'object' THEN d.metrics::jsonb ELSE '{}' END) j
		WHERE jsonb_typeof(j.value) = 'number') k
	ORDER BY key LIMIT 32;

INSERT INTO day_numbers (employee, status, date, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16, v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28, v29, v30, v31)
	SELECT d.employee, d.status, d.date,
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 0),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 1),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 2),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 3),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 4),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 5),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 6),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 7),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 8),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 9),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 10),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 11),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 12),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 13),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 14),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 15),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 16),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 17),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 18),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 19),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 20),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 21),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 22),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 23),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 24),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 25),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 26),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 27),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 28),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 29),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 30),
		(SELECT (d.metrics::jsonb ->> metric)::double precision FROM metric_slots WHERE slot = 31)
	FROM days d;
