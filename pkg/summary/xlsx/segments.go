package xlsx

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"strings"

	"github.com/dayreport/dayreport/pkg/buildinfo"
	"github.com/xuri/excelize/v2"
)

// A pass that read one changed report rewrites the whole workbook, and for
// a large team nearly every row of it is what the last write wrote. So the
// rows of a tab are written in segments of segmentRows rows, each deflated
// on its own (a fresh dictionary, ended by a sync flush, so that its bytes
// do not depend on what came before them), and each named by a key: the
// digest of everything SetRow would make its XML of (the row numbers, the
// cells' values and style ids; a segment's rows keep the default height)
// and of the writer (segmentStamp). The worksheet's entry in the package
// carries, in its comment, where each segment of it lies, its CRC-32 and
// length, and its key. The next write reads that index from the workbook it replaces: a
// segment whose key it holds is not laid out in XML nor deflated again,
// its deflated bytes are copied from the old workbook. The file is the
// same, byte for byte, as a write of the same model from nothing
// (TestSegmentsReused).
//
// The rows go to excelize's stream; what it does not know is told to the
// package in band: a marker (an XML comment no excelize output holds) is
// put in the stream where a segment begins, ends or is copied, and the
// package (sortedZip) takes the markers out as it deflates the worksheet.
//
// The index is trusted only when it accounts for the whole entry: the
// segments' lengths add up to the entry's, and their CRCs combine into the
// entry's CRC. A workbook saved by a spreadsheet application has no index
// (its entries have no comment), and is written from nothing.

// segmentRows is how many rows a segment holds: a few hundred rows of a
// tab are some 100 KiB of XML, large enough for deflate, small enough that
// one changed row costs little.
const segmentRows = 256

// keySize is the length of a segment's key.
const keySize = 16

type segmentKey [keySize]byte

// Markers in a worksheet's stream.
const (
	markerOpen  = "<!--dayreport:"
	markerClose = "-->"
	// begin:KEY starts a segment of that key, end ends it, copy:KEY puts
	// the old workbook's segment of that key.
	markerBegin = "begin:"
	markerEnd   = "end"
	markerCopy  = "copy:"
	// markerMax is the length of the longest marker.
	markerMax = len(markerOpen) + len(markerBegin) + 2*keySize + len(markerClose)
)

// indexPrefix starts the comment of a worksheet entry written in segments.
const indexPrefix = "dayreport-segments/1 "

// segmentStamp names the writer of the segments: a segment written by
// another build of dayreport, or with another excelize, is written again
// (read when a workbook is written, not when the program starts).
func segmentStamp() string { return "segments/1\n" + buildinfo.Stamp() }

// segment is one deflated segment of a worksheet entry.
type segment struct {
	off   int64 // where its deflated bytes start in the entry's
	clen  int64 // their length
	size  int64 // the length of its XML
	crc   uint32
	keyed bool
	key   segmentKey
}

// oldSegments are the keyed segments of the workbook being replaced.
type oldSegments struct {
	f      *os.File
	keys   map[segmentKey]oldSegment
	copied int // how many were copied
	buf    []byte
	// gathered counts the tabs laid out once (sheet.write), relaid those
	// laid out again because they held too much that changed.
	gathered, relaid int
}

// oldSegment is where a segment's deflated bytes lie in the old file.
type oldSegment struct {
	at, clen, size int64
	crc            uint32
}

// openSegments reads the segment indexes of the workbook at path (nil when
// it has none, or cannot be read: everything is written from nothing).
func openSegments(path string) *oldSegments {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	info, err := f.Stat()
	if err == nil {
		var zr *zip.Reader
		if zr, err = zip.NewReader(f, info.Size()); err == nil {
			o := &oldSegments{f: f, keys: map[segmentKey]oldSegment{}}
			for _, e := range zr.File {
				o.add(e)
			}
			if len(o.keys) > 0 {
				return o
			}
		}
	}
	_ = f.Close()
	return nil
}

