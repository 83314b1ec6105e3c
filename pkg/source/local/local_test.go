package local_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/local"
)

var (
	ref    = day.MustParse("2026-11-26")
	moscow = func() *time.Location {
		loc, err := time.LoadLocation("Europe/Moscow")
		if err != nil {
			panic(err)
		}
		return loc
	}()
)

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
}

func fetchText(t *testing.T, s *local.Source, id string) (*source.Fetched, string) {
	t.Helper()
	f, err := s.Fetch(t.Context(), source.Ref{Employee: id}, ref)
	require.NoError(t, err)
	var b strings.Builder
	for _, blk := range f.Doc.Blocks {
		b.WriteString(blk.Text + "\n")
	}
	return f, b.String()
}

func TestFetchKinds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "anna.txt", []byte("26.11.2026\nНовые звонки: 5\n"))
	write(t, dir, "boris.md", []byte("## 26.11.2026\n| Показатель | Значение |\n|---|---|\n| Новые звонки | 7 |\n"))
	write(t, dir, "vera.csv", []byte("\ufeffДата;Новые звонки\n26.11.2026;9\n"))
	s := &local.Source{Dir: dir, Location: moscow}

	f, text := fetchText(t, s, "anna")
	require.Contains(t, text, "Новые звонки: 5")
	require.True(t, strings.HasPrefix(f.URL, "file://"), f.URL)
	require.True(t, strings.HasSuffix(f.URL, "/anna.txt"), f.URL)
	require.NotEmpty(t, f.Revision)

	f, _ = fetchText(t, s, "boris")
	secs, _ := f.Doc.Sections(ref)
	require.Len(t, secs, 1)
	require.Equal(t, ref, secs[0].Date)

	f, _ = fetchText(t, s, "vera")
	secs, _ = f.Doc.Sections(ref)
	require.Len(t, secs, 1)
	var rows int
	for _, b := range secs[0].Blocks {
		if b.Kind == document.Row {
			rows++
		}
	}
	require.Positive(t, rows)
}

func TestWindows1251(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// "Звонки: 5" in Windows-1251, as old Excel saves CSV and Notepad saves text.
	write(t, dir, "anna.txt", []byte{0xC7, 0xE2, 0xEE, 0xED, 0xEA, 0xE8, ':', ' ', '5', '\n'})
	_, text := fetchText(t, &local.Source{Dir: dir}, "anna")
	require.Contains(t, text, "Звонки: 5")
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "bin.txt", []byte("26.11.2026\x00\x00"))
	write(t, dir, "twice.txt", []byte("a"))
	write(t, dir, "twice.md", []byte("b"))
	s := &local.Source{Dir: dir}
	ctx := t.Context()

	_, err := s.Fetch(ctx, source.Ref{Employee: "nobody"}, ref)
	require.ErrorIs(t, err, source.ErrNoDocument)
	_, err = s.Fetch(ctx, source.Ref{Employee: "bin"}, ref)
	require.ErrorIs(t, err, local.ErrBinary)
	_, err = s.Fetch(ctx, source.Ref{Employee: "twice"}, ref)
	require.ErrorContains(t, err, "more than one report file")
	for _, bad := range []string{"", "..", "../etc/passwd", `a\b`, "a@b"} {
		_, err = s.Fetch(ctx, source.Ref{Employee: bad}, ref)
		require.Error(t, err, bad)
		require.NotErrorIs(t, err, source.ErrNoDocument, "a bad id is not an absent employee: %q", bad)
	}
	_, err = (&local.Source{Dir: filepath.Join(dir, "missing")}).Fetch(ctx, source.Ref{Employee: "anna"}, ref)
	require.ErrorContains(t, err, "does not exist")
	require.NotErrorIs(t, err, source.ErrNoDocument, "a missing folder must not mark everyone absent")
}

// TestSnapshots: a fetch sees the newest snapshot not in the future, and the
// link names the document, not the snapshot.
func TestSnapshots(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "anna.txt", []byte("v0\n"))
	write(t, dir, "anna@20261126T1800.txt", []byte("v1\n"))
	write(t, dir, "anna@20261127T0915.txt", []byte("v2\n"))
	write(t, dir, "anna@garbage.txt", []byte("ignored\n"))
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, moscow)
	s := &local.Source{Dir: dir, Location: moscow, Now: func() time.Time { return now }}

	f0, text := fetchText(t, s, "anna")
	require.Equal(t, "v0", strings.TrimSpace(text))
	now = time.Date(2026, 11, 26, 18, 0, 0, 0, moscow)
	f1, text := fetchText(t, s, "anna")
	require.Equal(t, "v1", strings.TrimSpace(text))
	require.NotEqual(t, f0.Revision, f1.Revision)
	require.Equal(t, f0.URL, f1.URL)
	now = time.Date(2026, 11, 30, 0, 0, 0, 0, moscow)
	_, text = fetchText(t, s, "anna")
	require.Equal(t, "v2", strings.TrimSpace(text))
}

// TestEncodings: what people's editors save is read as text: Notepad's
// «Юникод» (UTF-16 with a byte-order mark, or without), UTF-8 with a
// byte-order mark, UTF-8 with a few broken bytes; Windows-1251 stays
// Windows-1251 and a binary file is refused.
func TestEncodings(t *testing.T) {
	t.Parallel()
	text := "26.11.2026\nНовые звонки: 5\nОплаты: 1\n"
	utf16le := func(s string, bom bool) []byte {
		var out []byte
		if bom {
			out = append(out, 0xFF, 0xFE)
		}
		for _, r := range s {
			out = append(out, byte(r), byte(r>>8))
		}
		return out
	}
	utf16be := func(s string) []byte {
		out := []byte{0xFE, 0xFF}
		for _, r := range s {
			out = append(out, byte(r>>8), byte(r))
		}
		return out
	}
	broken := []byte(text)
	broken = append(broken[:12:12], append([]byte{0xD0}, broken[12:]...)...) // a stray lead byte
	cases := map[string][]byte{
		"utf16le.txt":   utf16le(text, true),
		"nobom16le.txt": utf16le(text, false),
		"utf16be.txt":   utf16be(text),
		"utf8bom.txt":   append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"broken.txt":    broken,
	}
	dir := t.TempDir()
	for name, data := range cases {
		write(t, dir, name, data)
	}
	for name := range cases {
		id := strings.TrimSuffix(name, ".txt")
		_, got := fetchText(t, &local.Source{Dir: dir}, id)
		require.Contains(t, got, "Новые звонки: 5", name)
		require.Contains(t, got, "Оплаты: 1", name)
		require.NotContains(t, got, "\uFEFF", name)
	}
	_, got := fetchText(t, &local.Source{Dir: dir}, "broken")
	require.Contains(t, got, "\uFFFD", "the broken byte is shown, the rest is UTF-8")
}
