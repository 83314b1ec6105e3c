package xlsx

import (
	"bytes"
	"os"
	"reflect"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// A StreamWriter keeps its rows in a bytes.Buffer and moves them to a
// temporary file only once they pass excelize.StreamChunkSize (16 MiB), a
// constant. For a team of 10 000 the buffer of the days tab grows to a
// 32 MiB array before its first move, and the buffer is emptied, not
// dropped, so every large tab keeps such an array until the workbook is
// closed: most of what a write took.
//
// excelize offers no way to set the size, so streamBuffer reaches the
// buffer and the file by their field names (rawData.buf, rawData.tmp,
// rawData.tmpDir) and, every spillChunk of rows, moves the rows to the file
// itself, as excelize does at 16 MiB (the same bytes, in the same order, to
// the same kind of file, which excelize reads back and removes as its own).
// After the last row releaseBuffer drops the array. If excelize renames or
// retypes the fields, both do nothing and the write takes what excelize
// takes (TestStreamSpills and TestStreamBufferReleased say so).

// spillChunk is how much of a tab's rows a stream holds in memory: enough
// that a move writes the file in large pieces, little beside the rest of a
// pass (at 1 MiB, the buffer grown by doubling was up to 2 MiB live at the
// peak of a first pass of 10 000 employees).
var spillChunk = 256 << 10

// streamBuffer is where a StreamWriter keeps its rows.
type streamBuffer struct {
	buf    *bytes.Buffer
	tmp    **os.File
	tmpDir string
}

// bufferOf finds the buffer of sw; ok is false when excelize keeps it
// elsewhere than release.go looks.
func bufferOf(sw *excelize.StreamWriter) (b streamBuffer, ok bool) {
	raw := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if raw.Kind() != reflect.Struct || !raw.CanAddr() {
		return b, false
	}
	buf, tmp, dir := raw.FieldByName("buf"), raw.FieldByName("tmp"), raw.FieldByName("tmpDir")
	if !buf.IsValid() || buf.Type() != reflect.TypeFor[bytes.Buffer]() ||
		!tmp.IsValid() || tmp.Type() != reflect.TypeFor[*os.File]() ||
		!dir.IsValid() || dir.Kind() != reflect.String {
		return b, false
	}
	b.buf = (*bytes.Buffer)(unsafe.Pointer(buf.UnsafeAddr()))
	b.tmp = (**os.File)(unsafe.Pointer(tmp.UnsafeAddr()))
	b.tmpDir = dir.String()
	return b, true
}

// spill moves the rows of the stream to its temporary file once they pass
// spillChunk, making the file as excelize would. Without a temporary
// directory the rows stay in memory, as they do in excelize.
func (b streamBuffer) spill() error {
	if b.buf == nil || b.buf.Len() < spillChunk {
		return nil
	}
	if *b.tmp == nil {
		f, err := os.CreateTemp(b.tmpDir, "excelize-")
		if err != nil {
			return nil //nolint:nilerr // as excelize: no local storage, the rows stay in memory
		}
		*b.tmp = f
	}
	_, err := b.buf.WriteTo(*b.tmp)
	return err
}

// releaseBuffer drops the array of a flushed stream whose rows are all in its
// temporary file, and says whether it did.
func releaseBuffer(sw *excelize.StreamWriter) bool {
	b, ok := bufferOf(sw)
	if !ok || b.buf.Len() > 0 || b.buf.Cap() == 0 {
		return false // rows still in memory, or nothing to drop
	}
	*b.buf = bytes.Buffer{}
	return true
}
