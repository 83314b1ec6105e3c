package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

func TestMarkPushedStaleHashKeepsNewerRecord(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		items, err := s.DueOutbox(ctx, "builtin", 0)
		require.NoError(t, err)
		require.Len(t, items, 1)
		inFlight := items[0]
		require.Empty(t, inFlight.ObjectID)

		// The report changes while the old record is being pushed.
		res, err := s.SaveDay(ctx, update("ivanov", testDate, 25))
		require.NoError(t, err)
		require.True(t, res.Enqueued)
		require.NoError(t, s.MarkPushed(ctx, "builtin", inFlight.Key, inFlight.Hash, "obj-7"))

		items, err = s.Outbox(ctx, "builtin")
		require.NoError(t, err)
		require.Len(t, items, 1, "the newer record stays queued")
		require.Equal(t, rec("ivanov", testDate, 25).Hash(), items[0].Hash)
		require.Equal(t, "obj-7", items[0].ObjectID, "and knows its CRM object now")
		id, err := s.ObjectID(ctx, "builtin", inFlight.Key)
		require.NoError(t, err)
		require.Equal(t, "obj-7", id)

		require.NoError(t, s.MarkPushed(ctx, "builtin", items[0].Key, items[0].Hash, "obj-7"))
		n, err := s.OutboxDepth(ctx, "builtin")
		require.NoError(t, err)
		require.Zero(t, n)
		// Pushing the older content again would be a change now: queued.
		res, err = s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.True(t, res.Enqueued)
	})
}

func TestMarkPushedIsOneTransaction(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		items, err := s.DueOutbox(ctx, "builtin", 0)
		require.NoError(t, err)
		crash := errors.New("crash")
		s.failAt = func(p string) error {
			if p == "pushlog" {
				return crash
			}
			return nil
		}
		require.ErrorIs(t, s.MarkPushed(ctx, "builtin", items[0].Key, items[0].Hash, "obj-1"), crash)
		id, err := s.ObjectID(ctx, "builtin", items[0].Key)
		require.NoError(t, err)
		require.Empty(t, id, "no push log without the outbox delete")
		n, err := s.OutboxDepth(ctx, "builtin")
		require.NoError(t, err)
		require.Equal(t, 1, n)
	})
}

func TestMarkFailed(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		old := rec("ivanov", testDate, 20)
		_, err = s.SaveDay(ctx, update("ivanov", testDate, 25))
		require.NoError(t, err)
		cur := rec("ivanov", testDate, 25)

		require.NoError(t, s.MarkFailed(ctx, "builtin", old.Key, old.Hash(), "stale", c.Now().Add(time.Hour)))
		items, err := s.Outbox(ctx, "builtin")
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Zero(t, items[0].Attempts, "a stale hash changes nothing")
		require.Empty(t, items[0].LastError)

		next := c.Now().Add(time.Hour)
		require.NoError(t, s.MarkFailed(ctx, "builtin", cur.Key, cur.Hash(), "503 QUERY_LIMIT_EXCEEDED", next))
		require.NoError(t, s.MarkFailed(ctx, "builtin", cur.Key, cur.Hash(), "503 again", next))
		items, err = s.Outbox(ctx, "builtin")
		require.NoError(t, err)
		require.Equal(t, 2, items[0].Attempts)
		require.Equal(t, "503 again", items[0].LastError)
		require.Equal(t, next, items[0].NextAttempt)

		// A newer record resets the attempts and is due at once.
		_, err = s.SaveDay(ctx, update("ivanov", testDate, 30))
		require.NoError(t, err)
		due, err := s.DueOutbox(ctx, "builtin", 0)
		require.NoError(t, err)
		require.Len(t, due, 1)
		require.Zero(t, due[0].Attempts)
		require.Empty(t, due[0].LastError)
	})
}