// add takes the keyed segments of an entry whose index accounts for it.
func (o *oldSegments) add(e *zip.File) {
	segs, tail, ok := decodeIndex(e.Comment)
	if !ok || e.Method != zip.Deflate {
		return
	}
	at, err := e.DataOffset()
	if err != nil {
		return
	}
	var clen, size int64
	var crc uint32
	for _, s := range segs {
		if s.off != clen {
			return
		}
		clen += s.clen
		size += s.size
		crc = crc32Combine(crc, s.crc, s.size)
	}
	if uint64(clen+tail) != e.CompressedSize64 || uint64(size) != e.UncompressedSize64 || crc != e.CRC32 {
		return
	}
	for _, s := range segs {
		if s.keyed {
			o.keys[s.key] = oldSegment{at: at + s.off, clen: s.clen, size: s.size, crc: s.crc}
		}
	}
}

// has says whether the old workbook holds the segment of key k.
func (o *oldSegments) has(k segmentKey) bool {
	if o == nil {
		return false
	}
	_, ok := o.keys[k]
	return ok
}

// copyTo writes the deflated bytes of the segment of key k to w.
func (o *oldSegments) copyTo(w io.Writer, k segmentKey) (oldSegment, error) {
	if o == nil || o.f == nil {
		return oldSegment{}, fmt.Errorf("no segment %x: no old workbook", k)
	}
	s, ok := o.keys[k]
	if !ok {
		return s, fmt.Errorf("no segment %x in the old workbook", k)
	}
	if o.buf == nil {
		// One buffer for every segment copied: io.Copy made one of 32 KiB
		// for each (1 738 segments: 55 MiB allocated by a rewrite of the
		// workbook of 10 000 employees).
		o.buf = make([]byte, 32<<10)
	}
	n, err := io.CopyBuffer(w, io.NewSectionReader(o.f, s.at, s.clen), o.buf)
	if err == nil && n != s.clen {
		err = io.ErrUnexpectedEOF
	}
	o.copied++
	return s, err
}

// reuse is what a write took from the workbook it replaced: the segments
// of rows copied, the tabs laid out once and those laid out again.
type reuse struct{ copied, gathered, relaid int }

// done closes the old workbook and tells c (when set) what was reused.
func (o *oldSegments) done(c *reuse) {
	if c != nil && o != nil {
		*c = reuse{copied: o.copied, gathered: o.gathered, relaid: o.relaid}
	}
	_ = o.Close()
}

// Close closes the old workbook (before it is replaced).
func (o *oldSegments) Close() error {
	if o == nil || o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	return err
}

// encodeIndex is the comment of an entry of segments deflated, then tail
// bytes that end the deflate stream ("" when it would not fit a comment:
// the entry is then written from nothing next time).
func encodeIndex(segs []segment, tail int64) string {
	var b []byte
	b = binary.AppendUvarint(b, uint64(tail))
	for _, s := range segs {
		b = binary.AppendUvarint(b, uint64(s.clen))
		b = binary.AppendUvarint(b, uint64(s.size))
		b = binary.LittleEndian.AppendUint32(b, s.crc)
		if s.keyed {
			b = append(b, 1)
			b = append(b, s.key[:]...)
		} else {
			b = append(b, 0)
		}
	}
	c := indexPrefix + base64.RawStdEncoding.EncodeToString(b)
	if len(c) > math.MaxUint16 {
		return ""
	}
	return c
}

