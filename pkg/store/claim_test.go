package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

// TestClaimOutboxConcurrentPushersPushEachKeyOnce has two Stores (two
// replicas) with three pushers each claim, "push" and mark 300 queued
// records at the same time: every key is pushed exactly once.
func TestClaimOutboxConcurrentPushersPushEachKeyOnce(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		where := sharedDB(t)
		stores := []*Store{openShared(t, where, nil), openShared(t, where, nil)}
		const keys = 300
		for i := range keys {
			_, err := stores[0].SaveDay(ctx, update(fmt.Sprintf("emp%03d", i), testDate, float64(i)))
			require.NoError(t, err)
		}
		var (
			mu     sync.Mutex
			pushes = map[string]int{}
			wg     sync.WaitGroup
			errs   = make(chan error, 6)
		)
		for si, s := range stores {
			for w := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					holder := fmt.Sprintf("replica%d/pusher%d", si, w)
					for {
						items, err := s.ClaimOutbox(ctx, "builtin", holder, 7, time.Minute)
						if err != nil {
							errs <- err
							return
						}
						if len(items) == 0 {
							return
						}
						for _, it := range items {
							mu.Lock()
							pushes[it.Key]++
							mu.Unlock()
							if err := s.MarkPushed(ctx, "builtin", it.Key, it.Hash, "obj-"+it.Key); err != nil {
								errs <- err
								return
							}
						}
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Len(t, pushes, keys, "every key pushed")
		for k, n := range pushes {
			require.Equal(t, 1, n, "key %s pushed %d times", k, n)
		}
		depth, err := stores[1].OutboxDepth(ctx, "")
		require.NoError(t, err)
		require.Zero(t, depth)
	})
}

// TestClaimOutboxExpiryAndRelease: a live claim hides the row from other
// pushers; an expired one (its holder died) does not; MarkFailed and
// ReleaseClaims end claims; a newer record queued during the push stays
// claimed until the push of the older one is marked.
func TestClaimOutboxExpiryAndRelease(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)
		for _, e := range []string{"ivanov", "petrova"} {
			_, err := s.SaveDay(ctx, update(e, testDate, 20))
			require.NoError(t, err)
		}
		a, err := s.ClaimOutbox(ctx, "builtin", "a", 1, time.Minute)
		require.NoError(t, err)
		require.Len(t, a, 1)
		require.Equal(t, crm.Key("ivanov", testDate), a[0].Key)
		b, err := s.ClaimOutbox(ctx, "builtin", "b", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, b, 1, "a's claim hides ivanov")
		require.Equal(t, crm.Key("petrova", testDate), b[0].Key)
		none, err := s.ClaimOutbox(ctx, "builtin", "c", 0, time.Minute)
		require.NoError(t, err)
		require.Empty(t, none)

		// a changes ivanov's report while pushing it: still claimed.
		_, err = s.SaveDay(ctx, update("ivanov", testDate, 21))
		require.NoError(t, err)
		none, err = s.ClaimOutbox(ctx, "builtin", "c", 0, time.Minute)
		require.NoError(t, err)
		require.Empty(t, none)
		require.NoError(t, s.MarkPushed(ctx, "builtin", a[0].Key, a[0].Hash, "obj-1"))
		again, err := s.ClaimOutbox(ctx, "builtin", "c", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, again, 1, "the newer record is free once the older push is marked")
		require.Equal(t, rec("ivanov", testDate, 21).Hash(), again[0].Hash)
		require.NoError(t, s.ReleaseClaims(ctx, "builtin", "c"))

		// b dies holding petrova: free again once the claim expires.
		c.Add(59 * time.Second)
		got, err := s.ClaimOutbox(ctx, "builtin", "d", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, got, 1, "only ivanov (released); petrova's claim is live")
		c.Add(2 * time.Second)
		got, err = s.ClaimOutbox(ctx, "builtin", "e", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, crm.Key("petrova", testDate), got[0].Key)
		require.NoError(t, s.MarkFailed(ctx, "builtin", got[0].Key, got[0].Hash, "boom", time.Time{}))
		got, err = s.ClaimOutbox(ctx, "builtin", "f", 0, time.Minute)
		require.NoError(t, err)
		require.Len(t, got, 1, "MarkFailed released it, due now")
		require.Equal(t, 1, got[0].Attempts)
	})
}

// TestSQLiteLockDropsDeadClaims: a pass killed while pushing leaves claims;
// the next pass to take SQLite's pass lock (proof that no other pass runs)
// frees them at once instead of waiting for them to expire.
func TestSQLiteLockDropsDeadClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	dead := fileStore(t, path, nil)
	_, err := dead.SaveDay(ctx, update("ivanov", testDate, 20))
	require.NoError(t, err)
	unlock, err := dead.Lock(ctx, "sync")
	require.NoError(t, err)
	items, err := dead.ClaimOutbox(ctx, "builtin", "dead", 0, time.Hour)
	require.NoError(t, err)
	require.Len(t, items, 1)
	require.NoError(t, unlock()) // the kernel's doing when the process dies

	next := fileStore(t, path, nil)
	none, err := next.ClaimOutbox(ctx, "builtin", "next", 0, time.Hour)
	require.NoError(t, err)
	require.Empty(t, none, "claimed, not expired")
	unlock, err = next.Lock(ctx, "sync")
	require.NoError(t, err)
	defer func() { require.NoError(t, unlock()) }()
	got, err := next.ClaimOutbox(ctx, "builtin", "next", 0, time.Hour)
	require.NoError(t, err)
	require.Len(t, got, 1)
}

// TestExtendClaims: a live pusher's claims outlast their first TTL.
func TestExtendClaims(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		s := memStore(t, c)
		_, err := s.SaveDay(ctx, update("ivanov", testDate, 20))
		require.NoError(t, err)
		_, err = s.ClaimOutbox(ctx, "builtin", "a", 0, 30*time.Second)
		require.NoError(t, err)
		c.Add(20 * time.Second)
		require.NoError(t, s.ExtendClaims(ctx, "builtin", "a", 30*time.Second))
		require.NoError(t, s.ExtendClaims(ctx, "builtin", "ab", time.Hour), "another holder's prefix is not a")
		c.Add(20 * time.Second)
		none, err := s.ClaimOutbox(ctx, "builtin", "b", 0, 30*time.Second)
		require.NoError(t, err)
		require.Empty(t, none, "extended: still a's")
		c.Add(11 * time.Second)
		got, err := s.ClaimOutbox(ctx, "builtin", "b", 0, 30*time.Second)
		require.NoError(t, err)
		require.Len(t, got, 1, "a stopped extending: expired")
	})
}
