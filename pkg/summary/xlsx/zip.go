package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// excelize writes the worksheets of stream writers in the order of a map,
// so two writes of the same model would order the parts of the package
// differently. sortedZip keeps the same model giving the same bytes: it
// compresses each part as excelize hands it over into a temporary file, and
// copies them all into the package, in the order of their names, when the
// package is closed. The file, not memory, holds them: a large team's tabs
// are megabytes even compressed, and excelize builds the package in memory.

// partCompression is the deflate level of the parts. Deflate was 38 % of
// the CPU of writing 10 000 employees' workbook at the default level (6);
// at 2, the writer takes 7.7 CPU-s instead of 10.5 for a workbook of 14.4
// MiB instead of 11.6 (BenchmarkWriteLarge: level 1 gave 7.4 CPU-s and 17.0
// MiB, level 3 8.0 and 13.3). The summary is rewritten whenever a report
// changes, so its CPU counts more than its size.
const partCompression = 2

// sortedZip is an excelize.ZipWriter that orders the parts by name.
type sortedZip struct {
	zw    *zip.Writer
	old   *oldSegments  // the segments of the workbook being replaced (segments.go)
	seg   *segmenter    // what goes into open from fix
	spill *os.File      // the deflated parts, one after another
	mem   bytes.Buffer  // or they, when no temporary file can be made
	buf   *bufio.Writer // writes to spill
	next  int64         // where the next part starts in spill
	parts []*zipPart
	open  *zipPart      // the part being written
	fix   *replacer     // what goes into open, when it is a worksheet
	fw    *flate.Writer // compresses every part in turn
}

type zipPart struct {
	name string
	off  int64 // where its deflated bytes start in the spill file
	out  counter
	crc  uint32
	size uint64
	fw   *flate.Writer

	// A worksheet is deflated in segments (segments.go): segs are those
	// done, cur the one being written, tail the length of the bytes that
	// end the deflate stream, comment the index of the segments.
	segmented bool
	segs      []segment
	cur       segment
	old       *oldSegments
	tail      int64
	comment   string
}

func (p *zipPart) Write(b []byte) (int, error) {
	p.crc = crc32.Update(p.crc, crc32.IEEETable, b)
	p.size += uint64(len(b))
	if p.segmented {
		p.cur.crc = crc32.Update(p.cur.crc, crc32.IEEETable, b)
		p.cur.size += int64(len(b))
	}
	return p.fw.Write(b)
}

// cut ends the segment being written (a sync flush: its bytes end on a
// byte and hold all of it) and starts the next with a fresh dictionary,
// keyed by k when keyed.
func (p *zipPart) cut(keyed bool, k segmentKey) error {
	if p.cur.size > 0 {
		if err := p.fw.Flush(); err != nil {
			return err
		}
		p.cur.clen = p.out.n - p.cur.off
		p.segs = append(p.segs, p.cur)
	}
	p.fw.Reset(&p.out)
	p.cur = segment{off: p.out.n, keyed: keyed, key: k}
	return nil
}

// splice puts the old workbook's segment of key k, deflated as it is.
func (p *zipPart) splice(k segmentKey) error {
	if err := p.cut(false, segmentKey{}); err != nil {
		return err
	}
	s, err := p.old.copyTo(&p.out, k)
	if err != nil {
		return err
	}
	p.segs = append(p.segs, segment{off: p.cur.off, clen: s.clen, size: s.size, crc: s.crc, keyed: true, key: k})
	p.crc = crc32Combine(p.crc, s.crc, s.size)
	p.size += uint64(s.size)
	p.cur = segment{off: p.out.n}
	return nil
}

// finish ends the deflate stream of the part.
func (p *zipPart) finish() error {
	if !p.segmented {
		return p.fw.Close()
	}
	if err := p.cut(false, segmentKey{}); err != nil {
		return err
	}
	from := p.out.n
	if err := p.fw.Close(); err != nil { // an empty last block
		return err
	}
	p.tail = p.out.n - from
	p.comment = encodeIndex(p.segs, p.tail)
	return nil
}

