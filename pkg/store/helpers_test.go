package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 11, 26, 18, 30, 0, 123456789, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

var testDate = day.MustParse("2026-11-26")

func memStore(t testing.TB, c *clock) *Store {
	t.Helper()
	opts := Options{}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := Open(context.Background(), Memory, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func fileStore(t testing.TB, path string, c *clock) *Store {
	t.Helper()
	opts := Options{}
	if c != nil {
		opts.Now = c.Now
	}
	s, err := Open(context.Background(), path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func tempDB(t testing.TB) string { return filepath.Join(t.TempDir(), "state.db") }

// rec is a CRM record of an employee-day with one metric.
func rec(employee string, d day.Date, calls float64) crm.Record {
	return crm.Record{
		Key: crm.Key(employee, d), Employee: employee, Date: d, Status: report.Submitted,
		Metrics: map[string]float64{"new_calls": calls}, SourceURL: "file:///" + employee + ".txt",
	}
}

// update is the DayUpdate of a submitted report whose content is calls.
func update(employee string, d day.Date, calls float64) DayUpdate {
	r := rec(employee, d, calls)
	text := fmt.Sprintf("%s\nНовые звонки: %v", d, calls)
	return DayUpdate{
		Adapter: "builtin",
		Day:     Day{Employee: employee, Date: d, Status: report.Submitted, Metrics: r.Metrics, SourceURL: r.SourceURL},
		Version: &Version{ContentHash: fmt.Sprintf("h-%v", calls), Valid: true, Metrics: r.Metrics, Text: text},
		Record:  &r,
	}
}

func count(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, s.db.QueryRowContext(context.Background(), query, args...).Scan(&n))
	return n
}

// seedDays bulk-inserts n employee-days (1000 employees per date from
// 2020-01-01 on) in one statement, for the streaming tests and benchmarks.
func seedDays(t testing.TB, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO days (employee, date, status, metrics, notes, errors, flags, updated_at)
			SELECT printf('emp%04d', i % 1000), date('2020-01-01', '+' || (i / 1000) || ' days'), 'submitted',
				json_object('new_calls', i % 97, 'repeat_calls', i % 13, 'payments', i % 5),
				'notes of the day', '[]', '[]', ?
			FROM seq`, n, fmtTime(s.now()))
		return err
	}))
}
