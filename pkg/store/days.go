package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Day is what the store knows of one employee-day.
type Day struct {
	Employee string
	Date     day.Date
	Status   report.Status
	Late     bool
	// ClosedAt is when a pass closed the day; zero = not closed.
	ClosedAt time.Time
	// FirstSeen is when a report for the day was first seen; zero = never.
	FirstSeen time.Time
	// VersionID is the current report version; 0 = none.
	VersionID int64
	Metrics   map[string]float64
	Notes     string
	// LongTerm is the report's long_term text (what the day gives in the long term).
	LongTerm  string
	Errors    []report.FieldError
	Flags     []crm.Flag
	SourceURL string
	// RecordHash is the hash of the CRM record last enqueued for the day.
	RecordHash string
	// UpdatedAt is set by the store on every save.
	UpdatedAt time.Time
}

const dayColumns = `employee, date, status, late, closed_at, first_seen, version_id,
	metrics, notes, errors, flags, source_url, record_hash, updated_at, long_term`

// shownColumns are the columns of a day the summary shows (EachShownDay).
const shownColumns = `employee, date, status, metrics, notes, errors, flags, long_term`

func scanDay(sc scanner) (Day, error) {
	var r dayScan
	return r.scan(sc)
}

// dayScan holds the columns of a days row as scanned; one kept for a
// query's rows scans them without allocating its places again for each.
type dayScan struct {
	d                     Day
	date, status, updated string
	late                  int
	closed, firstSeen     sql.NullString
	versionID             sql.NullInt64
	metrics, errs, flags  string
	dest                  []any
	// shown: the row holds shownColumns, not dayColumns.
	shown bool
}

// places are where Scan puts dayColumns, then extra.
func (r *dayScan) places(extra ...any) []any {
	if r.dest == nil && r.shown {
		r.dest = []any{&r.d.Employee, &r.date, &r.status, &r.metrics, &r.d.Notes, &r.errs, &r.flags, &r.d.LongTerm}
	}
	if r.dest == nil {
		r.dest = append([]any{&r.d.Employee, &r.date, &r.status, &r.late, &r.closed, &r.firstSeen, &r.versionID,
			&r.metrics, &r.d.Notes, &r.errs, &r.flags, &r.d.SourceURL, &r.d.RecordHash, &r.updated, &r.d.LongTerm}, extra...)
	}
	return r.dest
}

// scan scans one row of dayColumns (and the extra places given the first
// time) and returns its day.
func (r *dayScan) scan(sc scanner, extra ...any) (Day, error) {
	r.d = Day{}
	if err := sc.Scan(r.places(extra...)...); err != nil {
		return Day{}, fmt.Errorf("store: read day: %w", err)
	}
	return r.day()
}

// day is the day of the columns scanned (or decoded from kept reads).
func (r *dayScan) day() (Day, error) {
	d := r.d
	var err error
	if d.Date, err = parseDate(r.date); err != nil {
		return Day{}, err
	}
	d.Status = report.Status(r.status)
	if !r.shown {
		d.Late, d.VersionID = r.late != 0, r.versionID.Int64
		if d.ClosedAt, err = parseNullTime(r.closed); err != nil {
			return Day{}, err
		}
		if d.FirstSeen, err = parseNullTime(r.firstSeen); err != nil {
			return Day{}, err
		}
		if d.UpdatedAt, err = parseTime(r.updated); err != nil {
			return Day{}, err
		}
	}
	if err := fromJSON(r.metrics, &d.Metrics); err != nil {
		return Day{}, err
	}
	if err := fromJSON(r.flags, &d.Flags); err != nil {
		return Day{}, err
	}
	if d.Errors, err = errorsFromJSON(r.errs); err != nil {
		return Day{}, err
	}
	return d, nil
}

// Day returns the stored employee-day; ok is false when there is none.
func (s *Store) Day(ctx context.Context, employee string, d day.Date) (Day, bool, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+dayColumns+` FROM days WHERE employee = ? AND date = ?`,
		employee, d.String())
	got, err := scanDay(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Day{}, false, nil
	}
	if err != nil {
		return Day{}, false, err
	}
	return got, true, nil
}

// DaysOn returns every stored employee-day of date d, by employee.
func (s *Store) DaysOn(ctx context.Context, d day.Date) ([]Day, error) {
	var out []Day
	err := s.EachDay(ctx, d, d, func(x Day) error {
		out = append(out, x)
		return nil
	})
	return out, err
}

// eachDayPage is how many rows EachDay reads per query.
const eachDayPage = 1000

// EachDay calls fn for every stored employee-day from `from` to `to`
// inclusive (a zero date leaves that end open), ordered by date then
// employee, and stops at the first error fn returns, returning it.
//
// Rows are read in pages of a bounded size (keyset pagination on the
// (date, employee) index), so memory stays flat whatever the number of rows,
// no read transaction stays open while fn runs, and fn may use the store,
// writes included. The walk is not one snapshot: a row saved during it is
// seen if it sorts after the current position.
func (s *Store) EachDay(ctx context.Context, from, to day.Date, fn func(Day) error) error {
	return s.eachDay(ctx, from, to, false, fn)
}