// counter counts the bytes it writes to w.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// sortedZipFrom makes sortedZips that copy the segments old holds (nil:
// none).
func sortedZipFrom(old *oldSegments) func(io.Writer) excelize.ZipWriter {
	return func(w io.Writer) excelize.ZipWriter {
		return &sortedZip{zw: zip.NewWriter(w), old: old}
	}
}

// Create starts a part; it is written in full before the next one starts.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.end(); err != nil {
		return nil, err
	}
	if z.buf == nil {
		// Without a temporary directory the parts stay in memory, as
		// excelize's streams do.
		var to io.Writer = &z.mem
		if spill, err := os.CreateTemp("", "dayreport-xlsx-*.tmp"); err == nil {
			z.spill, to = spill, spill
		}
		z.buf = bufio.NewWriterSize(to, 64<<10)
	}
	p := &zipPart{name: name, off: z.next}
	p.out.w = z.buf
	if z.fw == nil {
		fw, err := flate.NewWriter(&p.out, partCompression)
		if err != nil {
			return nil, err
		}
		z.fw = fw
	} else {
		z.fw.Reset(&p.out)
	}
	p.fw, z.open = z.fw, p
	if strings.HasPrefix(name, "xl/worksheets/") {
		p.segmented, p.old = true, z.old
		z.seg = &segmenter{p: p}
		z.fix = &replacer{w: z.seg, old: drawingOwnNS, new: drawingR}
		return z.fix, nil
	}
	return p, nil
}

// end finishes the part being written.
func (z *sortedZip) end() error {
	p := z.open
	if p == nil {
		return nil
	}
	z.open = nil
	if z.fix != nil {
		err := errors.Join(z.fix.Close(), z.seg.Close())
		z.fix, z.seg = nil, nil
		if err != nil {
			return err
		}
	}
	if err := p.finish(); err != nil {
		return err
	}
	p.fw = nil
	z.next += p.out.n
	z.parts = append(z.parts, p)
	return nil
}

// AddFS is not used by excelize to save a workbook.
func (z *sortedZip) AddFS(fs.FS) error {
	return errors.New("xlsx: AddFS is not supported")
}

// Close writes the parts in order (that of excelize's own parts: names from
// last to first), ends the package and removes the temporary file.
func (z *sortedZip) Close() error {
	defer z.removeSpill()
	defer func() { _ = z.old.Close() }() // read only by now
	if err := z.end(); err != nil {
		return err
	}
	if z.buf != nil {
		if err := z.buf.Flush(); err != nil {
			return err
		}
	}
	var from io.ReaderAt = bytes.NewReader(z.mem.Bytes())
	if z.spill != nil {
		from = z.spill
	}
	slices.SortStableFunc(z.parts, func(a, b *zipPart) int { return strings.Compare(b.name, a.name) })
	for _, p := range z.parts {
		w, err := z.zw.CreateRaw(&zip.FileHeader{
			Name: p.name, Method: zip.Deflate, CRC32: p.crc, Comment: p.comment,
			CompressedSize64: uint64(p.out.n), UncompressedSize64: p.size,
		})
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, io.NewSectionReader(from, p.off, p.out.n)); err != nil {
			return err
		}
	}
	return z.zw.Close()
}

func (z *sortedZip) removeSpill() {
	if z.spill != nil {
		_ = z.spill.Close()           // read only by now
		_ = os.Remove(z.spill.Name()) // in the temporary directory: left, it is cleaned some day
		z.spill = nil
	}
}

// A stream writer encodes the sheet's drawing (the team chart) on its own,
// so the relationship namespace gets a prefix of its own instead of the r:
// the <worksheet> element declares. It means the same, but it is not what
// excelize writes for other sheets and spreadsheet applications read, so
// the prefix is put back as the sheet goes into the package.
var (
	drawingOwnNS = []byte(`<drawing xmlns:relationships="http://schemas.openxmlformats.org/officeDocument/2006/relationships" relationships:id=`)
	drawingR     = []byte(`<drawing r:id=`)
)

