package store

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

// TestSince: the first day judged per employee; an earlier date replaces
// it, a later one does not; on both drivers.
func TestSince(t *testing.T) {
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := openShared(t, sharedDB(t), nil)
		got, err := s.Since(ctx)
		require.NoError(t, err)
		require.Empty(t, got)
		d := day.MustParse
		require.NoError(t, s.NoteSince(ctx, map[string]day.Date{"anna": d("2026-11-16"), "boris": d("2026-11-18")}))
		require.NoError(t, s.NoteSince(ctx, map[string]day.Date{"anna": d("2026-11-20"), "boris": d("2026-11-10"), "vera": d("2026-11-19")}))
		require.NoError(t, s.NoteSince(ctx, nil))
		got, err = s.Since(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]day.Date{"anna": d("2026-11-16"), "boris": d("2026-11-10"), "vera": d("2026-11-19")}, got)
	})
}

// TestSinceMigratesFromDays: migration 008 starts each employee of an
// existing install (a database at 007) from their first stored day.
func TestSinceMigratesFromDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	upTo7 := fstest.MapFS{}
	all := mustSub(embedded, "migrations")
	names, err := fs.Glob(all, "*.sql")
	require.NoError(t, err)
	for _, n := range names {
		// Every migration but 008: the columns added since (012's long_term)
		// are ones today's SaveDay writes; 008 then runs over stored days.
		// 016 puts triggers on 008's table, so it waits for it.
		if !strings.HasPrefix(n, "008") && !strings.HasPrefix(n, "016") {
			b, err := fs.ReadFile(all, n)
			require.NoError(t, err)
			upTo7[n] = &fstest.MapFile{Data: b}
		}
	}
	old, err := open(ctx, path, Options{}, upTo7)
	require.NoError(t, err)
	for _, u := range []DayUpdate{update("anna", day.MustParse("2026-11-03"), 1), update("anna", day.MustParse("2026-11-02"), 1),
		update("boris", day.MustParse("2026-11-05"), 1)} {
		u.Record = nil // the days alone: today's outbox has columns 007 lacks
		_, err := old.SaveDay(ctx, u)
		require.NoError(t, err)
	}
	require.NoError(t, old.Close())
	s := fileStore(t, path, nil)
	got, err := s.Since(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]day.Date{"anna": day.MustParse("2026-11-02"), "boris": day.MustParse("2026-11-05")}, got)
}
