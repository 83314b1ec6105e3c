package local_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/source/local"
)

func TestStrays(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{
		"ivanov.txt", "petrova.md", "sidorov@20261106T0915.txt", // reports of employees
		"ivanv.txt", "Petrova.csv", "kuznetsov.txt", "zzz.md", // strays
		"notes.docx", ".hidden.txt", // not report files
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "old.txt"), 0o700))
	ids := []string{"ivanov", "petrova", "sidorov", "kuznetsova"}

	strays, err := local.Strays(dir, ids)
	require.NoError(t, err)
	require.Equal(t, []local.Stray{
		{File: "Petrova.csv", ID: "Petrova", Closest: "petrova"},
		{File: "ivanv.txt", ID: "ivanv", Closest: "ivanov"},
		{File: "kuznetsov.txt", ID: "kuznetsov", Closest: "kuznetsova"},
		{File: "zzz.md", ID: "zzz"},
	}, strays)
	require.Equal(t, "ivanv.txt: no employee ivanv; did you mean ivanov?", strays[1].String())
	require.Equal(t, "zzz.md: no employee zzz", strays[3].String())

	_, err = local.Strays(filepath.Join(dir, "missing"), ids)
	require.Error(t, err)
}

func TestClosest(t *testing.T) {
	t.Parallel()
	ids := []string{"ivanov", "ivanova", "petrova", "sidorov", "smirnova"}
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"IVANOV", []string{"ivanov", "ivanova"}},
		{"ivanv", []string{"ivanov", "ivanova"}},
		{"petrov", []string{"petrova"}},
		{"smirnov", []string{"smirnova"}},
		{"nobody", nil},
		{"ivanov", []string{"ivanova"}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, local.Closest(tc.id, ids))
		})
	}
}
