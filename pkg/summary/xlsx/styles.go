package xlsx

import (
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/xuri/excelize/v2"
)

// kind is what a cell holds, which decides its number format.
type kind int

const (
	text    kind = iota
	date         // a spreadsheet serial day shown as DD.MM.YYYY
	count        // a whole number
	rating       // one decimal
	number       // whatever the value is (General)
	percent      // a fraction shown as 30.0%
	change       // a difference of fractions shown with its sign: +5.0%
)

// tone is how a row looks: its fill and weight.
type tone int

const (
	plain tone = iota
	note       // a sentence under a table: plain, and it runs over the cells to its right
	title
	header
	absent
	late
	invalid
	weak
)

// look is one cell style: the cross of a kind and a tone.
type look struct {
	kind kind
	tone tone
}

var formats = map[kind]string{
	date:    "dd.mm.yyyy",
	count:   "0",
	rating:  "0.0",
	percent: "0.0%",
	change:  "+0.0%;-0.0%;0.0%",
}

// Fills are pale so that the text stays readable when printed.
var fills = map[tone]string{
	header:  "D9E1F2",
	absent:  "FFC7CE", // light red
	late:    "FFEB9C", // light yellow
	invalid: "FCD5B4", // light orange
	weak:    "F4B6B6",
}

// toneOf colours a day by its status; the other statuses need no attention.
func toneOf(s report.Status) tone {
	switch s {
	case report.Absent:
		return absent
	case report.Late:
		return late
	case report.Invalid:
		return invalid
	}
	return plain
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
	if c, ok := fills[l.tone]; ok {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}}
	}
	// A font without a family falls back to a serif face in LibreOffice, so
	// bold cells name the workbook's default font.
	switch l.tone {
	case title:
		st.Font = &excelize.Font{Bold: true, Size: 13, Family: "Calibri"}
	case header, weak:
		st.Font = &excelize.Font{Bold: true, Size: 11, Family: "Calibri"}
	}
	if l.tone == header {
		st.Border = []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}
	}
	id, err := s.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	s.ids[l] = id
	return id, nil
}
