package local

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
)

// MaxFileSize bounds a report file; a daily report is a few kilobytes, and a
// year of them a few hundred.
const MaxFileSize = 32 << 20

// Extensions are the report file kinds read, in lookup order.
var Extensions = []string{".txt", ".md", ".csv"}

// Errors of ReadFile.
var (
	ErrTooLarge    = errors.New("file is too large for a report")
	ErrBinary      = errors.New("file is not text (it holds NUL bytes)")
	ErrUnsupported = errors.New("unsupported file type (want .txt, .md or .csv)")
)

// ReadFile reads a report file into a document: .txt as plain text, .md as
// Markdown, .csv as a spreadsheet export. ref resolves dates written without a year.
func ReadFile(path string, ref day.Date) (*document.Document, []document.Warning, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > MaxFileSize {
		return nil, nil, fmt.Errorf("%s: %w (%d bytes)", path, ErrTooLarge, info.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	doc, warns, err := Decode(filepath.Ext(path), data, ref)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	doc.Title = filepath.Base(path)
	return doc, warns, nil
}

// Decode turns file contents into a document by extension (".txt", ".md", ".csv").
// The text is read as UTF-8 (a byte-order mark is dropped), as UTF-16 when
// it starts with a UTF-16 byte-order mark or has the shape of UTF-16 (what
// Notepad saves as «Юникод»), and otherwise, when it is not UTF-8, as
// Windows-1251, which Russian Excel and Notepad still write. UTF-8 with a few
// broken bytes (a file cut and pasted together) stays UTF-8, the broken
// bytes shown as «�».
func Decode(ext string, data []byte, ref day.Date) (*document.Document, []document.Warning, error) {
	data, err := decodeText(data)
	if err != nil {
		return nil, nil, err
	}
	switch strings.ToLower(ext) {
	case ".txt":
		return document.FromText(string(data)), nil, nil
	case ".md", ".markdown":
		return document.FromMarkdown(string(data), ref), nil, nil
	case ".csv":
		return document.FromCSV(data, ref)
	}
	return nil, nil, fmt.Errorf("%w: %q", ErrUnsupported, ext)
}

// decodeText returns data as UTF-8 text (see Decode).
func decodeText(data []byte) ([]byte, error) {
	if enc, ok := utf16Of(data); ok {
		decoded, err := enc.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("decode utf-16: %w", err)
		}
		data = decoded
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, ErrBinary
	}
	switch {
	case utf8.Valid(data):
		return data, nil
	case mostlyUTF8(data):
		return bytes.ToValidUTF8(data, []byte("\uFFFD")), nil
	}
	decoded, err := charmap.Windows1251.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("decode windows-1251: %w", err)
	}
	return decoded, nil
}

// utf16Of recognises UTF-16 text: a byte-order mark, or, without one, an
// even length with NUL as every other byte in most of the text's first
// kilobyte (Cyrillic and Latin text in UTF-16 has a NUL or 0x04 high byte in
// every pair; Windows-1251 or UTF-8 text has no NUL at all).
func utf16Of(data []byte) (encoding.Encoding, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), true
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), true
	case len(data) < 4 || len(data)%2 != 0:
		return nil, false
	}
	head := data[:min(len(data), 1024)]
	var evenNUL, oddNUL int
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			evenNUL++
		}
		if head[i+1] == 0 {
			oddNUL++
		}
	}
	pairs := len(head) / 2
	switch {
	case oddNUL*10 >= pairs*3 && evenNUL == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), true
	case evenNUL*10 >= pairs*3 && oddNUL == 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), true
	}
	return nil, false
}

// mostlyUTF8 reports whether text that is not valid UTF-8 is UTF-8 with a
// few broken bytes rather than another encoding: it has multi-byte UTF-8
// characters, and at least ten times as many of them as broken bytes.
// (Windows-1251 Cyrillic almost never forms a valid multi-byte sequence.)
func mostlyUTF8(data []byte) bool {
	var good, bad int
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		switch {
		case r == utf8.RuneError && n <= 1:
			bad++
		case n > 1:
			good++
		}
		data = data[max(n, 1):]
	}
	return good > 0 && good >= bad*10
}
