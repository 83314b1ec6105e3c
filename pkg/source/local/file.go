package local

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	// ErrNotRegular refuses what is not a plain file: a named pipe (whose
	// read would wait forever), a device (/dev/zero never ends), a folder.
	ErrNotRegular = errors.New("not a regular file: refused")
	// ErrOutside refuses a link that leads out of the report folder.
	ErrOutside = errors.New("a link that leads out of the report folder: refused")
)

// ReadFile reads a report file into a document: .txt as plain text, .md as
// Markdown, .csv as a spreadsheet export. ref resolves dates written without
// a year. It opens only a regular file (a link is followed: the person
// running `check --file` named it), never waits on a named pipe, and reads at
// most MaxFileSize bytes whatever the file claims its size to be.
func ReadFile(path string, ref day.Date) (*document.Document, []document.Warning, error) {
	data, err := readLimited(path, openFlags)
	if err != nil {
		return nil, nil, err
	}
	return decodeFile(path, data, ref)
}

// ReadFileIn reads a report file of the folder dir (the local source): like
// ReadFile, and a link is followed only when it leads to a file inside dir.
func ReadFileIn(dir, path string, ref day.Date) (*document.Document, []document.Warning, error) {
	resolved, err := inside(dir, path)
	if err != nil {
		return nil, nil, err
	}
	data, err := readLimited(resolved, openFlagsNoFollow)
	if err != nil {
		return nil, nil, err
	}
	return decodeFile(path, data, ref)
}

// inside resolves path's links and returns the file it leads to, which must
// lie in dir (itself resolved: a report folder may be a link).
func inside(dir, path string) (string, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	if root, err = filepath.Abs(root); err != nil {
		return "", err
	}
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	if resolved, err = filepath.Abs(resolved); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, resolved)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s: %w (it leads to %s)", path, ErrOutside, resolved)
	}
	return resolved, nil
}

// readLimited opens path without waiting (a named pipe opens at once and is
// then refused), checks on the open file that it is a regular one (no race
// between a look and the read), and reads it through a limit of MaxFileSize.
func readLimited(path string, flags int) ([]byte, error) {
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, fileKind(info.Mode()))
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %w (%d bytes, at most %d)", path, ErrTooLarge, info.Size(), MaxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w (more than %d bytes)", path, ErrTooLarge, MaxFileSize)
	}
	return data, nil
}

// fileKind names what a file that is not regular is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a link"
	}
	return m.Type().String()
}

func decodeFile(path string, data []byte, ref day.Date) (*document.Document, []document.Warning, error) {
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
// Windows-1251, which Russian Excel and Notepad still write. UTF-8 with a
// part in another encoding pasted in (a line with a run of bytes that are
// not UTF-8) is a *MixedEncodingError naming its first line; a stray byte or
// two (a character cut in two) is shown as «�».
func Decode(ext string, data []byte, ref day.Date) (*document.Document, []document.Warning, error) {
	data, err := decodeText(data)
	if err != nil {
		return nil, nil, err
	}
	switch strings.ToLower(ext) {
	case ".txt", ".md", ".markdown":
		if err := checkLines(data); err != nil {
			return nil, nil, err
		}
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

// checkLines refuses a text over document.MaxLines before any line of it
// becomes a block (the document costs a few hundred bytes a line).
func checkLines(data []byte) error {
	lines := 1 + bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n"))
	if lines <= document.MaxLines {
		return nil
	}
	return &document.LimitError{What: "lines", Limit: document.MaxLines, Loc: document.Location{Line: document.MaxLines + 1}}
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
		if line := pastedLine(data); line > 0 {
			return nil, &MixedEncodingError{Line: line}
		}
		// A stray byte (a character cut in two) is shown as «�».
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

// MixedEncodingError refuses UTF-8 text with bytes that are not UTF-8 in
// it (a part pasted from a file in another encoding): read either way, a
// part of it would be garbled without a word.
type MixedEncodingError struct {
	// Line is the first line with such bytes.
	Line int
}

func (e *MixedEncodingError) Error() string {
	return fmt.Sprintf("line %d: bytes that are not UTF-8 in a UTF-8 file (a part pasted in another encoding?); save the whole file as UTF-8", e.Line)
}

// pastedWord is how many bytes that are not UTF-8 one line must hold to be
// text in another encoding (a Windows-1251 word is a run of them) rather
// than a stray byte or two.
const pastedWord = 3

// pastedLine is the 1-based line of the first line holding pastedWord
// bytes that are not UTF-8, or 0 when there is none.
func pastedLine(data []byte) int {
	line, bad := 1, 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			if bad++; bad >= pastedWord {
				return line
			}
		case data[i] == '\n':
			line, bad = line+1, 0
		}
		i += max(n, 1)
	}
	return 0
}

// mostlyUTF8 reports whether text that is not valid UTF-8 holds UTF-8 too
// rather than being in another encoding alone: it has multi-byte UTF-8
// characters, at least a tenth as many as broken bytes, or eight and a
// hundredth as many (a UTF-8 file with a long Windows-1251 part pasted in).
// Windows-1251 Cyrillic seldom forms a valid multi-byte sequence (an
// upper-case letter before «»: «КП»): a file of it alone has far fewer.
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
	return good > 0 && (good*10 >= bad || good >= 8 && good*100 >= bad)
}
