package xlsx

import (
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// look is one cell style: the number format of a kind, the font of a tone,
// a fill, and whether the cell is part of a ruled table.
type look struct {
	kind  summary.Kind
	tone  summary.Tone
	fill  string
	ruled bool
}

var formats = map[summary.Kind]string{
	summary.Date:    "dd.mm.yyyy",
	summary.Count:   "0",
	summary.Rating:  "0.0",
	summary.Percent: "0.0%",
	summary.Change:  "+0.0%;-0.0%;0.0%",
}

// Fills are pale so that the text stays readable when printed.
var (
	toneFills = map[summary.Tone]string{
		summary.Header: "D9E1F2",
		summary.Weak:   "F4B6B6",
	}
	// dayFills colour a day by its status; the other statuses need no
	// attention. The colour is the cells' own, so it stays with its row
	// when the manager sorts.
	dayFills = map[report.Status]string{
		report.Absent:  "FFC7CE", // light red
		report.Late:    "FFEB9C", // light yellow
		report.Invalid: "FCD5B4", // light orange
	}
)

// Lines: under a header, and the light rules between the cells of a table,
// which keep a number apart from the text next to it on paper.
const (
	headerLine = "8EA9DB"
	ruleLine   = "BFBFBF"
)

// lookOf is the style of a cell of a row; the rows of a table are ruled.
func lookOf(r summary.Row, c summary.Cell, table bool) look {
	fill, ok := toneFills[r.Tone]
	if !ok {
		fill = dayFills[r.Status]
	}
	return look{kind: c.Kind, tone: r.Tone, fill: fill, ruled: table}
}

// styles creates each look once per workbook. excelize also reuses an equal
// style already in the file, so rewriting a workbook does not grow styles.xml.
type styles struct {
	f   *excelize.File
	ids map[look]int
}

func newStyles(f *excelize.File) *styles {
	return &styles{f: f, ids: map[look]int{}}
}

func (s *styles) id(l look) (int, error) {
	if id, ok := s.ids[l]; ok {
		return id, nil
	}
	id, err := s.f.NewStyle(l.style())
	if err != nil {
		return 0, err
	}
	s.ids[l] = id
	return id, nil
}

// style is the excelize style of a look.
func (l look) style() *excelize.Style {
	st := &excelize.Style{}
	if code, ok := formats[l.kind]; ok {
		st.CustomNumFmt = &code
	}
	if l.fill != "" {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{l.fill}}
	}
	// A font without a family falls back to a serif face in LibreOffice, so
	// bold cells name the workbook's default font.
	switch l.tone {
	case summary.Title:
		st.Font = &excelize.Font{Bold: true, Size: 13, Family: "Calibri"}
	case summary.Header, summary.Weak:
		st.Font = &excelize.Font{Bold: true, Size: 11, Family: "Calibri"}
	}
	switch {
	case l.tone == summary.Header && l.ruled:
		// A table's header wraps between words, so a long metric name
		// takes two lines rather than a wide column.
		st.Alignment = &excelize.Alignment{WrapText: true, Vertical: "center"}
	case l.kind == summary.Prose:
		// Wrapped within its column: a note never runs into the next one.
		st.Alignment = &excelize.Alignment{WrapText: true, Vertical: "top"}
	case l.ruled:
		st.Alignment = &excelize.Alignment{Vertical: "top"}
	}
	if l.ruled {
		st.Border = []excelize.Border{
			{Type: "left", Color: ruleLine, Style: 1}, {Type: "right", Color: ruleLine, Style: 1},
			{Type: "top", Color: ruleLine, Style: 1}, {Type: "bottom", Color: ruleLine, Style: 1},
		}
	}
	if l.tone == summary.Header {
		st.Border = append(st.Border[:min(len(st.Border), 3)], excelize.Border{Type: "bottom", Color: headerLine, Style: 2})
	}
	return st
}
