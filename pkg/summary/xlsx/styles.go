package xlsx

import (
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// look is one cell style: the number format of a kind, the font of a tone,
// and a fill.
type look struct {
	kind summary.Kind
	tone summary.Tone
	fill string
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

// lookOf is the style of a cell of a row.
func lookOf(r summary.Row, c summary.Cell) look {
	fill, ok := toneFills[r.Tone]
	if !ok {
		fill = dayFills[r.Status]
	}
	return look{kind: c.Kind, tone: r.Tone, fill: fill}
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
	if l.tone == summary.Header {
		st.Border = []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}
	}
	id, err := s.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	s.ids[l] = id
	return id, nil
}
