package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// excelize writes the worksheets of stream writers in the order of a map,
// so two writes of the same model would order the parts of the package
// differently. sortedZip keeps the same model giving the same bytes: it
// compresses each part as excelize hands it over and writes them all, in
// the order of their names, when the package is closed.

// sortedZip is an excelize.ZipWriter that orders the parts by name.
type sortedZip struct {
	zw    *zip.Writer
	parts []*zipPart
	open  *zipPart      // the part being written, compressed into its buffer
	fix   *replacer     // what goes into open, when it is a worksheet
	fw    *flate.Writer // compresses every part in turn
}

type zipPart struct {
	name string
	data bytes.Buffer // deflated
	fw   *flate.Writer
	crc  uint32
	size uint64
}

func (p *zipPart) Write(b []byte) (int, error) {
	p.crc = crc32.Update(p.crc, crc32.IEEETable, b)
	p.size += uint64(len(b))
	return p.fw.Write(b)
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

func newSortedZip(w io.Writer) excelize.ZipWriter {
	return &sortedZip{zw: zip.NewWriter(w)}
}

// Create starts a part; it is written in full before the next one starts.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.end(); err != nil {
		return nil, err
	}
	p := &zipPart{name: name}
	if z.fw == nil {
		fw, err := flate.NewWriter(&p.data, flate.DefaultCompression)
		if err != nil {
			return nil, err
		}
		z.fw = fw
	} else {
		z.fw.Reset(&p.data)
	}
	fw := z.fw
	p.fw, z.open = fw, p
	if strings.HasPrefix(name, "xl/worksheets/") {
		z.fix = &replacer{w: p, old: drawingOwnNS, new: drawingR}
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
		err := z.fix.Close()
		z.fix = nil
		if err != nil {
			return err
		}
	}
	if err := p.fw.Close(); err != nil {
		return err
	}
	p.fw = nil
	z.parts = append(z.parts, p)
	return nil
}

// AddFS is not used by excelize to save a workbook.
func (z *sortedZip) AddFS(fs.FS) error {
	return errors.New("xlsx: AddFS is not supported")
}

// Close writes the parts in order (that of excelize's own parts: names from
// last to first) and ends the package.
func (z *sortedZip) Close() error {
	if err := z.end(); err != nil {
		return err
	}
	slices.SortStableFunc(z.parts, func(a, b *zipPart) int { return strings.Compare(b.name, a.name) })
	for i, p := range z.parts {
		w, err := z.zw.CreateRaw(&zip.FileHeader{
			Name: p.name, Method: zip.Deflate, CRC32: p.crc,
			CompressedSize64: uint64(p.data.Len()), UncompressedSize64: p.size,
		})
		if err != nil {
			return err
		}
		if _, err := p.data.WriteTo(w); err != nil {
			return err
		}
		z.parts[i] = nil // its bytes are in the package now
	}
	return z.zw.Close()
}
