package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// TestChangeCount: every write to the days, the push log, the outbox, the
// documents' last reads and the employees' first days moves the count that
// another Store on the same file reads (as another process would), whoever
// writes and however (the store's own methods, or plain SQL); the pass
// history, a write that changes nothing, a rolled-back write and a
// pusher's claim on an outbox record (nothing a pass reads of it) do not.
// PostgreSQL keeps no count.
func TestChangeCount(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		where := sharedDB(t)
		c := newClock()
		reader, writer := openShared(t, where, c), openShared(t, where, c)
		if isPostgres(t) {
			_, ok, err := reader.ChangeCount(ctx)
			require.NoError(t, err)
			require.False(t, ok, "PostgreSQL keeps no count")
			return
		}
		count := func() ChangeCount {
			t.Helper()
			got, ok, err := reader.ChangeCount(ctx)
			require.NoError(t, err)
			require.True(t, ok)
			return got
		}
		last := count()
		moved := func(what string, write func() error) {
			t.Helper()
			require.NoError(t, write(), what)
			now := count()
			require.NotEqual(t, last, now, "%s moves the count", what)
			last = now
		}
		stays := func(what string, write func() error) {
			t.Helper()
			require.NoError(t, write(), what)
			require.Equal(t, last, count(), "%s leaves the count", what)
		}

		stays("a pass's start and end", func() error {
			id, err := writer.StartPass(ctx, "sync", testDate)
			if err != nil {
				return err
			}
			return writer.FinishPass(ctx, id, "ok", map[string]string{"x": "y"}, "")
		})
		moved("a newcomer's first day", func() error {
			return writer.NoteSince(ctx, map[string]day.Date{"ivanov": testDate})
		})
		stays("a later first day (nothing written)", func() error {
			return writer.NoteSince(ctx, map[string]day.Date{"ivanov": testDate.AddDays(3)})
		})
		moved("a document read", func() error {
			return writer.SaveDocument(ctx, "ivanov", DocumentState{Revision: "ivanov.txt@1/10", ContentHash: "h1"})
		})
		moved("the same document read again", func() error {
			return writer.SaveDocument(ctx, "ivanov", DocumentState{Revision: "ivanov.txt@1/10", ContentHash: "h1"})
		})
		moved("a day with its record queued", func() error {
			_, err := writer.SaveDay(ctx, update("ivanov", testDate, 20))
			return err
		})
		outbox, err := writer.Outbox(ctx, "builtin")
		require.NoError(t, err)
		require.Len(t, outbox, 1)
		stays("a pusher's claim on the record", func() error {
			_, err := writer.ClaimOutbox(ctx, "builtin", "replica-1", 10, time.Minute)
			return err
		})
		moved("the record pushed", func() error {
			return writer.MarkPushed(ctx, "builtin", outbox[0].Key, outbox[0].Hash, "obj-1")
		})
		moved("an absent day", func() error {
			_, err := writer.SaveDay(ctx, DayUpdate{Day: Day{Employee: "petrova", Date: testDate, Status: report.Absent}})
			return err
		})
		for _, q := range []string{
			`UPDATE days SET notes = 'edited by hand' WHERE employee = 'ivanov'`,
			`UPDATE crm_objects SET record_hash = 'other'`,
			`DELETE FROM documents`,
			`DELETE FROM employee_since`,
			`DELETE FROM days WHERE employee = 'petrova'`,
		} {
			moved(q, func() error { _, err := writer.db.ExecContext(ctx, q); return err })
		}
		moved("another day queued", func() error {
			_, err := writer.SaveDay(ctx, update("sidorov", testDate, 5))
			return err
		})
		moved("its record's hash changed in the outbox", func() error {
			_, err := writer.db.ExecContext(ctx, `UPDATE outbox SET hash = 'h2'`)
			return err
		})
		stays("an update of no row", func() error {
			_, err := writer.db.ExecContext(ctx, `UPDATE days SET notes = 'x' WHERE employee = 'nobody'`)
			return err
		})
		stays("a rolled-back write", func() error {
			tx, err := writer.db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE days SET notes = 'never'`); err != nil {
				return err
			}
			return tx.Rollback()
		})

		// Another database at the same place counts from another epoch.
		other := fileStore(t, tempDB(t), c)
		o, ok, err := other.ChangeCount(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		require.NotEqual(t, last.epoch, o.epoch)
	})
}
