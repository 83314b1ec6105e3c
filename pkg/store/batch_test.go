package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// tableDump is every row of the tables a SaveDay writes, as text, in key
// order: two stores that went through the same saves dump the same.
func tableDump(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, q := range []string{
		`SELECT ` + dayColumns + ` FROM days ORDER BY employee, date`,
		`SELECT ` + versionColumns + ` FROM report_versions ORDER BY id`,
		`SELECT adapter, key, record, hash, attempts, last_error, next_attempt, enqueued_at, sent, claimed_by FROM outbox ORDER BY adapter, key`,
		`SELECT adapter, key, object_id, record_hash FROM crm_objects ORDER BY adapter, key`,
		`SELECT employee, status, date, ` + slotColumns + ` FROM day_numbers ORDER BY employee, status, date`,
		`SELECT metric, slot FROM metric_slots ORDER BY metric`,
		`SELECT employee, date, content_hash, closed_at FROM closed_versions ORDER BY employee, date`,
	} {
		rows, err := s.db.QueryContext(ctx, q)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			dest := make([]any, len(cols))
			for i := range vals {
				dest[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(dest...))
			for _, v := range vals {
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteByte('\n')
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		b.WriteString("--\n")
	}
	return b.String()
}

// batchScript is a pass-like sequence of saves: new days, a day saved
// again in the same batch, a record pushed and then changed back, a day
// with no report, closed versions, a day judged unchanged.
type batchStep struct {
	save   *DayUpdate
	closed *closedNote
	pushed bool // MarkPushed the queued records of the builtin adapter
	flush  bool
}

func batchScript() []batchStep {
	d0, d1 := testDate.AddDays(-1), testDate
	withTwo := func(u DayUpdate, extra string) DayUpdate {
		m := map[string]float64{"new_calls": u.Day.Metrics["new_calls"], extra: 3}
		u.Day.Metrics, u.Version.Metrics, u.Record.Metrics = m, m, m
		u.Version.ContentHash += extra
		return u
	}
	noReport := DayUpdate{Day: Day{Employee: "sidorov", Date: d1, Status: report.Missing, ClosedAt: testDate.Time(time.UTC).Add(20 * time.Hour)}}
	at := testDate.Time(time.UTC).Add(21 * time.Hour)
	ptr := func(u DayUpdate) *DayUpdate { return &u }
	return []batchStep{
		{save: ptr(update("ivanov", d0, 20))},
		{save: ptr(withTwo(update("ivanov", d1, 21), "payments"))},
		{closed: &closedNote{employee: "ivanov", date: d1, hash: "h-21payments", at: at}},
		{save: ptr(update("petrova", d1, 7))},
		{save: ptr(update("petrova", d1, 8))}, // again: what the batch holds is flushed first
		{save: ptr(noReport)},
		{flush: true},
		{pushed: true},
		{save: ptr(update("petrova", d1, 9))},
		{save: ptr(update("petrova", d1, 8))}, // back to what the CRM holds: nothing queued
		{save: ptr(withTwo(update("kuznetsov", d1, 1), "meetings"))},
		{closed: &closedNote{employee: "ivanov", date: d1, hash: "h-other", at: at.Add(time.Hour)}}, // the first stays
		{flush: true},
	}
}

// TestDayBatchIsSaveDay runs the same saves through SaveDay on one store
// and through a DayBatch on another: the answers and every table are the
// same.
//
// With background, each flush of the script is a Start instead (the
// batch written while the next saves are staged): the same answers and
// tables.
func TestDayBatchIsSaveDay(t *testing.T) {
	t.Parallel()
	for _, background := range []bool{false, true} {
		t.Run(fmt.Sprintf("background=%v", background), func(t *testing.T) {
			t.Parallel()
			dayBatchIsSaveDay(t, background)
		})
	}
}

func dayBatchIsSaveDay(t *testing.T, background bool) {
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		clk := newClock()
		one, batched := memStore(t, clk), memStore(t, clk)
		b := batched.NewDayBatch()
		pushAll := func(s *Store) {
			items, err := s.DueOutbox(ctx, "builtin", 0)
			require.NoError(t, err)
			for _, it := range items {
				require.NoError(t, s.MarkPushed(ctx, "builtin", it.Key, it.Hash, "obj-"+it.Key))
			}
		}
		for i, st := range batchScript() {
			switch {
			case st.save != nil:
				// A day the store does not hold is saved as the pass saves
				// it: marked New, so the batch reads nothing before staging.
				u := *st.save
				_, exists, err := one.Day(ctx, u.Day.Employee, u.Day.Date)
				require.NoError(t, err)
				u.New = !exists && u.Prior == nil
				want, err := one.SaveDay(ctx, u)
				require.NoError(t, err, "step %d", i)
				got, err := b.Save(ctx, u)
				require.NoError(t, err, "step %d", i)
				if got.NewVersion {
					got.VersionID = want.VersionID // given at Flush
				}
				require.Equal(t, want, got, "step %d", i)
			case st.closed != nil:
				c := st.closed
				require.NoError(t, one.NoteClosedVersion(ctx, c.employee, c.date, c.hash, c.at))
				b.NoteClosedVersion(c.employee, c.date, c.hash, c.at)
			case st.pushed:
				// A pass drains the outbox after its last flush, which waits
				// for a batch written in the background.
				_, err := b.Flush(ctx)
				require.NoError(t, err)
				pushAll(one)
				pushAll(batched)
			case st.flush && background:
				require.NoError(t, b.Start(ctx))
				require.Zero(t, b.Len())
			case st.flush:
				_, err := b.Flush(ctx)
				require.NoError(t, err)
				require.Zero(t, b.Len())
			}
			clk.Add(time.Minute)
		}
		_, err := b.Flush(ctx) // what is still staged or being written
		require.NoError(t, err)
		require.Equal(t, tableDump(t, one), tableDump(t, batched))

		// A day judged as it was is not staged; its answer is SaveDay's.
		prior, ok, err := batched.Day(ctx, "petrova", testDate)
		require.NoError(t, err)
		require.True(t, ok)
		u := update("petrova", testDate, 8)
		u.Prior = &prior
		u.Day.FirstSeen, u.Day.ClosedAt, u.Day.VersionID = prior.FirstSeen, prior.ClosedAt, prior.VersionID
		want, err := one.SaveDay(ctx, u)
		require.NoError(t, err)
		got, err := b.Save(ctx, u)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.True(t, got.Unchanged)
		require.Zero(t, b.Len())
	})
}

