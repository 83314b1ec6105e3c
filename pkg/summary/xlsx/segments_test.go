package xlsx_test

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
)

// TestCRC32Combine: the CRC of two pieces put together, from the CRC of
// each, is the CRC of the whole, wherever it is cut.
func TestCRC32Combine(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 70_000)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	for _, cut := range []int{0, 1, 2, 3, 4, 7, 100, 4095, 4096, 33_333, 69_999, 70_000} {
		a, b := data[:cut], data[cut:]
		require.Equal(t, crc32.ChecksumIEEE(data),
			xlsx.CRC32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b))), "cut at %d", cut)
	}
}

// TestCRC32CombineLong: combining holds for lengths no test can write out:
// as zlib's first way computes it (a 32×32 operator squared for each bit
// of the length, kept here as the reference), for random CRCs and
// lengths up to the largest int64, and associatively.
func TestCRC32CombineLong(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	lengths := []int64{1, 2, 3, 255, 256, 1 << 20, 1<<31 - 1, 1 << 32, 1<<40 + 12345, 1<<62 + 7, 1<<63 - 1}
	for range 200 {
		lengths = append(lengths, rng.Int64N(1<<uint(rng.IntN(62)+1))+1)
	}
	for _, n := range lengths {
		a, b := rng.Uint32(), rng.Uint32()
		require.Equal(t, referenceCombine(a, b, n), xlsx.CRC32Combine(a, b, n), "length %d", n)
	}
	for range 100 {
		a, b, c := rng.Uint32(), rng.Uint32(), rng.Uint32()
		lb, lc := rng.Int64N(1<<40)+1, rng.Int64N(1<<40)+1
		require.Equal(t, xlsx.CRC32Combine(xlsx.CRC32Combine(a, b, lb), c, lc),
			xlsx.CRC32Combine(a, xlsx.CRC32Combine(b, c, lc), lb+lc))
	}
}

