package xlsx

import (
	"bytes"
	"reflect"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// A StreamWriter keeps its rows in a bytes.Buffer and moves them to a
// temporary file once they pass excelize.StreamChunkSize (16 MiB). The
// buffer is emptied, not dropped: the file keeps its 32 MiB array, grown
// while the last rows went in, until the workbook is closed. A team of
// 10 000 has two tabs that large (the days, the funnel's employees), so that
// memory held for nothing would be most of what a write takes.
//
// excelize offers no way to drop it, so releaseBuffer reaches the buffer by
// its field names (rawData.buf) and swaps an empty one for a zero
// bytes.Buffer, which is the same buffer without the array. It touches the
// buffer only when it is empty, so no row is ever lost; if excelize renames
// or retypes the fields it does nothing (TestStreamBufferReleased says so).

// releaseBuffer drops the array of a flushed stream whose rows are all in its
// temporary file, and says whether it did.
func releaseBuffer(sw *excelize.StreamWriter) bool {
	raw := reflect.ValueOf(sw).Elem().FieldByName("rawData")
	if raw.Kind() != reflect.Struct {
		return false
	}
	field := raw.FieldByName("buf")
	if !field.IsValid() || field.Type() != reflect.TypeFor[bytes.Buffer]() || !field.CanAddr() {
		return false
	}
	buf := (*bytes.Buffer)(unsafe.Pointer(field.UnsafeAddr()))
	if buf.Len() > 0 || buf.Cap() == 0 {
		return false // rows still in memory, or nothing to drop
	}
	*buf = bytes.Buffer{}
	return true
}
