package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store/storetest"
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

// memStore opens an empty store of the test's driver: a private in-memory
// SQLite database, or, in the "postgres" subtest of bothDrivers, a fresh
// PostgreSQL schema.
func memStore(t testing.TB, c *clock) *Store {
	t.Helper()
	opts := Options{}
	if c != nil {
		opts.Now = c.Now
	}
	if isPostgres(t) {
		return pgStore(t, storetest.Schema(t), opts)
	}
	s, err := Open(context.Background(), Memory, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// pgStore opens the PostgreSQL store of dsn (a schema of storetest).
func pgStore(t testing.TB, dsn string, opts Options) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), dsn, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// pgSlots bounds the PostgreSQL subtests running at once.
var pgSlots = make(chan struct{}, 4)

// bothDrivers runs fn as the subtests "sqlite" and "postgres" (the shared
// suite: every store behaviour holds on both). Inside fn, memStore opens a
// store of the subtest's driver. The postgres subtest skips without
// DAYREPORT_TEST_PG_DSN, except in CI (see storetest).
func bothDrivers(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			if d == "postgres" {
				storetest.DSN(t)
				// Each PostgreSQL store may hold 10 connections: bound the
				// tests running at once far below the server's 100 clients,
				// whatever -parallel is.
				pgSlots <- struct{}{}
				t.Cleanup(func() { <-pgSlots })
			}
			fn(t)
		})
	}
}

// isPostgres reports whether t runs under the "postgres" subtest of
// bothDrivers.
func isPostgres(t testing.TB) bool {
	parts := strings.Split(t.Name(), "/")
	return len(parts) > 1 && parts[1] == "postgres"
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

// sharedDB names a new, empty database of the test's driver that several
// Stores may open (as several processes would): a SQLite file, or a
// PostgreSQL schema (see bothDrivers).
func sharedDB(t testing.TB) string {
	if isPostgres(t) {
		return storetest.Schema(t)
	}
	return tempDB(t)
}

// openShared opens one more Store on a database of sharedDB.
func openShared(t testing.TB, where string, c *clock) *Store {
	t.Helper()
	if isPostgres(t) {
		opts := Options{}
		if c != nil {
			opts.Now = c.Now
		}
		return pgStore(t, where, opts)
	}
	return fileStore(t, where, c)
}

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
// 2020-01-01 on) in one statement, for the streaming tests and benchmarks:
// closed, seen, with a document and a record, as a pass leaves them.
func seedDays(t testing.TB, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	if s.db.d == postgresDialect {
		require.NoError(t, s.write(ctx, func(tx *txn) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO days (employee, date, status, metrics, notes, errors, flags, updated_at,
					closed_at, first_seen, source_url, record_hash)
				SELECT 'emp' || lpad((i % 1000)::text, 4, '0'), to_char(date '2020-01-01' + (i / 1000), 'YYYY-MM-DD'), 'submitted',
					json_build_object('new_calls', i % 97, 'repeat_calls', i % 13, 'payments', i % 5)::text,
					'notes of the day', '[]', '[]', ?, ?, ?, 'https://docs.google.com/document/d/' || i, md5(i::text)
				FROM generate_series(0, ? - 1) i`, fmtTime(s.now()), fmtTime(s.now()), fmtTime(s.now()), n)
			return err
		}))
		return
	}
	require.NoError(t, s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO days (employee, date, status, metrics, notes, errors, flags, updated_at,
				closed_at, first_seen, source_url, record_hash)
			SELECT printf('emp%04d', i % 1000), date('2020-01-01', '+' || (i / 1000) || ' days'), 'submitted',
				json_object('new_calls', i % 97, 'repeat_calls', i % 13, 'payments', i % 5),
				'notes of the day', '[]', '[]', ?, ?, ?, 'https://docs.google.com/document/d/' || i, printf('%064x', i)
			FROM seq`, n, fmtTime(s.now()), fmtTime(s.now()), fmtTime(s.now()))
		return err
	}))
}