// TestDayBatchReadsSeeStaged: a read through the batch of a staged day
// sees it (the batch is flushed first); reads of other days flush nothing.
func TestDayBatchReadsSeeStaged(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		b := s.NewDayBatch()
		_, err := b.Save(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		b.NoteClosedVersion("ivanov", testDate, "h-20", testDate.Time(time.UTC))
		_, err = b.Save(ctx, update("petrova", testDate, 7))
		require.NoError(t, err)
		require.Equal(t, 2, b.Len())

		// Not staged: read from the store, nothing written yet.
		days, err := b.DaysOf(ctx, "ivanov", testDate.AddDays(-10), testDate.AddDays(-1))
		require.NoError(t, err)
		require.Empty(t, days)
		vs, err := b.Versions(ctx, "sidorov", testDate)
		require.NoError(t, err)
		require.Empty(t, vs)
		require.Equal(t, 2, b.Len())
		_, ok, err := s.Day(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.False(t, ok, "nothing is written before a flush")

		for _, read := range []func() error{
			func() error {
				days, err := b.DaysOf(ctx, "ivanov", testDate, day.Date{})
				if err == nil && len(days) != 1 {
					err = fmt.Errorf("days %v", days)
				}
				return err
			},
			func() error {
				vs, err := b.Versions(ctx, "petrova", testDate)
				if err == nil && (len(vs) != 2 || vs[1].ContentHash != "h-6") {
					err = fmt.Errorf("versions %v", vs)
				}
				return err
			},
			func() error {
				hash, _, ok, err := b.ClosedVersion(ctx, "ivanov", testDate)
				if err == nil && (!ok || hash != "h-20") {
					err = fmt.Errorf("closed version %q %v", hash, ok)
				}
				return err
			},
		} {
			require.NoError(t, read())
			require.Zero(t, b.Len(), "the read flushed the batch")
			// Stage again for the next read.
			_, err = b.Save(ctx, update("ivanov", testDate, 21))
			require.NoError(t, err)
			_, err = b.Save(ctx, update("petrova", testDate, 6))
			require.NoError(t, err)
		}
		emps, err := b.Flush(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"ivanov", "petrova"}, emps)
		n, err := s.OutboxDepth(ctx, "builtin")
		require.NoError(t, err)
		require.Equal(t, 2, n)
	})
}

