package local

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source"
)

// TestAbsent: only an employee without any report file is absent; a file
// saved a moment ago (which Revisions leaves out), two files for one
// employee and a dated snapshot are documents; a file of another
// extension, or a snapshot whose name does not parse, is not.
func TestAbsent(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{"anna.txt", "boris.md", "vera.txt", "vera.md", "gleb@20261120T0915.txt", "lev@20-11-2026.txt", "dina.txt", "notes.docx"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte("25.11.2026\nНовые звонки: 3\n"), 0o644))
		if name != "dina.txt" {
			require.NoError(t, os.Chtimes(path, old, old))
		}
	}
	s := &Source{Dir: dir}
	var refs []source.Ref
	for _, id := range []string{"anna", "boris", "vera", "gleb", "lev", "dina", "notes", "ivan", "../x"} {
		refs = append(refs, source.Ref{Employee: id})
	}
	revs, err := s.Revisions(t.Context(), refs)
	require.NoError(t, err)
	require.NotContains(t, revs, "dina", "saved a moment ago")
	require.NotContains(t, revs, "vera", "two files")
	absent, err := s.Absent(t.Context(), refs)
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"lev": true, "notes": true, "ivan": true}, absent, "a snapshot name that does not parse is no document")

	_, err = (&Source{Dir: filepath.Join(dir, "gone")}).Absent(t.Context(), refs)
	require.Error(t, err, "a folder that is not there tells nothing")
}