// replacer writes what is written to it to w with every old replaced by
// new, also where old is cut between two writes.
type replacer struct {
	w        io.Writer
	old, new []byte
	held     []byte // the end of the last write, which may start an old
	buf      []byte // held and the next write, reused
}

// replacerChunk bounds what a replacer copies at once: excelize hands over a
// sheet still in memory in a single write.
const replacerChunk = 64 << 10

func (r *replacer) Write(b []byte) (int, error) {
	for i := 0; i < len(b); i += replacerChunk {
		if err := r.chunk(b[i:min(i+replacerChunk, len(b))]); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

func (r *replacer) chunk(b []byte) error {
	r.buf = append(append(r.buf[:0], r.held...), b...)
	data := r.buf
	// An old that starts before safe ends within data.
	safe := len(data) - len(r.old) + 1
	pos := 0
	for {
		i := bytes.Index(data[pos:], r.old)
		if i < 0 {
			break
		}
		if err := r.write(data[pos:pos+i], r.new); err != nil {
			return err
		}
		pos += i + len(r.old)
	}
	if pos < safe {
		if err := r.write(data[pos:safe]); err != nil {
			return err
		}
		pos = safe
	}
	r.held = append(r.held[:0], data[pos:]...)
	return nil
}

func (r *replacer) write(parts ...[]byte) error {
	for _, p := range parts {
		if _, err := r.w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// Close writes what is held.
func (r *replacer) Close() error {
	_, err := r.w.Write(r.held)
	r.held = nil
	return err
}

// segmenter takes the markers out of a worksheet's stream and tells its
// part where segments begin, end and are copied (segments.go).
type segmenter struct {
	p    *zipPart
	held []byte // the end of the last write, which may start a marker
	buf  []byte // held and the next write, reused
}

var markerOpenBytes, markerCloseBytes = []byte(markerOpen), []byte(markerClose)

func (s *segmenter) Write(b []byte) (int, error) {
	data := b
	if len(s.held) > 0 {
		s.buf = append(append(s.buf[:0], s.held...), b...)
		data = s.buf
		s.held = s.held[:0]
	}
	for {
		i := bytes.Index(data, markerOpenBytes)
		if i < 0 {
			break
		}
		if _, err := s.p.Write(data[:i]); err != nil {
			return 0, err
		}
		j := bytes.Index(data[i:], markerCloseBytes)
		if j < 0 {
			if len(data)-i > markerMax {
				return 0, errors.New("a malformed segment marker")
			}
			s.held = append(s.held, data[i:]...)
			return len(b), nil
		}
		if err := s.mark(string(data[i+len(markerOpen) : i+j])); err != nil {
			return 0, err
		}
		data = data[i+j+len(markerClose):]
	}
	keep := 0 // the longest end of data that starts a marker
	for n := min(len(data), len(markerOpen)-1); n > 0; n-- {
		if bytes.HasPrefix(markerOpenBytes, data[len(data)-n:]) {
			keep = n
			break
		}
	}
	if _, err := s.p.Write(data[:len(data)-keep]); err != nil {
		return 0, err
	}
	s.held = append(s.held, data[len(data)-keep:]...)
	return len(b), nil
}

// mark does what a marker says.
func (s *segmenter) mark(body string) error {
	if body == markerEnd {
		return s.p.cut(false, segmentKey{})
	}
	var k segmentKey
	kind, h := body, ""
	for _, pre := range []string{markerBegin, markerCopy} {
		if rest, ok := strings.CutPrefix(body, pre); ok {
			kind, h = pre, rest
		}
	}
	if n, err := hex.Decode(k[:], []byte(h)); err != nil || n != keySize {
		return fmt.Errorf("a malformed segment marker %q", body)
	}
	if kind == markerBegin {
		return s.p.cut(true, k)
	}
	return s.p.splice(k)
}

// Close writes what is held.
func (s *segmenter) Close() error {
	if len(s.held) > 0 && bytes.HasPrefix(s.held, markerOpenBytes) {
		return errors.New("a segment marker cut short")
	}
	_, err := s.p.Write(s.held)
	s.held = nil
	return err
}