// TestDayBatchIsOneTransaction fails a flush after each staged write: nothing
// of the batch is kept, the error names its employees, and the same saves
// staged again are written whole.
func TestDayBatchIsOneTransaction(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		for fail := 1; fail <= 3; fail++ {
			t.Run(fmt.Sprint(fail), func(t *testing.T) {
				s := memStore(t, nil)
				stage := func(b *DayBatch) {
					for _, e := range []string{"ivanov", "petrova"} {
						_, err := b.Save(ctx, update(e, testDate, 20))
						require.NoError(t, err)
					}
					b.NoteClosedVersion("ivanov", testDate, "h-20", testDate.Time(time.UTC))
				}
				crash := errors.New("killed")
				seen := 0
				s.failAt = func(p string) error {
					if p == "batch" {
						if seen++; seen == fail {
							return crash
						}
					}
					return nil
				}
				b := s.NewDayBatch()
				stage(b)
				emps, err := b.Flush(ctx)
				require.ErrorIs(t, err, crash)
				var fe *FlushError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, []string{"ivanov", "petrova"}, fe.Employees)
				require.Equal(t, fe.Employees, emps)
				require.Zero(t, b.Len())
				require.Zero(t, count(t, s, `SELECT count(*) FROM days`))
				require.Zero(t, count(t, s, `SELECT count(*) FROM report_versions`))
				require.Zero(t, count(t, s, `SELECT count(*) FROM outbox`))
				require.Zero(t, count(t, s, `SELECT count(*) FROM day_numbers`))
				require.Zero(t, count(t, s, `SELECT count(*) FROM closed_versions`))

				s.failAt = nil
				stage(b)
				_, err = b.Flush(ctx)
				require.NoError(t, err)
				require.Equal(t, 2, count(t, s, `SELECT count(*) FROM days`))
				require.Equal(t, 2, count(t, s, `SELECT count(*) FROM outbox`))
				require.Equal(t, 1, count(t, s, `SELECT count(*) FROM closed_versions`))
				items, err := s.DueOutbox(ctx, "builtin", 0)
				require.NoError(t, err)
				for _, it := range items {
					require.True(t, it.New, "nothing was ever sent for %s", it.Key)
					require.Equal(t, crm.Key(it.Record.Employee, testDate), it.Key)
				}
			})
		}
	})
}

// TestDayBatchStart: a batch started in the background is written while
// the next days are staged; a read of one of its days waits for it and sees
// it; a background write that fails loses all of it, and the next Flush (and
// a read that waited for it) names its employees.
func TestDayBatchStart(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		b := s.NewDayBatch()
		for _, e := range []string{"ivanov", "petrova"} {
			_, err := b.Save(ctx, update(e, testDate, 20))
			require.NoError(t, err)
		}
		require.NoError(t, b.Start(ctx))
		require.Zero(t, b.Len())
		_, err := b.Save(ctx, update("sidorov", testDate, 7))
		require.NoError(t, err)
		days, err := b.DaysOf(ctx, "ivanov", testDate, testDate)
		require.NoError(t, err)
		require.Len(t, days, 1)
		require.InDelta(t, 20, days[0].Metrics["new_calls"], 0)
		require.Equal(t, 1, b.Len(), "a read of a day written in the background does not flush what is staged")
		emps, err := b.Flush(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"sidorov"}, emps)
		require.Equal(t, 3, count(t, s, `SELECT count(*) FROM days`))

		// A background write that fails.
		crash := errors.New("killed")
		s.failAt = func(p string) error {
			if p == "batch" {
				return crash
			}
			return nil
		}
		for _, e := range []string{"kozlov", "orlova"} {
			_, err := b.Save(ctx, update(e, testDate, 5))
			require.NoError(t, err)
		}
		require.NoError(t, b.Start(ctx), "the failure is learnt later")
		_, err = b.DaysOf(ctx, "kozlov", testDate, testDate)
		var fe *FlushError
		require.ErrorAs(t, err, &fe, "a read that waited for the failed write")
		require.ErrorIs(t, err, crash)
		_, err = b.Flush(ctx)
		require.ErrorAs(t, err, &fe)
		require.Equal(t, []string{"kozlov", "orlova"}, fe.Employees)
		_, err = b.Flush(ctx)
		require.NoError(t, err, "a loss is reported once")
		require.Equal(t, 3, count(t, s, `SELECT count(*) FROM days`))
	})
}

// TestBatchCancelledBetweenStatements: a pass cancelled while its batch is
// written stops the batch at the next statement and writes none of it
// (the statements run without the cancel themselves, so SQLite's driver
// does not start a goroutine for each).
func TestBatchCancelledBetweenStatements(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		s := memStore(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		b := s.NewDayBatch()
		for _, e := range []string{"ivanov", "petrova", "sidorov"} {
			_, err := b.Save(ctx, update(e, testDate, 20))
			require.NoError(t, err)
		}
		ops := 0
		s.failAt = func(p string) error {
			if p == "batch" {
				if ops++; ops == 1 {
					cancel() // after the first employee's statements
				}
			}
			return nil
		}
		_, err := b.Flush(ctx)
		require.ErrorIs(t, err, context.Canceled)
		s.failAt = nil
		require.Zero(t, count(t, s, `SELECT count(*) FROM days`), "the batch is rolled back")
		require.Zero(t, count(t, s, `SELECT count(*) FROM outbox`))
		if s.db.d != postgresDialect {
			require.Equal(t, 1, ops, "SQLite stops at the next statement")
		}
	})
}
