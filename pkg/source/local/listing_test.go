package local

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/source"
)

// TestFolderListedOnce: a settled folder is listed once for many fetches,
// and listed again as soon as a file is added.
func TestFolderListedOnce(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "anna.txt"), []byte("25.11.2026\nНовые звонки: 1\n"), 0o644))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(dir, old, old))
	s := &Source{Dir: dir}
	_, err := s.Fetch(t.Context(), source.Ref{Employee: "anna"}, day.MustParse("2026-11-25"))
	require.NoError(t, err)
	first := s.listing
	require.NotNil(t, first)
	_, err = s.Fetch(t.Context(), source.Ref{Employee: "boris"}, day.MustParse("2026-11-25"))
	require.ErrorIs(t, err, source.ErrNoDocument)
	require.Same(t, first, s.listing, "an unchanged folder is not listed again")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "boris.txt"), []byte("25.11.2026\nНовые звонки: 2\n"), 0o644))
	f, err := s.Fetch(t.Context(), source.Ref{Employee: "boris"}, day.MustParse("2026-11-25"))
	require.NoError(t, err, "a file added is seen at once")
	require.NotNil(t, f.Doc)
}
