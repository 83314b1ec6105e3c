// Package document is the neutral text model the report parser reads. Google
// Docs JSON, spreadsheet value grids, CSV, Markdown and plain text are all turned
// into a Document: an ordered list of blocks (paragraphs with a heading level,
// and table rows made of cells), each carrying the Location it came from so that
// every parse error can say exactly where it is. The parser never sees an API type.
package document

import (
	"fmt"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// Kind tells a paragraph from a table row.
type Kind uint8

const (
	// Paragraph is a line of text (a Docs paragraph, a line of a text file).
	Paragraph Kind = iota
	// Row is a table row, or one label/value pair of a spreadsheet.
	Row
)

// Location says where a block or cell came from. Only the fields that apply are
// set: Line for text files and Docs paragraphs, Table/Row for tables, Cell for
// spreadsheet cells; Tab names the Docs tab or the sheet when there is more than one.
type Location struct {
	Tab   string `json:"tab,omitempty"`
	Line  int    `json:"line,omitempty"`
	Table int    `json:"table,omitempty"`
	Row   int    `json:"row,omitempty"`
	Cell  string `json:"cell,omitempty"`
}

// IsZero reports whether the location names nothing.
func (l Location) IsZero() bool { return l == Location{} }

// String is the language-neutral form used in JSON: "line 12", "table 2, row 3",
// "B7", with a tab prefix ("tab \"Ноябрь\", line 12", "'Отчёты'!B7") when known.
func (l Location) String() string { return l.Format("en") }

// Format renders the location for people in the given language ("ru" or "en").
func (l Location) Format(lang string) string {
	ru := lang == "ru"
	var place string
	switch {
	case l.Cell != "":
		if l.Tab != "" {
			return "'" + strings.ReplaceAll(l.Tab, "'", "''") + "'!" + l.Cell
		}
		if ru {
			return "ячейка " + l.Cell
		}
		return l.Cell
	case l.Table > 0 && ru:
		place = fmt.Sprintf("таблица %d, строка %d", l.Table, l.Row)
	case l.Table > 0:
		place = fmt.Sprintf("table %d, row %d", l.Table, l.Row)
	case l.Line > 0 && ru:
		place = fmt.Sprintf("строка %d", l.Line)
	case l.Line > 0:
		place = fmt.Sprintf("line %d", l.Line)
	}
	if l.Tab == "" {
		return place
	}
	tab := fmt.Sprintf("tab %q", l.Tab)
	if ru {
		tab = "вкладка «" + l.Tab + "»"
	}
	if place == "" {
		return tab
	}
	return tab + ", " + place
}

// MarshalText makes a Location a plain string in JSON.
func (l Location) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Cell is one table cell.
type Cell struct {
	Text string
	Loc  Location
}

// Block is a paragraph or a table row.
type Block struct {
	Kind Kind
	// Text is the paragraph text; for a row, its non-empty cells joined by " | ".
	Text string
	// Heading is 0 for normal text, 1–6 for headings (Docs HEADING_n, Markdown #).
	Heading int
	// Header marks a table's header row (Markdown header, detected sheet header).
	Header bool
	// Cells of a row.
	Cells []Cell
	// Date is set when the block carries a date of its own: a Docs date chip, or the
	// date cell of a spreadsheet day. Such a block starts a day section.
	Date day.Date
	Loc  Location
}

// Document is what a source fetched: blocks in reading order.
type Document struct {
	Title  string
	Blocks []Block
}

// rowText joins the non-empty cells of a row for display and for rows that hold
// a single "Label: value" cell.
func rowText(cells []Cell) string {
	var parts []string
	for _, c := range cells {
		if t := strings.TrimSpace(c.Text); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " | ")
}

// NewRow builds a Row block from cells, filling Text.
func NewRow(cells []Cell, loc Location) Block {
	return Block{Kind: Row, Cells: cells, Text: rowText(cells), Loc: loc}
}
