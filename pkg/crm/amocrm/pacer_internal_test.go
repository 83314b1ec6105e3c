package amocrm

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// In a testing/synctest bubble: the gaps are the pacer's, not a busy
// machine's scheduling.
func TestPacerSpacesConcurrentStarts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const interval, k = 5 * time.Millisecond, 3
		p := newPacer(interval, k)
		var (
			starts []time.Time // appended under p.mu
			wg     sync.WaitGroup
		)
		p.onStart = func(at time.Time) { starts = append(starts, at) }
		for range 30 {
			wg.Go(func() { require.NoError(t, p.wait(t.Context())) })
		}
		wg.Wait()
		require.Len(t, starts, 30)
		require.True(t, slices.IsSortedFunc(starts, func(a, b time.Time) int { return a.Compare(b) }))
		for i := 1; i < len(starts); i++ {
			require.GreaterOrEqual(t, starts[i].Sub(starts[i-1]), interval*3/4, "gap before start %d", i)
			if i >= k {
				require.GreaterOrEqual(t, starts[i].Sub(starts[i-k]), k*interval, "window ending at start %d", i)
			}
		}
	})
}

// In a testing/synctest bubble, like the pacer's other tests.
func TestPacerHoldOffStopsWaitersToo(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(time.Millisecond, 7)
		require.NoError(t, p.wait(t.Context()))
		held := time.Now()
		p.holdOff(80 * time.Millisecond)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				require.NoError(t, p.wait(t.Context()))
				require.GreaterOrEqual(t, time.Since(held), 80*time.Millisecond)
			})
		}
		wg.Wait()
	})
}

// In a testing/synctest bubble, like the pacer's other tests.
func TestPacerWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(time.Hour, 1)
		require.NoError(t, p.wait(t.Context()))
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, p.wait(ctx), context.DeadlineExceeded)
		// The turn was handed back: a cancelled wait does not wedge the pacer.
		ctx2, cancel2 := context.WithCancel(t.Context())
		cancel2()
		require.ErrorIs(t, p.wait(ctx2), context.Canceled)
	})
}