func TestDueOutboxRespectsNextAttempt(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)
		emps := []string{"a", "b", "c", "d"}
		for _, e := range emps {
			_, err := s.SaveDay(ctx, update(e, testDate, 1))
			require.NoError(t, err)
			c.Add(time.Second)
		}
		// a: retry in 10 min; b: in 5 min; c, d: due.
		for e, wait := range map[string]time.Duration{"a": 10 * time.Minute, "b": 5 * time.Minute} {
			r := rec(e, testDate, 1)
			require.NoError(t, s.MarkFailed(ctx, "builtin", r.Key, r.Hash(), "timeout", c.Now().Add(wait)))
		}
		keys := func(limit int) []string {
			items, err := s.DueOutbox(ctx, "builtin", limit)
			require.NoError(t, err)
			var out []string
			for _, it := range items {
				out = append(out, it.Record.Employee)
			}
			return out
		}
		tests := []struct {
			advance time.Duration
			limit   int
			want    []string
		}{
			{0, 0, []string{"c", "d"}},
			{0, 1, []string{"c"}},
			{5 * time.Minute, 0, []string{"c", "d", "b"}},
			{5 * time.Minute, 0, []string{"c", "d", "b", "a"}},
		}
		for i, tc := range tests {
			c.Add(tc.advance)
			require.Equal(t, tc.want, keys(tc.limit), "case %d", i)
		}
		n, err := s.OutboxDepth(ctx, "builtin")
		require.NoError(t, err)
		require.Equal(t, 4, n)
		due, err := s.DueOutbox(ctx, "webhook", 0)
		require.NoError(t, err)
		require.Empty(t, due, "per adapter")
	})
}

func TestOutboxPerAdapter(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		for _, a := range []string{"builtin", "webhook"} {
			u := update("ivanov", testDate, 20)
			u.Adapter = a
			res, err := s.SaveDay(ctx, u)
			require.NoError(t, err)
			require.True(t, res.Enqueued, a)
		}
		for adapter, want := range map[string]int{"": 2, "builtin": 1, "webhook": 1, "hubspot": 0} {
			n, err := s.OutboxDepth(ctx, adapter)
			require.NoError(t, err)
			require.Equal(t, want, n, adapter)
			items, err := s.Outbox(ctx, adapter)
			require.NoError(t, err)
			require.Len(t, items, want, adapter)
		}
	})
}

func TestForgetObjectRequeues(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		r := rec("ivanov", testDate, 20)
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.NoError(t, s.MarkPushed(ctx, "builtin", r.Key, r.Hash(), "obj-1"))
		res, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.True(t, res.Unchanged)

		require.NoError(t, s.ForgetObject(ctx, "builtin", r.Key))
		id, err := s.ObjectID(ctx, "builtin", r.Key)
		require.NoError(t, err)
		require.Empty(t, id)
		res, err = s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		require.True(t, res.Enqueued, "the CRM lost it: push again")
	})
}

func TestOutboxRecordRoundTrip(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		reported := 40.0
		r := rec("ivanov", testDate, 40)
		r.EmployeeName, r.CRMUserID, r.Notes = "Иван Иванов", "17", "note"
		r.Errors = []string{"line 3: не число"}
		r.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &reported, Message: "m"}}
		u := update("ivanov", testDate, 40)
		u.Record = &r
		_, err := s.SaveDay(ctx, u)
		require.NoError(t, err)
		items, err := s.DueOutbox(ctx, "builtin", 1)
		require.NoError(t, err)
		require.Equal(t, r, items[0].Record)
		require.Equal(t, r.Hash(), items[0].Hash)
	})
}

// TestOutboxKnowsWhatWasNeverSent: a key queued for the first time is New;
// once claimed it is sent for good, even when a newer record replaces the
// pending one or the claim is released unpushed; a key the push log holds
// an object for is never New.
func TestOutboxKnowsWhatWasNeverSent(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		_, err = s.SaveDay(ctx, update("petrov", testDate, 20))
		require.NoError(t, err)
		due, err := s.DueOutbox(ctx, "builtin", 0)
		require.NoError(t, err)
		require.Len(t, due, 2)
		require.True(t, due[0].New && due[1].New, "nothing was sent yet")

		claimed, err := s.ClaimOutbox(ctx, "builtin", "host-a", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, claimed, 2)
		require.True(t, claimed[0].New && claimed[1].New, "the claim returns what it found")
		// ivanov's push is pushed; petrov's answer is lost: released, not marked.
		require.NoError(t, s.MarkPushed(ctx, "builtin", claimed[0].Key, claimed[0].Hash, "obj-1"))
		require.NoError(t, s.ReleaseClaims(ctx, "builtin", "host-a"))
		// Both reports change.
		_, err = s.SaveDay(ctx, update("ivanov", testDate, 21))
		require.NoError(t, err)
		_, err = s.SaveDay(ctx, update("petrov", testDate, 21))
		require.NoError(t, err)
		again, err := s.ClaimOutbox(ctx, "builtin", "host-a", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, again, 2)
		for _, it := range again {
			require.False(t, it.New, "%s was sent before: looked up, not blindly created", it.Key)
		}
		require.Equal(t, "obj-1", again[0].ObjectID)
	})
}