// decodeIndex reads an entry's comment.
func decodeIndex(comment string) (segs []segment, tail int64, ok bool) {
	rest, found := strings.CutPrefix(comment, indexPrefix)
	if !found {
		return nil, 0, false
	}
	b, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return nil, 0, false
	}
	r := bytes.NewReader(b)
	t, err := binary.ReadUvarint(r)
	if err != nil || t > math.MaxInt32 {
		return nil, 0, false
	}
	var off int64
	for r.Len() > 0 {
		var s segment
		clen, err1 := binary.ReadUvarint(r)
		size, err2 := binary.ReadUvarint(r)
		var crc [4]byte
		_, err3 := io.ReadFull(r, crc[:])
		keyed, err4 := r.ReadByte()
		if err := errors.Join(err1, err2, err3, err4); err != nil || clen > math.MaxInt32 || size > math.MaxInt32 || keyed > 1 {
			return nil, 0, false
		}
		s.off, s.clen, s.size, s.crc = off, int64(clen), int64(size), binary.LittleEndian.Uint32(crc[:])
		if keyed == 1 {
			if _, err := io.ReadFull(r, s.key[:]); err != nil {
				return nil, 0, false
			}
			s.keyed = true
		}
		off += s.clen
		segs = append(segs, s)
	}
	return segs, int64(t), true
}

// crc32Combine is the CRC-32 (IEEE) of two pieces of data put together,
// from the CRC of each and the length of the second: the CRC of the first
// is carried through len2 zero bytes, that is multiplied by x^(8·len2)
// modulo the polynomial, then the second's added. The power is made of
// the powers x^(2^k) for the bits of 8·len2 (crcPowers): some 40
// multiplications of 32 steps, where squaring a 32×32 operator for each
// bit of len2, as zlib once did, took some 60 times as long (a rewrite
// that copies the workbook's segments combines hundreds of CRCs).
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	return multModP(xPowModP(uint64(len2), 3), crc1) ^ crc2
}

// crcPoly is the CRC-32 (IEEE) polynomial, reflected: bit 31 is x^0.
const crcPoly = 0xedb88320

// multModP is a(x)·b(x) modulo the polynomial, both reflected.
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// crcPowers[k] is x^(2^k) modulo the polynomial, reflected, for every k
// xPowModP meets: 3 (a byte's bits) and up to 63 more (a positive int64's
// bits).
var crcPowers = func() (t [3 + 64]uint32) {
	t[0] = 1 << 30 // x^1
	for k := 1; k < len(t); k++ {
		t[k] = multModP(t[k-1], t[k-1])
	}
	return t
}()

// xPowModP is x^(n·2^k) modulo the polynomial, reflected.
func xPowModP(n uint64, k int) uint32 {
	p := uint32(1) << 31 // x^0
	for ; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = multModP(crcPowers[k], p)
		}
	}
	return p
}

// rowDigest digests the rows of a segment as SetRow would write them.
type rowDigest struct {
	h   hash.Hash
	buf []byte
}

func newRowDigest() *rowDigest {
	d := &rowDigest{h: sha256.New()}
	d.reset()
	return d
}

func (d *rowDigest) reset() {
	d.h.Reset()
	_, _ = io.WriteString(d.h, segmentStamp())
}

// row digests row number n and its cells (nil: left out). A row of a
// segment has the default height: only a tab's first row, never in a
// segment, is given one.
func (d *rowDigest) row(n int, cells []any) {
	b := binary.AppendUvarint(d.buf[:0], uint64(n))
	b = binary.AppendUvarint(b, uint64(len(cells)))
	for _, v := range cells {
		c, ok := v.(*excelize.Cell)
		if !ok || c == nil {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(c.StyleID))
		switch v := c.Value.(type) {
		case nil:
			b = append(b, 1)
		case string:
			b = append(b, 2)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case float64:
			b = append(b, 3)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case int64:
			b = append(b, 4)
			b = binary.AppendVarint(b, v)
		default:
			// Not a value sheet.cell makes: written, never reused.
			b = append(b, 5)
			b = fmt.Appendf(b, "%T %v", v, v)
		}
	}
	d.h.Write(b)
	d.buf = b
}

// key is the digest of the rows so far.
func (d *rowDigest) key() segmentKey {
	var k segmentKey
	copy(k[:], d.h.Sum(d.buf[:0]))
	return k
}

// marker is the marker of kind (markerBegin, markerEnd, markerCopy) and key.
func marker(kind string, k segmentKey) string {
	if kind == markerEnd {
		return markerOpen + markerEnd + markerClose
	}
	return markerOpen + kind + hex.EncodeToString(k[:]) + markerClose
}
