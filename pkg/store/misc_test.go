package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

func TestBuiltinRecords(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)
		created := c.Now()

		steps := []struct {
			key, record  string
			wantCreated  bool
			wantRevision int
		}{
			{"dayreport:b:2026-11-26", `{"v":1}`, true, 1},
			{"dayreport:b:2026-11-26", `{"v":1}`, false, 1},
			{"dayreport:b:2026-11-26", `{"v":2}`, false, 2},
			{"dayreport:a:2026-11-26", `{"v":1}`, true, 1},
			{"dayreport:b:2026-11-26", `{"v":2}`, false, 2},
		}
		ids := map[string]string{}
		for i, st := range steps {
			c.Add(time.Second)
			id, isNew, err := s.BuiltinUpsert(ctx, st.key, []byte(st.record))
			require.NoError(t, err, "step %d", i)
			require.Equal(t, st.wantCreated, isNew, "step %d", i)
			if prev, ok := ids[st.key]; ok {
				require.Equal(t, prev, id, "%d: same key, same object", i)
			}
			ids[st.key] = id
			gotID, body, rev, ok, err := s.BuiltinGet(ctx, st.key)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, id, gotID)
			require.Equal(t, st.record, string(body))
			require.Equal(t, st.wantRevision, rev, "step %d", i)
		}
		require.NotEqual(t, ids["dayreport:a:2026-11-26"], ids["dayreport:b:2026-11-26"])

		list, err := s.BuiltinList(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, "dayreport:a:2026-11-26", list[0].Key, "by key")
		b := list[1]
		require.Equal(t, created.Add(time.Second), b.CreatedAt)
		require.Equal(t, created.Add(3*time.Second), b.UpdatedAt, "updated only when the bytes changed")

		_, _, _, ok, err := s.BuiltinGet(ctx, "nope")
		require.NoError(t, err)
		require.False(t, ok)
		_, _, err = s.BuiltinUpsert(ctx, "", []byte("{}"))
		require.Error(t, err)
	})
}

func TestFacts(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		got, err := s.Facts(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.Empty(t, got)
		require.NoError(t, s.PutFacts(ctx, "ivanov", testDate, map[string]float64{"new_calls": 12, "payments": 1}))
		require.NoError(t, s.PutFacts(ctx, "ivanov", testDate.AddDays(1), map[string]float64{"new_calls": 3}))
		require.NoError(t, s.PutFacts(ctx, "ivanov", testDate, map[string]float64{"new_calls": 14}))
		got, err = s.Facts(ctx, "ivanov", testDate)
		require.NoError(t, err)
		require.Equal(t, map[string]float64{"new_calls": 14}, got, "replaced, not merged")
	})
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		_, ok, err := s.Document(ctx, "ivanov")
		require.NoError(t, err)
		require.False(t, ok)
		require.NoError(t, s.SaveDocument(ctx, "ivanov", DocumentState{Revision: "rev-1", ContentHash: "h1"}))
		second := DocumentState{Revision: "rev-2", ContentHash: "h2", Newest: testDate}
		require.NoError(t, s.SaveDocument(ctx, "ivanov", second))
		got, ok, err := s.Document(ctx, "ivanov")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, second, got)

		// A batch, in one transaction; then every state in one read.
		petrov := DocumentState{Revision: "petrov.txt@1/20", ContentHash: "petrov.txt@1/20", Newest: testDate.AddDays(-1)}
		third := DocumentState{Revision: "rev-3", ContentHash: "h3"}
		require.NoError(t, s.SaveDocuments(ctx, map[string]DocumentState{"ivanov": third, "petrov": petrov}))
		require.NoError(t, s.SaveDocuments(ctx, nil))
		all, err := s.Documents(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]DocumentState{"ivanov": third, "petrov": petrov}, all)
	})
}

func TestPasses(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)

		t0 := c.Now()
		first, err := s.StartPass(ctx, "sync", testDate)
		require.NoError(t, err)
		t1 := c.Add(3 * time.Second)
		require.NoError(t, s.FinishPass(ctx, first, "ok", map[string]int{"pushed": 3}, ""))
		crashed, err := s.StartPass(ctx, "close-day", testDate) // never finished: the process died
		require.NoError(t, err)
		third, err := s.StartPass(ctx, "backfill", day.Date{})
		require.NoError(t, err)
		require.NoError(t, s.FinishPass(ctx, third, "failed", nil, "boom"))

		passes, err := s.LastPasses(ctx, 10)
		require.NoError(t, err)
		require.Equal(t, []Pass{
			{ID: third, Kind: "backfill", StartedAt: t1, FinishedAt: t1, Result: "failed", Error: "boom"},
			{ID: crashed, Kind: "close-day", Date: testDate, StartedAt: t1},
			{ID: first, Kind: "sync", Date: testDate, StartedAt: t0, FinishedAt: t1, Result: "ok", Summary: json.RawMessage(`{"pushed":3}`)},
		}, passes)

		passes, err = s.LastPasses(ctx, 1)
		require.NoError(t, err)
		require.Len(t, passes, 1)
		require.Equal(t, third, passes[0].ID)

		// The heads: each summary's first characters, the rest as is (a
		// head past the end is the whole summary).
		all, err := s.LastPasses(ctx, 10)
		require.NoError(t, err)
		heads, err := s.LastPassHeads(ctx, 3, 5)
		require.NoError(t, err)
		require.Len(t, heads, 3)
		require.Equal(t, `{"pus`, string(heads[2].Summary), "a head is cut text, not JSON")
		require.Nil(t, heads[0].Summary)
		heads[2].Summary = all[2].Summary
		require.Equal(t, all, heads)
		heads, err = s.LastPassHeads(ctx, 0, 4096)
		require.NoError(t, err)
		require.Equal(t, all, heads)

		// The history: the same passes, not a byte of their summaries.
		history, err := s.PassHistory(ctx, 10)
		require.NoError(t, err)
		require.Len(t, history, 3)
		for i := range all {
			require.Nil(t, history[i].Summary)
			history[i].Summary = all[i].Summary
		}
		require.Equal(t, all, history)
		history, err = s.PassHistory(ctx, 1)
		require.NoError(t, err)
		require.Equal(t, []Pass{{ID: third, Kind: "backfill", StartedAt: t1, FinishedAt: t1, Result: "failed", Error: "boom"}}, history)

		require.ErrorIs(t, s.FinishPass(ctx, 999, "ok", nil, ""), ErrNotFound)
		require.Error(t, s.FinishPass(ctx, first, "ok", func() {}, ""), "a summary that does not marshal")

		// The text kept is json.Marshal's, byte for byte: HTML characters
		// escaped, a line separator, a note ending in a line break.
		messy := map[string]any{"notes": "<b>КП</b> & счёт\u2028 «итог»\n", "n": []float64{1.5, 0}, "e": map[string]string{}}
		want, err := json.Marshal(messy)
		require.NoError(t, err)
		fourth, err := s.StartPass(ctx, "sync", testDate)
		require.NoError(t, err)
		require.NoError(t, s.FinishPass(ctx, fourth, "ok", messy, ""))
		passes, err = s.LastPasses(ctx, 1)
		require.NoError(t, err)
		require.Equal(t, string(want), string(passes[0].Summary))
	})
}

func TestMarkSent(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, nil)
		for i, want := range []bool{true, false, false} {
			first, err := s.MarkSent(ctx, "digest:2026-11-26")
			require.NoError(t, err)
			require.Equal(t, want, first, "call %d", i)
		}
		first, err := s.MarkSent(ctx, "digest:2026-11-27")
		require.NoError(t, err)
		require.True(t, first)
	})
}
