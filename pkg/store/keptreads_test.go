package store

import (
	"bytes"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
)

// TestKeptReadsAreTheQueries: the reads kept at a change count are, once
// taken back, what Since, Documents and DaysHeldOnBy give at that count,
// field by field (days with and without records, pushed, queued, pushed
// and queued again, closed, late, first seen at a nanosecond, without a
// version, numbers -0 and tiny, errors and flags, Cyrillic ids and notes;
// a date with no day; another adapter); they are not given at another
// count, after any write to those tables, nor after the database is made
// anew; a broken encoding is an error, not reads.
func TestKeptReadsAreTheQueries(t *testing.T) {
	t.Run("one part", keptReadsAreTheQueries)
	t.Run("parts of a row or two", func(t *testing.T) {
		defer func(was int) { keptPart = was }(keptPart)
		keptPart = 64
		keptReadsAreTheQueries(t)
	})
}

func keptReadsAreTheQueries(t *testing.T) {
	ctx := context.Background()
	s := memStore(t, newClock())
	a, b := update("petrov-2", testDate, 20), update("иванов", testDate, 7)
	c := update("vera", testDate, math.Copysign(0, -1))
	c.Day.Metrics["rating"] = 4.5e-300
	c.Day.Notes, c.Day.LongTerm = "Договорился о пилоте; «кавычки» \"и\" \\ слеш", "рост"
	c.Day.Late = true
	c.Day.FirstSeen = time.Date(2026, 11, 25, 18, 59, 59, 999999999, time.UTC)
	c.Day.ClosedAt = time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)
	c.Day.Errors = []report.FieldError{{Code: report.Code("range"), Field: "new_calls", Location: document.Location{Line: 3}, Value: "-2", Message: "меньше нуля"}}
	v := 12.0
	c.Day.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &v, Message: "больше, чем в CRM"}}
	noRecord := update("gleb", testDate, 1)
	noRecord.Record, noRecord.Version = nil, nil
	noRecord.Day.Status, noRecord.Day.Metrics = report.Absent, nil
	for _, u := range []DayUpdate{a, b, c, noRecord, update("petrov-2", testDate.AddDays(-1), 3)} {
		_, err := s.SaveDay(ctx, u)
		require.NoError(t, err)
	}
	require.NoError(t, s.MarkPushed(ctx, "builtin", a.Record.Key, a.Record.Hash(), "obj-1"))
	require.NoError(t, s.MarkPushed(ctx, "builtin", b.Record.Key, b.Record.Hash(), "obj-2"))
	again := update("иванов", testDate, 8)
	_, err := s.SaveDay(ctx, again)
	require.NoError(t, err)
	require.NoError(t, s.NoteSince(ctx, map[string]day.Date{"petrov-2": testDate.AddDays(-1), "иванов": testDate}))
	require.NoError(t, s.SaveDocuments(ctx, map[string]DocumentState{"petrov-2": {Revision: "a.txt@1/2", ContentHash: "h1", Newest: testDate},
		"vera": {Revision: "v.md@3/4"}}))

	held := []HeldOn{{"builtin", testDate}, {"amocrm", testDate}, {"builtin", testDate.AddDays(5)}}
	count, ok, err := s.ChangeCount(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	data, err := s.EncodeReads(ctx, held)
	require.NoError(t, err)
	if keptPart < 100 {
		require.Greater(t, len(data), 5, "the parts")
	} else {
		require.Len(t, data, 1)
	}
	require.NoError(t, s.KeepReads(ctx, count, data))
	require.NoError(t, s.KeepReads(ctx, count, data), "kept again: the parts replace those before")

	got, ok, err := s.KeptReads(ctx, count)
	require.NoError(t, err)
	require.True(t, ok)
	since, err := s.Since(ctx)
	require.NoError(t, err)
	require.Equal(t, since, got.Since)
	docs, err := s.Documents(ctx)
	require.NoError(t, err)
	require.Equal(t, docs, got.Docs)
	require.Len(t, got.Held, len(held))
	for _, h := range held {
		want, err := s.DaysHeldOnBy(ctx, h.Adapter, h.Date)
		require.NoError(t, err)
		require.Len(t, got.Held[h], len(want), "%v", h)
		for id, d := range want {
			require.NotNil(t, got.Held[h][id], "%v %s", h, id)
			require.Equal(t, *d, *got.Held[h][id], "%v %s", h, id)
		}
	}
	require.True(t, got.Held[held[0]]["иванов"].Queued, "pushed, then queued again")
	require.Equal(t, b.Record.Hash(), got.Held[held[0]]["иванов"].Pushed)

	// Not at another count: any write to those tables moves it.
	require.NoError(t, s.SaveDocuments(ctx, map[string]DocumentState{"gleb": {Revision: "g.txt@5/6"}}))
	moved, ok, err := s.ChangeCount(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.NotEqual(t, count, moved)
	_, ok, err = s.KeptReads(ctx, moved)
	require.NoError(t, err)
	require.False(t, ok, "the documents changed")
	other := count
	other.epoch = "another database"
	_, ok, err = s.KeptReads(ctx, other)
	require.NoError(t, err)
	require.False(t, ok)

	// A broken encoding is an error.
	whole := bytes.Join(data, nil)
	for _, bad := range []KeptData{{{}}, {[]byte("dayreport reads 0\n")}, {whole[:len(whole)-1]}, {whole, {0}},
		append(slices.Clone(data[:len(data)-1]), data[len(data)-1][:len(data[len(data)-1])-1])} {
		require.NoError(t, s.KeepReads(ctx, moved, bad))
		_, ok, err = s.KeptReads(ctx, moved)
		require.Error(t, err)
		require.False(t, ok)
	}
}
