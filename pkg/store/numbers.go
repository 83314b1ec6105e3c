package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// numberSlots is how many metric columns day_numbers has (migration 005).
const numberSlots = 32

// slotColumns is "v0, v1, …, v31".
var slotColumns = func() string {
	cols := make([]string, numberSlots)
	for i := range cols {
		cols[i] = "v" + strconv.Itoa(i)
	}
	return strings.Join(cols, ", ")
}()

// slots reads the metric → column map inside tx.
func slots(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT metric, slot FROM metric_slots`)
	if err != nil {
		return nil, fmt.Errorf("store: metric slots: %w", err)
	}
	defer func() { _ = rows.Close() }()
	return scanSlots(rows)
}

// scanSlots reads metric_slots rows (database/sql's or pgx's).
func scanSlots(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) (map[string]int, error) {
	out := map[string]int{}
	for rows.Next() {
		var (
			m string
			i int
		)
		if err := rows.Scan(&m, &i); err != nil {
			return nil, fmt.Errorf("store: metric slots: %w", err)
		}
		out[m] = i
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: metric slots: %w", err)
	}
	return out, nil
}

// putNumbers writes the day's numbers into day_numbers, giving a metric seen
// for the first time the next free column. Slots are read inside the
// transaction: another process may have added one since.
func (s *Store) putNumbers(ctx context.Context, tx *txn, d Day) error {
	have, err := slots(ctx, tx)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(d.Metrics)) {
		if _, ok := have[k]; ok || len(have) >= numberSlots {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO metric_slots (metric, slot) VALUES (?, ?)`, k, len(have)); err != nil {
			return fmt.Errorf("store: metric slot for %s: %w", k, err)
		}
		have[k] = len(have)
	}
	// The status is part of the key: a day whose status changed is a new row.
	if _, err := tx.ExecContext(ctx, `DELETE FROM day_numbers WHERE employee = ? AND date = ?`, d.Employee, d.Date.String()); err != nil {
		return fmt.Errorf("store: day numbers: %w", err)
	}
	args := make([]any, 3+numberSlots)
	args[0], args[1], args[2] = d.Employee, string(d.Status), d.Date.String()
	for k, v := range d.Metrics {
		if i, ok := have[k]; ok {
			args[3+i] = v
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO day_numbers (employee, status, date, `+slotColumns+`)
		VALUES (?, ?, ?`+strings.Repeat(", ?", numberSlots)+`)`, args...)
	if err != nil {
		return fmt.Errorf("store: day numbers: %w", err)
	}
	return nil
}

// SumsQuery asks for the totals of a window.
type SumsQuery struct {
	From, To day.Date
	// Counted are the statuses whose numbers count (submitted and late):
	// absent and invalid days are no data, not zeros.
	Counted []report.Status
	// Metrics are the metric keys to sum.
	Metrics []string
	// Rating and Weight name the averaged metric and its weight (Weight ""
	// weighs each rated day 1). Rating "" skips the average.
	Rating, Weight string
}

// Sums is what one employee's days of a window add up to.
type Sums struct {
	Employee string
	// Statuses counts every stored day of the window by status.
	Statuses map[report.Status]int
	// Days counts the days with a counted status.
	Days int
	// Metrics sums each asked metric over the counted days (a metric never
	// given is absent from the map).
	Metrics map[string]float64
	// RatingSum is Σ rating × weight, RatingWeight Σ weight, over counted
	// days with a rating and a positive weight.
	RatingSum, RatingWeight float64
}

// counted is the condition on the status of q's counted statuses and its
// arguments (none when no status counts).
func (q SumsQuery) counted() (string, []any) {
	statuses := make([]any, 0, len(q.Counted))
	for _, st := range q.Counted {
		statuses = append(statuses, string(st))
	}
	if len(statuses) == 0 {
		return "", nil
	}
	return `status IN (?` + strings.Repeat(", ?", len(statuses)-1) + `)`, statuses
}

// sumColumns splits metrics into those with a column of day_numbers (the
// SUM of each, and the metric) and those without (spills).
func sumColumns(have map[string]int, metrics []string) (exprs, asked, spills []string) {
	for _, m := range metrics {
		if i, ok := have[m]; ok {
			exprs = append(exprs, "SUM(v"+strconv.Itoa(i)+")")
			asked = append(asked, m)
		} else {
			spills = append(spills, m)
		}
	}
	return exprs, asked, spills
}

// Sums adds up every employee's days in the window inside SQLite, in one scan
// in key order (employee, status): no sort, and memory holds one row per
// employee and status whatever the number of days.
func (s *Store) Sums(ctx context.Context, q SumsQuery) ([]Sums, error) {
	have, err := slots(ctx, s.db)
	if err != nil {
		return nil, err
	}
	exprs, asked, spills := sumColumns(have, q.Metrics)
	rating, weight := "NULL", "NULL"
	if i, ok := have[q.Rating]; ok {
		r, w := "v"+strconv.Itoa(i), "1.0"
		if q.Weight != "" {
			w = "NULL"
			if j, ok := have[q.Weight]; ok {
				w = "v" + strconv.Itoa(j)
			}
		}
		// Counts are never negative: a weight of 0 adds 0 to both sums.
		rating = "SUM(" + r + " * " + w + ")"
		weight = "SUM(CASE WHEN " + r + " IS NOT NULL THEN " + w + " END)"
	}
	exprs = append(exprs, rating, weight)
	// One scan in key order; the date is a filter, not a seek: a window of a
	// few weeks over years of days still reads every row once (0.15 s per
	// million), which keeps the plan the same for every window.
	query := `SELECT employee, status, COUNT(*), ` + strings.Join(exprs, ", ") + `
		FROM day_numbers WHERE ` + s.db.d.noIndex("date") + ` BETWEEN ? AND ?
		GROUP BY employee, status ORDER BY employee, status`
	rows, err := s.db.QueryContext(ctx, query, q.From.String(), orMax(q.To))
	if err != nil {
		return nil, fmt.Errorf("store: sums: %w", err)
	}
	defer func() { _ = rows.Close() }()
	counted := map[report.Status]bool{}
	for _, st := range q.Counted {
		counted[st] = true
	}
	var out []Sums
	vals := make([]sql.NullFloat64, len(exprs))
	dest := make([]any, 3+len(exprs))
	for i := range vals {
		dest[3+i] = &vals[i]
	}
	for rows.Next() {
		var (
			emp, status string
			n           int
		)
		dest[0], dest[1], dest[2] = &emp, &status, &n
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: sums: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Employee != emp {
			out = append(out, Sums{Employee: emp, Statuses: map[report.Status]int{}, Metrics: map[string]float64{}})
		}
		cur := &out[len(out)-1]
		st := report.Status(status)
		cur.Statuses[st] += n
		if !counted[st] {
			continue
		}
		cur.Days += n
		for i, m := range asked {
			if vals[i].Valid {
				cur.Metrics[m] += vals[i].Float64
			}
		}
		cur.RatingSum += vals[len(asked)].Float64
		cur.RatingWeight += vals[len(asked)+1].Float64
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sums: %w", err)
	}
	// A metric without a column while columns are free was never stored
	// with a number: every write gives a metric it has not seen a free
	// column in its own transaction, and migration 005 gave one to every
	// metric stored before it. Its sum is nothing, and the scan of every
	// day's JSON that looks for it would find nothing (a funnel stage no
	// one has reported yet cost two such scans per summary: 0.2 CPU-s at
	// 10 000 employees).
	if len(spills) > 0 && len(have) >= numberSlots {
		if err := s.spilledSums(ctx, q, spills, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// spilledSums adds metrics that have no column (past the 32nd) from the JSON
// of days: slower, and only ever needed by a very large template.
func (s *Store) spilledSums(ctx context.Context, q SumsQuery, metrics []string, out []Sums) error {
	byEmp := map[string]*Sums{}
	for i := range out {
		byEmp[out[i].Employee] = &out[i]
	}
	return s.spilled(ctx, q, metrics, "employee", func(emp, m string, v float64) error {
		if e, ok := byEmp[emp]; ok {
			e.Metrics[m] += v
		}
		return nil
	})
}

// spilled sums each of metrics from the JSON of the days of q's window and
// counted statuses, grouped by the column group, and gives add each sum.
func (s *Store) spilled(ctx context.Context, q SumsQuery, metrics []string, group string, add func(group, metric string, v float64) error) error {
	in, statuses := q.counted()
	if len(statuses) == 0 {
		return nil
	}
	number, keyArg := s.db.d.jsonNumber("metrics")
	for _, m := range metrics {
		args := append([]any{keyArg(m), q.From.String(), orMax(q.To)}, statuses...)
		rows, err := s.db.QueryContext(ctx, `SELECT `+group+`, SUM(`+number+`) FROM days
			WHERE date BETWEEN ? AND ? AND `+in+` GROUP BY `+group, args...)
		if err != nil {
			return fmt.Errorf("store: sums of %s: %w", m, err)
		}
		for rows.Next() {
			var (
				g string
				v sql.NullFloat64
			)
			if err := rows.Scan(&g, &v); err != nil {
				_ = rows.Close()
				return fmt.Errorf("store: sums of %s: %w", m, err)
			}
			if !v.Valid {
				continue
			}
			if err := add(g, m, v.Float64); err != nil {
				_ = rows.Close()
				return err
			}
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: sums of %s: %w", m, err)
		}
	}
	return nil
}

func orMax(d day.Date) string {
	if d.IsZero() {
		return maxDate
	}
	return d.String()
}

// DateSums is what the counted days of one date add up to, the whole team's.
type DateSums struct {
	Date day.Date
	// Metrics sums each asked metric (a metric never given is absent).
	Metrics map[string]float64
}

// DateSums adds up q's metrics over the days of q.Counted statuses from
// q.From to q.To, date by date (q.Rating and q.Weight are not used): one
// scan of the table and a row per date, where the trend's twelve weeks
// took twelve scans and 10 000 rows each (one per employee) to add up.
func (s *Store) DateSums(ctx context.Context, q SumsQuery) ([]DateSums, error) {
	if len(q.Counted) == 0 {
		return nil, nil
	}
	have, err := slots(ctx, s.db)
	if err != nil {
		return nil, err
	}
	exprs, asked, spills := sumColumns(have, q.Metrics)
	if len(exprs) == 0 {
		exprs = append(exprs, "NULL")
	}
	in, statuses := q.counted()
	rows, err := s.db.QueryContext(ctx, `SELECT date, `+strings.Join(exprs, ", ")+` FROM day_numbers
		WHERE `+s.db.d.noIndex("date")+` BETWEEN ? AND ? AND `+in+` GROUP BY date ORDER BY date`,
		append([]any{q.From.String(), orMax(q.To)}, statuses...)...)
	if err != nil {
		return nil, fmt.Errorf("store: sums by date: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []DateSums
	vals := make([]sql.NullFloat64, len(exprs))
	dest := make([]any, 1+len(exprs))
	for i := range vals {
		dest[1+i] = &vals[i]
	}
	for rows.Next() {
		var date string
		dest[0] = &date
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: sums by date: %w", err)
		}
		d, err := parseDate(date)
		if err != nil {
			return nil, err
		}
		ds := DateSums{Date: d, Metrics: map[string]float64{}}
		for i, m := range asked {
			if vals[i].Valid {
				ds.Metrics[m] = vals[i].Float64
			}
		}
		out = append(out, ds)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sums by date: %w", err)
	}
	// As in Sums: a metric without a column while columns are free was
	// never stored.
	if len(spills) > 0 && len(have) >= numberSlots {
		if err := s.spilledDateSums(ctx, q, spills, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// spilledDateSums adds metrics that have no column from the JSON of days.
func (s *Store) spilledDateSums(ctx context.Context, q SumsQuery, metrics []string, out []DateSums) error {
	byDate := map[day.Date]*DateSums{}
	for i := range out {
		byDate[out[i].Date] = &out[i]
	}
	return s.spilled(ctx, q, metrics, "date", func(date, m string, v float64) error {
		d, err := parseDate(date)
		if err != nil {
			return err
		}
		if ds, ok := byDate[d]; ok {
			ds.Metrics[m] += v
		}
		return nil
	})
}
