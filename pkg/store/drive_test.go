package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDriveWatch: the change log's token and the known files survive the
// process (a second Store on the same database reads them); a poll's
// changes update some files and keep the others, a full listing replaces
// them all; on both drivers.
func TestDriveWatch(t *testing.T) {
	bothDrivers(t, func(t *testing.T) {
		ctx := context.Background()
		where := sharedDB(t)
		s := openShared(t, where, nil)
		w, err := s.DriveWatch(ctx)
		require.NoError(t, err)
		require.Equal(t, DriveWatch{}, w, "never polled: no token")

		at := time.Date(2026, 11, 26, 7, 5, 0, 123_000_000, time.UTC)
		full := DriveWatch{Scope: "1folder", Token: "1042", Files: map[string]DriveFile{
			"1anna":  {Version: 17, EditedBy: "Анна Петрова <anna@example.ru>", EditedAt: at},
			"1boris": {Version: 3}, // an anonymous edit: no editor, no time
			"1vera":  {Version: 9, Gone: true},
		}}
		require.NoError(t, s.SaveDriveWatch(ctx, full, true))

		other := openShared(t, where, nil) // the next poll: a new process
		got, err := other.DriveWatch(ctx)
		require.NoError(t, err)
		require.Equal(t, full, got)

		// A poll's changes: Anna edited again, Vera's file came back from
		// the trash, a new file; Boris untouched.
		later := at.Add(20 * time.Minute)
		require.NoError(t, other.SaveDriveWatch(ctx, DriveWatch{Scope: "1folder", Token: "1050", Files: map[string]DriveFile{
			"1anna": {Version: 18, EditedBy: "Игорь <igor@example.ru>", EditedAt: later},
			"1vera": {Version: 10, EditedBy: "Вера", EditedAt: later},
			"1gleb": {Version: 1},
		}}, false))
		got, err = s.DriveWatch(ctx)
		require.NoError(t, err)
		require.Equal(t, DriveWatch{Scope: "1folder", Token: "1050", Files: map[string]DriveFile{
			"1anna":  {Version: 18, EditedBy: "Игорь <igor@example.ru>", EditedAt: later},
			"1boris": {Version: 3},
			"1vera":  {Version: 10, EditedBy: "Вера", EditedAt: later},
			"1gleb":  {Version: 1},
		}}, got)

		// Another folder: a full listing replaces every file.
		require.NoError(t, s.SaveDriveWatch(ctx, DriveWatch{Scope: "2folder", Token: "1051",
			Files: map[string]DriveFile{"2dina": {Version: 4}}}, true))
		got, err = other.DriveWatch(ctx)
		require.NoError(t, err)
		require.Equal(t, DriveWatch{Scope: "2folder", Token: "1051", Files: map[string]DriveFile{"2dina": {Version: 4}}}, got)

		// An empty listing keeps the token and no file.
		require.NoError(t, s.SaveDriveWatch(ctx, DriveWatch{Token: "1052"}, true))
		got, err = s.DriveWatch(ctx)
		require.NoError(t, err)
		require.Equal(t, DriveWatch{Token: "1052", Files: map[string]DriveFile{}}, got)
	})
}

// TestDriveWatchReadOnly: a read-only store (a dry run) reads the watch and
// keeps nothing.
func TestDriveWatchReadOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := tempDB(t)
	s := fileStore(t, path, nil)
	require.NoError(t, s.SaveDriveWatch(ctx, DriveWatch{Token: "7", Files: map[string]DriveFile{"1a": {Version: 2}}}, true))
	ro, err := Open(ctx, path, Options{ReadOnly: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = ro.Close() })
	w, err := ro.DriveWatch(ctx)
	require.NoError(t, err)
	require.Equal(t, "7", w.Token)
	require.ErrorIs(t, ro.SaveDriveWatch(ctx, DriveWatch{Token: "8"}, false), ErrReadOnly)
}