// EachShownDay is EachDay with only what the summary shows of a day: its
// employee, date, status, metrics, notes, long-term text, errors and flags
// (the other fields are left zero). The Сводка tab and the plan's month
// walk 300 000 days on a poll of 10 000 employees; the times parsed and the
// columns copied for nothing were a tenth of the walk.
func (s *Store) EachShownDay(ctx context.Context, from, to day.Date, fn func(Day) error) error {
	return s.eachDay(ctx, from, to, true, fn)
}

func (s *Store) eachDay(ctx context.Context, from, to day.Date, shown bool, fn func(Day) error) error {
	cols := dayColumns
	if shown {
		cols = shownColumns
	}
	lo, hi := from.String(), to.String()
	if to.IsZero() {
		hi = maxDate
	}
	// The row-value bound alone is what lets SQLite start each page at the
	// cursor in the index; with a separate "date >= from" it would scan from
	// `from` on every page, quadratic in the number of rows.
	op, afterDate, afterEmployee := ">=", lo, ""
	page := make([]Day, 0, eachDayPage)
	sc := dayScan{shown: shown} // its places, made once for the walk
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page = page[:0]
		rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM days
			WHERE (date, employee) `+op+` (?, ?) AND date <= ?
			ORDER BY date, employee LIMIT ?`, afterDate, afterEmployee, hi, eachDayPage)
		if err != nil {
			return fmt.Errorf("store: days: %w", err)
		}
		for rows.Next() {
			d, err := sc.scan(rows)
			if err != nil {
				_ = rows.Close()
				return err
			}
			page = append(page, d)
		}
		err = rows.Err()
		_ = rows.Close()
		if err != nil {
			return fmt.Errorf("store: days: %w", err)
		}
		for _, d := range page {
			if err := fn(d); err != nil {
				return err
			}
		}
		if len(page) < eachDayPage {
			return nil
		}
		last := page[len(page)-1]
		op, afterDate, afterEmployee = ">", last.Date.String(), last.Employee
	}
}

// dayUpsert ends the INSERT of a day row: the row replaces the stored one.
const dayUpsert = `ON CONFLICT (employee, date) DO UPDATE SET
	status = excluded.status, late = excluded.late, closed_at = excluded.closed_at,
	first_seen = excluded.first_seen, version_id = excluded.version_id,
	metrics = excluded.metrics, notes = excluded.notes, errors = excluded.errors,
	flags = excluded.flags, source_url = excluded.source_url,
	record_hash = excluded.record_hash, updated_at = excluded.updated_at,
	long_term = excluded.long_term`

// DayUpdate is the outcome of judging one employee-day, saved atomically.
type DayUpdate struct {
	// Adapter is the CRM adapter the record is queued for.
	Adapter string
	// Day is the new state of the day. UpdatedAt is set by the store;
	// VersionID is replaced by the id of Version when Version is set.
	Day Day
	// Version is the report seen now; nil = no report seen now.
	Version *Version
	// Record is the CRM record of the day; nil = nothing to push (day_off, missing).
	Record *crm.Record
	// Prior, when set, is the day as the caller read it from the store.
	// When the update would leave that row as it is, reuse the version
	// the row points at, and the CRM already holds or has queued the
	// record, SaveDay writes nothing (see saveUnchanged).
	Prior *Day
	// New says the caller read the employee-day from the store and found no
	// row. A day's report versions, outbox rows and push log entries are
	// only ever written with its row, so there are none either, and a
	// batch (DayBatch.Save) stages the update without reading them.
	New bool
}

// SaveResult tells what SaveDay changed.
type SaveResult struct {
	// VersionID is the id of the day's report version (0 = none).
	VersionID int64
	// NewVersion is true when Version was not in the audit trail yet.
	NewVersion bool
	// Enqueued is true when the record was put in the outbox.
	Enqueued bool
	// Unchanged is true when the CRM already holds the record, or it is
	// already queued: nothing new to push.
	Unchanged bool
}

// SaveDay stores one employee-day's outcome in ONE transaction: the report
// version (inserted when its content hash is new for the day, else reused),
// the day row (upserted), and the CRM record: with h = Record.Hash(),
//   - when the push log says the CRM already holds h for the key, any pending
//     outbox row for the key is deleted (its change was reverted): Unchanged;
//   - else when the pending outbox row already holds h: Unchanged;
//   - else the record replaces the key's outbox row, or becomes it, due now
//     with no attempts: Enqueued.
//
// Day fields are stored as given (the caller decides ClosedAt, FirstSeen,
// Late); with no Version, Day.VersionID is kept as given.
func (s *Store) SaveDay(ctx context.Context, u DayUpdate) (SaveResult, error) {
	var res SaveResult
	p, err := prepareDay(u)
	if err != nil {
		return res, err
	}
	d, v := p.d, p.v
	metrics, errs, flags := p.cols.metrics, p.cols.errs, p.cols.flags
	if u.Prior != nil {
		same, got, err := s.saveUnchanged(ctx, u, d, v, p.cols)
		if err != nil {
			return SaveResult{}, err
		}
		if same {
			return got, nil
		}
	}
	var rec outboxRecord
	if u.Record != nil {
		if rec, err = newOutboxRecord(*u.Record); err != nil {
			return res, err
		}
	}
	err = s.write(ctx, func(tx *txn) error {
		res = SaveResult{}
		now := s.now()
		d.UpdatedAt = now
		if u.Version != nil {
			id, created, err := s.putVersion(ctx, tx, v, now)
			if err != nil {
				return err
			}
			d.VersionID, res.NewVersion = id, created
			if err := s.hook("version"); err != nil {
				return err
			}
		}
		res.VersionID = d.VersionID
		_, err := tx.ExecContext(ctx, `INSERT INTO days (`+dayColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) `+dayUpsert,
			d.Employee, d.Date.String(), string(d.Status), boolInt(d.Late), nullTime(d.ClosedAt),
			nullTime(d.FirstSeen), nullID(d.VersionID), metrics, d.Notes, errs, flags, d.SourceURL,
			d.RecordHash, fmtTime(now), d.LongTerm)
		if err != nil {
			return fmt.Errorf("store: save day: %w", err)
		}
		if err := s.putNumbers(ctx, tx, d); err != nil {
			return err
		}
		if err := s.hook("day"); err != nil {
			return err
		}
		if u.Record == nil {
			return nil
		}
		if res.Enqueued, err = s.enqueue(ctx, tx, u.Adapter, rec, now); err != nil {
			return err
		}
		res.Unchanged = !res.Enqueued
		return s.hook("outbox")
	})
	if err != nil {
		return SaveResult{}, err
	}
	return res, nil
}

