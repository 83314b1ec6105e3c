package builtin_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		tbl := newMemTable()
		return &crmtest.Harness{Adapter: builtin.New(tbl), Objects: tbl.objects, Delete: tbl.delete}
	})
}

var date = day.New(2026, time.November, 26)

func rec(employee string) crm.Record {
	return crmtest.Record(employee, date, report.Submitted, map[string]float64{"new_calls": 20})
}

func TestNameAndBatch(t *testing.T) {
	t.Parallel()
	a := builtin.New(newMemTable())
	require.Equal(t, "builtin", a.Name())
	require.Equal(t, 500, a.MaxBatch())
}

func TestStoresJSONAndGets(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tbl := newMemTable()
	a := builtin.New(tbl)
	r := rec("ivanov")
	r.Notes = "заметки"
	res := a.Upsert(ctx, []crm.Push{{Record: r}})
	require.Len(t, res, 1)
	require.NoError(t, res[0].Err)

	id, got, ok, err := a.Get(ctx, r.Key)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, res[0].ObjectID, id)
	require.Equal(t, r, got, "the record round-trips through JSON")

	_, _, ok, err = a.Get(ctx, crm.Key("nobody", date))
	require.NoError(t, err)
	require.False(t, ok)
}

func TestIdenticalPushKeepsRevision(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	tbl := newMemTable()
	a := builtin.New(tbl)
	r := rec("ivanov")
	for range 3 {
		require.NoError(t, a.Upsert(ctx, []crm.Push{{Record: r}})[0].Err)
	}
	require.Equal(t, 1, tbl.revision(r.Key), "the same bytes every time")
	r.Metrics["new_calls"]++
	require.NoError(t, a.Upsert(ctx, []crm.Push{{Record: r}})[0].Err)
	require.Equal(t, 2, tbl.revision(r.Key))
}

func TestOneFailureDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	tbl := newMemTable()
	bad := rec("petrov").Key
	tbl.fail = func(key string) error {
		if key == bad {
			return errors.New("constraint failed: CHECK constraint failed: record (275)")
		}
		return nil
	}
	res := builtin.New(tbl).Upsert(t.Context(), []crm.Push{{Record: rec("ivanov")}, {Record: rec("petrov")}, {Record: rec("sidorov")}})
	require.Len(t, res, 3)
	require.NoError(t, res[0].Err)
	require.Error(t, res[1].Err)
	require.False(t, crm.IsRetryable(res[1].Err))
	require.Contains(t, res[1].Err.Error(), bad, "the error names the record")
	require.NoError(t, res[2].Err)
	require.NotEqual(t, res[0].ObjectID, res[2].ObjectID)
}

func TestInvalidRecordsArePermanent(t *testing.T) {
	t.Parallel()
	nan := rec("ivanov")
	nan.Metrics["new_calls"] = math.NaN()
	res := builtin.New(newMemTable()).Upsert(t.Context(), []crm.Push{{Record: crm.Record{}}, {Record: nan}})
	for i, r := range res {
		require.Error(t, r.Err, "push %d", i)
		require.False(t, crm.IsRetryable(r.Err), "push %d: %v", i, r.Err)
	}
}

func TestNoTable(t *testing.T) {
	t.Parallel()
	res := builtin.New(nil).Upsert(t.Context(), []crm.Push{{Record: rec("ivanov")}})
	require.Error(t, res[0].Err)
	require.False(t, crm.IsRetryable(res[0].Err))
	_, _, _, err := builtin.New(nil).Get(t.Context(), "k")
	require.Error(t, err)
}

func TestCancelMidBatch(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	tbl := newMemTable()
	tbl.fail = func(string) error {
		cancel() // the first write lands, then the caller gives up
		return nil
	}
	res := builtin.New(tbl).Upsert(ctx, []crm.Push{{Record: rec("a")}, {Record: rec("b")}, {Record: rec("c")}})
	require.NoError(t, res[0].Err)
	for _, r := range res[1:] {
		require.ErrorIs(t, r.Err, context.Canceled)
		require.Empty(t, r.ObjectID)
	}
	require.Equal(t, 1, tbl.upserts, "nothing is written after the cancel")
}

// codeError looks like a modernc.org/sqlite error.
type codeError struct {
	code int
	msg  string
}

func (e *codeError) Error() string { return e.msg }
func (e *codeError) Code() int     { return e.code }

func TestClassification(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err       error
		retryable bool
		after     time.Duration
	}{
		{&codeError{5, "database is locked (5) (SQLITE_BUSY)"}, true, 0},
		{&codeError{6, "database table is locked (6)"}, true, 0},
		{&codeError{13, "database or disk is full (13)"}, true, 0},
		{&codeError{266, "disk I/O error (266)"}, true, 0}, // SQLITE_IOERR_READ
		{&codeError{2067, "constraint failed: UNIQUE constraint failed: crm_records.key (2067)"}, false, 0},
		{&codeError{8, "attempt to write a readonly database (8)"}, false, 0},
		{&codeError{11, "database disk image is malformed (11)"}, false, 0},
		{&codeError{1, "SQL logic error: no such table: crm_records (1)"}, false, 0},
		{errors.New("database is locked"), true, 0},
		{errors.New("SQLITE_BUSY"), true, 0},
		{errors.New("database or disk is full"), true, 0},
		{errors.New("something nobody expected"), true, 0},
		{errors.New("NOT NULL constraint failed: crm_records.record"), false, 0},
		{errors.New("sql: database is closed"), false, 0},
		{errors.New("attempt to write a readonly database"), false, 0},
		{fmt.Errorf("store: %w", context.DeadlineExceeded), true, 0},
		{fmt.Errorf("store: %w", context.Canceled), false, 0},
		{crm.RetryableError(errors.New("already classified"), time.Second), true, time.Second},
		{crm.PermanentError(errors.New("already classified")), false, 0},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			t.Parallel()
			tbl := newMemTable()
			tbl.fail = func(string) error { return tc.err }
			res := builtin.New(tbl).Upsert(t.Context(), []crm.Push{{Record: rec("ivanov")}})
			require.Error(t, res[0].Err)
			require.ErrorIs(t, res[0].Err, tc.err, "the table's error is wrapped, not replaced")
			require.Equal(t, tc.retryable, crm.IsRetryable(res[0].Err), "%v", res[0].Err)
			require.Equal(t, tc.after, crm.RetryAfter(res[0].Err))
			require.Contains(t, res[0].Err.Error(), "builtin: ")
		})
	}
}

func TestCanceledDriverErrorIsNotRetryable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	tbl := newMemTable()
	tbl.fail = func(string) error {
		cancel()
		return &codeError{9, "interrupted (9)"}
	}
	res := builtin.New(tbl).Upsert(ctx, []crm.Push{{Record: rec("ivanov")}})
	require.ErrorIs(t, res[0].Err, context.Canceled)
	require.False(t, crm.IsRetryable(res[0].Err))
}
