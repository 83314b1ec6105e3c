package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLeases: one holder at a time; renewals keep Since; an expired or
// released lease goes to the next asker.
func TestLeases(t *testing.T) {
	t.Parallel()
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		c := newClock()
		where := sharedDB(t)
		a, b := openShared(t, where, c), openShared(t, where, c)
		_, ok, err := a.CurrentLease(ctx, LeaseLeader)
		require.NoError(t, err)
		require.False(t, ok)

		l, ok, err := a.AcquireLease(ctx, LeaseLeader, "a", 15*time.Second)
		require.NoError(t, err)
		require.True(t, ok)
		t0 := c.Now()
		require.Equal(t, t0, l.Since)
		l, ok, err = b.AcquireLease(ctx, LeaseLeader, "b", 15*time.Second)
		require.NoError(t, err)
		require.False(t, ok)
		require.Equal(t, "a", l.Holder)

		c.Add(10 * time.Second)
		l, ok, err = a.AcquireLease(ctx, LeaseLeader, "a", 15*time.Second)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, t0, l.Since, "a renewal keeps since")
		require.Equal(t, c.Now().Add(15*time.Second), l.Until)

		c.Add(14 * time.Second)
		_, ok, err = b.AcquireLease(ctx, LeaseLeader, "b", 15*time.Second)
		require.NoError(t, err)
		require.False(t, ok, "a's renewal is still live")
		c.Add(2 * time.Second) // a died: no renewal for 16 s
		l, ok, err = b.AcquireLease(ctx, LeaseLeader, "b", 15*time.Second)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, c.Now(), l.Since)
		cur, ok, err := a.CurrentLease(ctx, LeaseLeader)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "b", cur.Holder)

		require.NoError(t, a.ReleaseLease(ctx, LeaseLeader, "a"), "not a's: a no-op")
		_, ok, err = a.AcquireLease(ctx, LeaseLeader, "a", 15*time.Second)
		require.NoError(t, err)
		require.False(t, ok)
		require.NoError(t, b.ReleaseLease(ctx, LeaseLeader, "b"))
		_, ok, err = a.AcquireLease(ctx, LeaseLeader, "a", 15*time.Second)
		require.NoError(t, err)
		require.True(t, ok, "released: free at once")
	})
}
