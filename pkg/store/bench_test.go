package store

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/store/storetest"

	"github.com/dayreport/dayreport/pkg/day"
)

// TestEachDayStreams walks 200 000 rows (50 000 under -race, which slows the
// SQLite engine twentyfold) and checks that the live heap never holds more
// than a small fraction of what loading every row would take.
func TestEachDayStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("a large table")
	}
	t.Parallel()
	ctx := context.Background()
	s := fileStore(t, tempDB(t), nil)
	rows := 200_000
	if raceDetector {
		rows = 50_000
	}
	seedDays(t, s, rows)

	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	// What holding rows costs: the first 5000 rows (5 dates), all kept.
	base := heap()
	var held []Day
	first := day.MustParse("2020-01-01")
	require.NoError(t, s.EachDay(ctx, first, first.AddDays(4), func(d Day) error {
		held = append(held, d)
		return nil
	}))
	require.Len(t, held, 5000)
	perRow := (heap() - base) / int64(len(held))
	runtime.KeepAlive(held)
	held = nil

	base = heap()
	var (
		seen int
		peak int64
	)
	err := s.EachDay(ctx, day.Date{}, day.Date{}, func(Day) error {
		seen++
		if seen%(rows/4) == 0 {
			peak = max(peak, heap()-base)
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, rows, seen)
	require.Positive(t, perRow)
	loadAll := perRow * int64(rows)
	require.Less(t, peak, loadAll/10, "live heap grew by %d bytes; loading %d rows would take about %d", peak, rows, loadAll)
	t.Logf("%d rows: one row ≈ %d B, all ≈ %d MB, streaming peak %d KB", rows, perRow, loadAll>>20, peak>>10)
}

// BenchmarkEachDay walks 200 000 days whole (all) and as the summary reads
// them (shown: EachShownDay).
func BenchmarkEachDay(b *testing.B) {
	ctx := context.Background()
	s := fileStore(b, tempDB(b), nil)
	const rows = 200_000
	seedDays(b, s, rows)
	for _, walk := range []struct {
		name string
		each func(context.Context, day.Date, day.Date, func(Day) error) error
	}{{"all", s.EachDay}, {"shown", s.EachShownDay}} {
		b.Run(walk.name, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			n := 0
			for b.Loop() {
				require.NoError(b, walk.each(ctx, day.Date{}, day.Date{}, func(Day) error {
					n++
					return nil
				}))
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkSaveDay: one employee-day saved (version, day, numbers, outbox)
// per iteration, on a SQLite file and on PostgreSQL (sub-benchmarks).
func BenchmarkSaveDay(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchSaveDay(b, fileStore(b, tempDB(b), nil)) })
	b.Run("postgres", func(b *testing.B) {
		storetest.DSN(b)
		benchSaveDay(b, pgStore(b, storetest.Schema(b), Options{}))
	})
}

func benchSaveDay(b *testing.B, s *Store) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u := update(fmt.Sprintf("emp%03d", i%500), testDate.AddDays(i/500), float64(i%50))
		if _, err := s.SaveDay(ctx, u); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPassHistory reads the history of 40 passes whose summaries are
// 1 MiB each (a pass over 2 000 employees), as the daemon's catch-up reads
// it: without the summaries (history) and with them (summaries, what it
// read before). Compare the B/op.
func BenchmarkPassHistory(b *testing.B) {
	ctx := context.Background()
	s := fileStore(b, tempDB(b), nil)
	line := `{"id":"e00000","status":"submitted","metrics":{"new_calls":27},"errors":[],"flags":[]},`
	summary := JSONText(`{"employees":[` + strings.Repeat(line, (1<<20)/len(line)) + `null]}`)
	for range 40 {
		id, err := s.StartPass(ctx, "sync", testDate)
		require.NoError(b, err)
		require.NoError(b, s.FinishPass(ctx, id, "ok", summary, ""))
	}
	for _, c := range []struct {
		name string
		read func(context.Context, int) ([]Pass, error)
	}{{"history", s.PassHistory}, {"summaries", s.LastPasses}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				passes, err := c.read(ctx, 500)
				if err != nil || len(passes) != 40 {
					b.Fatal(err, len(passes))
				}
			}
		})
	}
}