// TestBatchedPushWrites: the builtin CRM's objects and the push log of a
// batch are written in one transaction each, with MarkPushed's and
// BuiltinUpsert's rules: a key keeps its object id, unchanged bytes keep
// the revision, and a record queued meanwhile for a key stays queued.
func TestBatchedPushWrites(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		keys := []string{"k1", "k2", "k3"}
		ids, err := s.BuiltinUpsertMany(ctx, keys, [][]byte{[]byte(`{"a":1}`), []byte(`{"a":2}`), []byte(`{"a":3}`)})
		require.NoError(t, err)
		require.Len(t, ids, 3)
		again, err := s.BuiltinUpsertMany(ctx, keys, [][]byte{[]byte(`{"a":1}`), []byte(`{"a":20}`), []byte(`{"a":3}`)})
		require.NoError(t, err)
		require.Equal(t, ids, again, "a key keeps its object")
		same, err := s.BuiltinUpsertMany(ctx, keys, [][]byte{[]byte(`{"a":1}`), []byte(`{"a":20}`), []byte(`{"a":3}`)})
		require.NoError(t, err)
		require.Equal(t, ids, same, "nothing to write")
		for i, k := range keys {
			id, rec, rev, ok, err := s.BuiltinGet(ctx, k)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, ids[i], id)
			want := 1
			if k == "k2" {
				want = 2
				require.JSONEq(t, `{"a":20}`, string(rec))
			}
			require.Equal(t, want, rev, k)
		}
		_, err = s.BuiltinUpsertMany(ctx, []string{"k4", ""}, [][]byte{[]byte(`{}`), []byte(`{}`)})
		require.Error(t, err)
		_, _, _, ok, err := s.BuiltinGet(ctx, "k4")
		require.NoError(t, err)
		require.False(t, ok, "all or nothing")
		dup, err := s.BuiltinUpsertMany(ctx, []string{"k5", "k1", "k5"}, [][]byte{[]byte(`{"a":5}`), []byte(`{"a":1}`), []byte(`{"a":6}`)})
		require.NoError(t, err)
		require.Equal(t, dup[0], dup[2], "a key given twice is one object")
		require.Equal(t, ids[0], dup[1])
		_, rec, rev, _, err := s.BuiltinGet(ctx, "k5")
		require.NoError(t, err)
		require.JSONEq(t, `{"a":6}`, string(rec))
		require.Equal(t, 2, rev)

		_, err = s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		_, err = s.SaveDay(ctx, update("petrov", testDate, 20))
		require.NoError(t, err)
		items, err := s.ClaimOutbox(ctx, "builtin", "host-a", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, items, 2)
		_, err = s.SaveDay(ctx, update("petrov", testDate, 21)) // changed while being pushed
		require.NoError(t, err)
		require.NoError(t, s.MarkPushedMany(ctx, "builtin", []Pushed{
			{Key: items[0].Key, Hash: items[0].Hash, ObjectID: "obj-1"},
			{Key: items[1].Key, Hash: items[1].Hash, ObjectID: "obj-2"},
		}))
		left, err := s.Outbox(ctx, "builtin")
		require.NoError(t, err)
		require.Len(t, left, 1, "petrov's newer record stays queued")
		require.Equal(t, items[1].Key, left[0].Key)
		require.Equal(t, "obj-2", left[0].ObjectID)
		for i, it := range items {
			id, err := s.ObjectID(ctx, "builtin", it.Key)
			require.NoError(t, err)
			require.Equal(t, []string{"obj-1", "obj-2"}[i], id)
		}
	})
}
