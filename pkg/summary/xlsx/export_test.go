package xlsx

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"

	"github.com/dayreport/dayreport/pkg/summary"
)

// PieceRows are the rows of each tab of m laid out size items at a time,
// with the tab of no items that leads them and the widths and blocks
// measured.
func PieceRows(m *summary.Model, size int) (heads []*summary.Tab, rows [][]summary.Row, widths [][]int, blocks [][]summary.Block) {
	for _, next := range layOut(m) {
		p, err := next()
		if err != nil {
			panic(err)
		}
		p.size = size
		m := p.measure()
		n := m.rows
		widths = append(widths, m.widths)
		blocks = append(blocks, m.blocks)
		var tab []summary.Row
		for r := range p.rows() {
			tab = append(tab, r)
		}
		if n != len(tab) {
			panic("measure counts other rows")
		}
		heads = append(heads, p.head)
		rows = append(rows, tab)
	}
	return heads, rows, widths, blocks
}

// SetSpillChunk sets how much of a tab's rows a stream holds in memory
// until restore is called (not in parallel tests).
func SetSpillChunk(n int) (restore func()) {
	old := spillChunk
	spillChunk = n
	return func() { spillChunk = old }
}

// WriteCopying is Write, saying how many segments of rows it copied from
// the workbook it replaced.
func WriteCopying(path string, m *summary.Model) (copied int, err error) {
	_, copied, err = WriteIf(path, m, nil)
	return copied, err
}

// WriteGathering is Write, saying how many tabs it laid out once over the
// workbook it replaced, and how many it laid out again.
func WriteGathering(path string, m *summary.Model) (gathered, relaid int, err error) {
	var c reuse
	_, err = write(path, m, nil, &c)
	return c.gathered, c.relaid, err
}

// HeldRows is how many rows of a tab a rewrite holds.
const HeldRows = heldRows

// SegmentRows is how many rows a segment holds.
const SegmentRows = segmentRows

// CRC32Combine is crc32Combine.
var CRC32Combine = crc32Combine

// Segmenter takes the markers out of what is written to it, as a
// worksheet's part does, and gives the XML written and the segments.
func Segmenter(writes []string) (xml string, segments int, err error) {
	var out bytes.Buffer
	p := &zipPart{segmented: true}
	p.out.w = &out
	fw, err := flate.NewWriter(&p.out, partCompression)
	if err != nil {
		return "", 0, err
	}
	p.fw = fw
	s := &segmenter{p: p}
	for _, w := range writes {
		if _, err := s.Write([]byte(w)); err != nil {
			return "", 0, err
		}
	}
	if err := errors.Join(s.Close(), p.finish()); err != nil {
		return "", 0, err
	}
	segs, tail, ok := decodeIndex(p.comment)
	if !ok || tail != p.tail {
		return "", 0, errors.New("no index")
	}
	data, err := io.ReadAll(flate.NewReader(&out))
	return string(data), len(segs), err
}

// Marker is a segment marker of kind "begin", "end" or "copy" and a key
// made of b.
func Marker(kind string, b byte) string {
	var k segmentKey
	for i := range k {
		k[i] = b
	}
	return marker(kind+map[string]string{"begin": ":", "copy": ":", "end": ""}[kind], k)
}

// KeyedSegments counts the keyed segments an entry's comment lists.
func KeyedSegments(comment string) int {
	segs, _, _ := decodeIndex(comment)
	n := 0
	for _, s := range segs {
		if s.keyed {
			n++
		}
	}
	return n
}

// CorruptIndex is the comment with one segment's CRC-32 changed.
func CorruptIndex(comment string) string {
	segs, tail, ok := decodeIndex(comment)
	if !ok || len(segs) == 0 {
		return comment
	}
	segs[len(segs)/2].crc ^= 1
	return encodeIndex(segs, tail)
}

// SetBufferedSave makes Write build the package in excelize's buffer before
// the file, as it did before writeTo, until restore is called (not in
// parallel tests).
func SetBufferedSave(on bool) (restore func()) {
	old := bufferedSave
	bufferedSave = on
	return func() { bufferedSave = old }
}
