package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
)

// TestClosedVersion: the version a day was closed with is kept; a second
// note (a pass closing it again after a crash) changes nothing; on both
// drivers.
func TestClosedVersion(t *testing.T) {
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		s := openShared(t, sharedDB(t), nil)
		d := day.MustParse("2026-11-24")
		_, _, ok, err := s.ClosedVersion(ctx, "anna", d)
		require.NoError(t, err)
		require.False(t, ok, "closed absent, or not closed: nothing recorded")

		at := time.Date(2026, 11, 24, 19, 1, 0, 0, time.UTC)
		require.NoError(t, s.NoteClosedVersion(ctx, "anna", d, "hash-2-payments", at))
		require.NoError(t, s.NoteClosedVersion(ctx, "anna", d, "hash-3-payments", at.Add(48*time.Hour)))
		hash, closedAt, ok, err := s.ClosedVersion(ctx, "anna", d)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "hash-2-payments", hash)
		require.Equal(t, at, closedAt.UTC())
		_, _, ok, err = s.ClosedVersion(ctx, "boris", d)
		require.NoError(t, err)
		require.False(t, ok)
	})
}
