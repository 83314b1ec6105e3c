package local

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

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
// Text that is not UTF-8 is read as Windows-1251, which Russian Excel and
// Notepad still write.
func Decode(ext string, data []byte, ref day.Date) (*document.Document, []document.Warning, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, nil, ErrBinary
	}
	if !utf8.Valid(data) {
		decoded, err := charmap.Windows1251.NewDecoder().Bytes(data)
		if err != nil {
			return nil, nil, fmt.Errorf("decode windows-1251: %w", err)
		}
		data = decoded
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
