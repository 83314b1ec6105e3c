package xlsx

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestReplacerAcrossWrites: the drawing prefix is put back wherever the
// writes of a stream happen to cut it.
func TestReplacerAcrossWrites(t *testing.T) {
	t.Parallel()
	in := "<sheetData></sheetData>" + string(drawingOwnNS) + `"rId1"></drawing>` + string(drawingOwnNS) + `"rId2"/></worksheet>`
	want := strings.ReplaceAll(in, string(drawingOwnNS), string(drawingR))
	for size := 1; size <= len(in); size++ {
		var out bytes.Buffer
		r := &replacer{w: &out, old: drawingOwnNS, new: drawingR}
		for rest := in; rest != ""; {
			n := min(size, len(rest))
			_, err := r.Write([]byte(rest[:n]))
			require.NoError(t, err)
			rest = rest[n:]
		}
		require.NoError(t, r.Close())
		require.Equal(t, want, out.String(), "writes of %d bytes", size)
	}

	// A sheet still in memory comes in one write, cut in chunks inside.
	for _, at := range []int{0, replacerChunk - 50, replacerChunk - 1, replacerChunk, 3*replacerChunk - 7} {
		in := strings.Repeat("a", at) + string(drawingOwnNS) + `"rId1"/>` + strings.Repeat("b", replacerChunk)
		var out bytes.Buffer
		r := &replacer{w: &out, old: drawingOwnNS, new: drawingR}
		n, err := r.Write([]byte(in))
		require.NoError(t, err)
		require.Equal(t, len(in), n)
		require.NoError(t, r.Close())
		require.Equal(t, strings.ReplaceAll(in, string(drawingOwnNS), string(drawingR)), out.String(), "at %d", at)
	}
}

// TestStreamBufferReleased: a stream that went to its temporary file gives
// back its buffer (release.go), and one still in memory keeps its rows.
func TestStreamBufferReleased(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer func() { require.NoError(t, f.Close()) }()
	_, err := f.NewSheet("small")
	require.NoError(t, err)

	big, err := f.NewStreamWriter("Sheet1")
	require.NoError(t, err)
	text := strings.Repeat("x", 1000)
	for row := 1; row <= excelize.StreamChunkSize/1000+100; row++ {
		ref, err := excelize.CoordinatesToCellName(1, row)
		require.NoError(t, err)
		require.NoError(t, big.SetRow(ref, []any{text}))
	}
	require.NoError(t, big.Flush())
	require.True(t, releaseBuffer(big), "excelize no longer keeps its rows where release.go looks")

	small, err := f.NewStreamWriter("small")
	require.NoError(t, err)
	require.NoError(t, small.SetRow("A1", []any{"kept"}))
	require.NoError(t, small.Flush())
	require.False(t, releaseBuffer(small))

	var out bytes.Buffer
	require.NoError(t, f.Write(&out))
	g, err := excelize.OpenReader(&out)
	require.NoError(t, err)
	defer func() { require.NoError(t, g.Close()) }()
	last, err := g.GetCellValue("Sheet1", "A"+strconv.Itoa(excelize.StreamChunkSize/1000+100))
	require.NoError(t, err)
	require.Equal(t, text, last)
	kept, err := g.GetCellValue("small", "A1")
	require.NoError(t, err)
	require.Equal(t, "kept", kept)
}

// TestStreamSpills: a stream holds no more than spillChunk of rows in
// memory (release.go), the rows moved to its temporary file are all in the
// workbook, and the file goes when the workbook is closed.
func TestStreamSpills(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile(excelize.Options{TmpDir: dir})
	sw, err := f.NewStreamWriter("Sheet1")
	require.NoError(t, err)
	buf, ok := bufferOf(sw)
	require.True(t, ok, "excelize no longer keeps its rows where release.go looks")
	text := strings.Repeat("y", 1000)
	rows := 3 * spillChunk / 1000
	for row := 1; row <= rows; row++ {
		ref, err := excelize.CoordinatesToCellName(1, row)
		require.NoError(t, err)
		require.NoError(t, sw.SetRow(ref, []any{text, row}))
		require.NoError(t, buf.spill())
		require.Less(t, buf.buf.Len(), spillChunk, "row %d", row)
	}
	require.NotNil(t, *buf.tmp, "the rows went to no file")
	require.NoError(t, sw.Flush())
	require.True(t, releaseBuffer(sw))

	var out bytes.Buffer
	require.NoError(t, f.Write(&out))
	require.NoError(t, f.Close())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "the temporary file is left")

	g, err := excelize.OpenReader(&out)
	require.NoError(t, err)
	defer func() { require.NoError(t, g.Close()) }()
	got, err := g.GetRows("Sheet1")
	require.NoError(t, err)
	require.Len(t, got, rows)
	for i, r := range got {
		require.Equal(t, []string{text, strconv.Itoa(i + 1)}, r, "row %d", i+1)
	}
}

// TestSpillIsRemoved: the parts are compressed into a temporary file, which
// goes once the workbook is written.
func TestSpillIsRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	var out bytes.Buffer
	require.NoError(t, Encode(&out, &summary.Model{}))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
	require.Equal(t, "PK", out.String()[:2])
}

// TestNoTemporaryDirectory: without a temporary file the parts are ordered
// in memory, and the workbook is the same.
func TestNoTemporaryDirectory(t *testing.T) {
	var want bytes.Buffer
	require.NoError(t, Encode(&want, &summary.Model{}))
	t.Setenv("TMPDIR", "/nonexistent/dayreport")
	var got bytes.Buffer
	require.NoError(t, Encode(&got, &summary.Model{}))
	require.Equal(t, want.Bytes(), got.Bytes())
}
