package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPassSummariesArePruned: a pass's summary (every employee's errors
// and warnings) was kept for every pass forever (+15 MB a pass for one bad
// file); the history keeps every pass and the summaries of the last
// KeepPassSummaries.
func TestPassSummariesArePruned(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := memStore(t, newClock())
		const n = KeepPassSummaries + 15
		for i := range n {
			id, err := s.StartPass(ctx, "sync", testDate)
			require.NoError(t, err)
			require.NoError(t, s.FinishPass(ctx, id, "ok", map[string]int{"pass": i}, ""))
		}
		passes, err := s.LastPasses(ctx, 0)
		require.NoError(t, err)
		require.Len(t, passes, n, "every pass stays in the history")
		kept := 0
		for i, p := range passes {
			if p.Summary != nil {
				kept++
				require.Less(t, i, KeepPassSummaries, "only the latest keep a summary")
			}
		}
		require.Equal(t, KeepPassSummaries, kept)
	})
}