// referenceCombine is crc32_combine as zlib 1.2.11 wrote it.
func referenceCombine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	times := func(mat *[32]uint32, vec uint32) uint32 {
		var sum uint32
		for i := 0; vec != 0; i, vec = i+1, vec>>1 {
			if vec&1 != 0 {
				sum ^= mat[i]
			}
		}
		return sum
	}
	square := func(sq, mat *[32]uint32) {
		for n := range 32 {
			sq[n] = times(mat, mat[n])
		}
	}
	var even, odd [32]uint32
	odd[0] = 0xedb88320
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	square(&even, &odd)
	square(&odd, &even)
	for {
		square(&even, &odd)
		if len2&1 != 0 {
			crc1 = times(&even, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		square(&odd, &even)
		if len2&1 != 0 {
			crc1 = times(&odd, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

// TestSegmenterAcrossWrites: the markers are taken out of a worksheet's
// stream, and its segments told apart, wherever the writes cut them.
func TestSegmenterAcrossWrites(t *testing.T) {
	t.Parallel()
	parts := []string{`<worksheet><sheetData><row r="1"/>`, xlsx.Marker("begin", 1), `<row r="2"><c r="A2"><v>&lt;!--</v></c></row>`,
		xlsx.Marker("end", 0), `<!--not ours--><row r="3"/>`, xlsx.Marker("begin", 2), `<row r="4"/>`, xlsx.Marker("end", 0),
		xlsx.Marker("begin", 3), xlsx.Marker("end", 0), `</sheetData></worksheet><`}
	in := strings.Join(parts, "")
	var want strings.Builder
	for _, p := range parts {
		if !strings.HasPrefix(p, "<!--dayreport:") {
			want.WriteString(p)
		}
	}
	// The text before the first segment, two segments, the text between
	// them and after them; the empty segment is none.
	const segments = 5
	for size := 1; size <= len(in); size++ {
		var writes []string
		for rest := in; rest != ""; {
			n := min(size, len(rest))
			writes = append(writes, rest[:n])
			rest = rest[n:]
		}
		xml, n, err := xlsx.Segmenter(writes)
		require.NoError(t, err, "writes of %d bytes", size)
		require.Equal(t, want.String(), xml, "writes of %d bytes", size)
		require.Equal(t, segments, n, "writes of %d bytes", size)
	}
	_, _, err := xlsx.Segmenter([]string{"<row/>" + xlsx.Marker("copy", 1)})
	require.Error(t, err, "a segment copied without an old workbook")
	_, _, err = xlsx.Segmenter([]string{"<row/><!--dayreport:begin:zz-->"})
	require.Error(t, err)
	_, _, err = xlsx.Segmenter([]string{"<row/><!--dayreport:begi"})
	require.Error(t, err, "a marker cut short at the end")
}

// TestSegmentsReused: a workbook written over the one a write left copies
// the segments of rows that did not change, and is, byte for byte, the
// workbook of its model written from nothing — with one number changed in
// the middle of the days, with the same model, with every row moved one
// up.
func TestSegmentsReused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	m := largeModel(300, 10)
	copied, err := xlsx.WriteCopying(path, m)
	require.NoError(t, err)
	require.Zero(t, copied, "nothing to copy from")
	requireFresh(t, path, m)
	segments := countSegments(t, path)
	require.Greater(t, segments, 3000/xlsx.SegmentRows, "the days alone are %d rows", 3000)

	changed := largeModel(300, 10)
	changed.Days[1500].Metrics["calls"]++
	copied, err = xlsx.WriteCopying(path, changed)
	require.NoError(t, err)
	requireFresh(t, path, changed)
	require.Equal(t, segments-1, copied, "every segment but the changed row's")

	copied, err = xlsx.WriteCopying(path, changed)
	require.NoError(t, err)
	requireFresh(t, path, changed)
	require.Equal(t, segments, copied, "the same model: every segment")

	moved := largeModel(300, 10)
	moved.Days = moved.Days[1:]
	copied, err = xlsx.WriteCopying(path, moved)
	require.NoError(t, err)
	requireFresh(t, path, moved)
	require.Less(t, copied, segments-3000/xlsx.SegmentRows, "the days' rows all moved")
}

// TestSegmentsOfAnEditedWorkbook: an index whose entry no longer holds
// what it says (the part changed, its comment kept) is not trusted, and a
// workbook saved by a spreadsheet application (no comments) has none: the
// rows are written from the model.
func TestSegmentsOfAnEditedWorkbook(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.xlsx")
	m := largeModel(100, 10)
	require.NoError(t, xlsx.Write(path, m))
	all := countSegments(t, path)

	// An index that says another CRC than its entry's data has: that
	// entry's segments are not copied, the others are.
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	days := 0
	for _, f := range zr.File {
		if f.Comment == "" || days > 0 {
			require.NoError(t, zw.Copy(f))
			continue
		}
		days = xlsx.KeyedSegments(f.Comment)
		h := f.FileHeader
		h.Comment = xlsx.CorruptIndex(f.Comment)
		w, err := zw.CreateRaw(&h)
		require.NoError(t, err)
		r, err := f.OpenRaw()
		require.NoError(t, err)
		_, err = io.Copy(w, r)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
	require.Positive(t, days)
	copied, err := xlsx.WriteCopying(path, m)
	require.NoError(t, err)
	requireFresh(t, path, m)
	require.Equal(t, all-days, copied)

	editEntries(t, path, func(f *zip.File, data []byte) []byte {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			return data
		}
		// Another employee's number in every row that shows his name.
		return bytes.ReplaceAll(data, []byte("Сотрудник Номер 42<"), []byte("Сотрудник Номер 24<"))
	})
	copied, err = xlsx.WriteCopying(path, m)
	require.NoError(t, err)
	requireFresh(t, path, m)
	require.Positive(t, copied, "the segments of the entries left as they were")
	require.Less(t, copied, all)

	// The manager adds a tab in a spreadsheet application, which saves the
	// package anew: nothing to copy, the manager's tab kept; the write
	// after that copies again.
	f := open(t, path)
	_, err = f.NewSheet("Мои заметки")
	require.NoError(t, err)
	require.NoError(t, f.SetCellStr("Мои заметки", "A1", "позвонить Иванову"))
	require.NoError(t, f.Save())
	require.NoError(t, f.Close())
	copied, err = xlsx.WriteCopying(path, m)
	require.NoError(t, err)
	require.Zero(t, copied)
	copied, err = xlsx.WriteCopying(path, m)
	require.NoError(t, err)
	require.Positive(t, copied)
	f = open(t, path)
	requireText(t, f, "Мои заметки", "A1", "позвонить Иванову")
	var fresh bytes.Buffer
	require.NoError(t, xlsx.Encode(&fresh, m))
	want, err := excelize.OpenReader(&fresh)
	require.NoError(t, err)
	for _, tab := range summary.TabNames("ru").All() {
		got, err := f.GetRows(tab)
		require.NoError(t, err)
		rows, err := want.GetRows(tab)
		require.NoError(t, err)
		require.Equal(t, rows, got, tab)
	}
	require.NoError(t, f.Close())
	require.NoError(t, want.Close())
}

// requireFresh fails unless the workbook at path is that of m written
// from nothing.
func requireFresh(t *testing.T, path string, m *summary.Model) {
	t.Helper()
	var fresh bytes.Buffer
	require.NoError(t, xlsx.Encode(&fresh, m))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.Equal(fresh.Bytes(), got), "the workbook differs from its model's written from nothing")
	// And every part reads back (the deflate streams, the CRCs).
	zr, err := zip.NewReader(bytes.NewReader(got), int64(len(got)))
	require.NoError(t, err)
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, r)
		require.NoError(t, err, f.Name)
		require.NoError(t, r.Close())
	}
}

// countSegments counts the keyed segments of the workbook's worksheets.
func countSegments(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	n := 0
	for _, f := range zr.File {
		n += xlsx.KeyedSegments(f.Comment)
	}
	return n
}

// editEntries rewrites the package at path with each entry's data as edit
// makes it, its comment kept; an entry edit leaves as it was is copied.
func editEntries(t *testing.T, path string, edit func(f *zip.File, data []byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		edited := edit(f, body)
		if bytes.Equal(edited, body) {
			require.NoError(t, zw.Copy(f)) // as it was, deflated bytes and all
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Comment: f.Comment})
		require.NoError(t, err)
		_, err = w.Write(edited)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
}
