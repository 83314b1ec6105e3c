package xlsx_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// TestStaleTempWorkbooksRemoved: a process killed between writing the
// temporary workbook and renaming it used to leave .summary.xlsx.*.tmp
// behind, one per kill; the next write removes those older than a couple
// of minutes (a younger one may be a write going on) and leaves other
// files alone.
func TestStaleTempWorkbooksRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.xlsx")
	old := time.Now().Add(-time.Hour)
	put := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("PK half a workbook"), 0o644))
		require.NoError(t, os.Chtimes(p, mtime, mtime))
		return p
	}
	stale1, stale2 := put(".summary.xlsx.123456.tmp", old), put(".summary.xlsx.987.tmp", old)
	fresh := put(".summary.xlsx.555.tmp", time.Now())
	other := put(".other.xlsx.1.tmp", old)

	require.NoError(t, xlsx.Write(path, &summary.Model{}))
	for _, p := range []string{stale1, stale2} {
		_, err := os.Stat(p)
		require.ErrorIs(t, err, os.ErrNotExist, p)
	}
	for _, p := range []string{fresh, other, path} {
		_, err := os.Stat(p)
		require.NoError(t, err, p)
	}
}
