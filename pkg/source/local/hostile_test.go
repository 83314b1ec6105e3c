//go:build unix

package local_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/local"
)

// TestHostileFiles: the folder source reads only regular files inside the
// folder. A link to /dev/zero used to read until memory ran out, a named
// pipe blocked the pass forever, a link to a file outside the folder was
// read with no word; each is now refused at once with the reason and the
// file's name. A link to another file of the folder is still read.
func TestHostileFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "reports")
	require.NoError(t, os.Mkdir(dir, 0o755))
	secret := filepath.Join(root, "shadow.txt")
	write(t, root, "shadow.txt", []byte("26.11.2026\nНовые звонки: 5\n"))
	write(t, dir, "real.txt", []byte("26.11.2026\nНовые звонки: 7\n"))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.txt")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "outside.txt")))
	require.NoError(t, os.Symlink("../shadow.txt", filepath.Join(dir, "relative.txt")))
	require.NoError(t, os.Symlink("real.txt", filepath.Join(dir, "alias.txt")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "folder.txt"), 0o755))
	s := &local.Source{Dir: dir}
	ctx := t.Context()

	for id, want := range map[string]error{
		"zero": local.ErrOutside, "pipe": local.ErrNotRegular, "outside": local.ErrOutside, "relative": local.ErrOutside,
	} {
		_, err := s.Fetch(ctx, source.Ref{Employee: id}, ref)
		require.ErrorIs(t, err, want, id)
		require.ErrorContains(t, err, filepath.Join(dir, id+".txt"), "the refusal names the file")
	}
	_, err := s.Fetch(ctx, source.Ref{Employee: "pipe"}, ref)
	require.ErrorContains(t, err, "a named pipe")

	f, err := s.Fetch(ctx, source.Ref{Employee: "alias"}, ref)
	require.NoError(t, err, "a link inside the folder is read")
	require.Contains(t, f.Doc.Blocks[0].Text, "26.11.2026")

	// A folder that is itself a link is the folder.
	linked := filepath.Join(root, "linked")
	require.NoError(t, os.Symlink(dir, linked))
	_, err = (&local.Source{Dir: linked}).Fetch(ctx, source.Ref{Employee: "real"}, ref)
	require.NoError(t, err)

	// `check --file` follows a link it was given, but reads only regular
	// files, never more than MaxFileSize.
	_, _, err = local.ReadFile(filepath.Join(dir, "zero.txt"), ref)
	require.ErrorIs(t, err, local.ErrNotRegular)
	require.ErrorContains(t, err, "a character device")
	_, _, err = local.ReadFile(filepath.Join(dir, "pipe.txt"), ref)
	require.ErrorIs(t, err, local.ErrNotRegular)
	_, _, err = local.ReadFile(filepath.Join(dir, "folder.txt"), ref)
	require.ErrorIs(t, err, local.ErrNotRegular)
	_, _, err = local.ReadFile(filepath.Join(dir, "outside.txt"), ref)
	require.NoError(t, err)
}