// preparedDay is a DayUpdate checked and encoded as SaveDay writes it.
type preparedDay struct {
	// d is the day, its record hash set from the record.
	d Day
	// v is the version, its employee and date filled in (when u.Version is set).
	v    Version
	cols dayRow
}

// prepareDay checks u and encodes what SaveDay (or a DayBatch) writes of it.
func prepareDay(u DayUpdate) (preparedDay, error) {
	d := u.Day
	if d.Employee == "" || d.Date.IsZero() || d.Status == "" {
		return preparedDay{}, fmt.Errorf("store: save day: employee, date and status are required (got %q, %q, %q)",
			d.Employee, d.Date, d.Status)
	}
	if u.Record != nil && (u.Adapter == "" || u.Record.Key == "") {
		return preparedDay{}, errors.New("store: save day: a record needs an adapter and a key")
	}
	var v Version
	if u.Version != nil {
		v = *u.Version
		if v.Employee == "" {
			v.Employee = d.Employee
		}
		if v.Date.IsZero() {
			v.Date = d.Date
		}
		if v.Employee != d.Employee || v.Date != d.Date {
			return preparedDay{}, fmt.Errorf("store: save day: version of %s %s given for %s %s", v.Employee, v.Date, d.Employee, d.Date)
		}
	}
	metrics, err := toJSON(d.Metrics)
	if err != nil {
		return preparedDay{}, err
	}
	errs, err := errorsJSON(d.Errors)
	if err != nil {
		return preparedDay{}, err
	}
	flags, err := toJSON(d.Flags)
	if err != nil {
		return preparedDay{}, err
	}
	if u.Record != nil {
		d.RecordHash = u.Record.Hash()
	}
	return preparedDay{d: d, v: v, cols: dayRow{metrics: metrics, errs: errs, flags: flags}}, nil
}

// DaysOf returns an employee's stored days from `from` to `to` inclusive, by
// date (a key range: as cheap for a long history as for a short one).
func (s *Store) DaysOf(ctx context.Context, employee string, from, to day.Date) ([]Day, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+dayColumns+` FROM days
		WHERE employee = ? AND date BETWEEN ? AND ? ORDER BY date`, employee, from.String(), orMax(to))
	if err != nil {
		return nil, fmt.Errorf("store: days of %s: %w", employee, err)
	}
	defer func() { _ = rows.Close() }()
	var out []Day
	var sc dayScan
	for rows.Next() {
		d, err := sc.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: days of %s: %w", employee, err)
	}
	return out, nil
}

// FirstDate returns the earliest date any employee-day is stored for: the day
// dayreport started keeping this team's days. ok is false on an empty store.
func (s *Store) FirstDate(ctx context.Context) (day.Date, bool, error) {
	return s.dateBound(ctx, "MIN")
}

// LastDate returns the newest date any employee-day is stored for.
func (s *Store) LastDate(ctx context.Context) (day.Date, bool, error) {
	return s.dateBound(ctx, "MAX")
}

// dateBound is MIN or MAX of the stored dates (one seek on the date index).
func (s *Store) dateBound(ctx context.Context, agg string) (day.Date, bool, error) {
	var d sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT `+agg+`(date) FROM days`).Scan(&d); err != nil {
		return day.Date{}, false, fmt.Errorf("store: %s date: %w", strings.ToLower(agg), err)
	}
	if !d.Valid {
		return day.Date{}, false, nil
	}
	date, err := parseDate(d.String)
	return date, err == nil, err
}
