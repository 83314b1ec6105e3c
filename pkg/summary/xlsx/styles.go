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
	fill  fill
	ruled bool
}

var formats = map[summary.Kind]string{
	summary.Date:    "dd.mm.yyyy",
	summary.Count:   "0",
	summary.Rating:  "0.0",
	summary.Percent: "0.0%",
	summary.Change:  "+0.0%;-0.0%;0.0%",
}

// fill is a cell's background: a row's tone or a day's status gives it.
type fill uint8

const (
	noFill fill = iota
	headerFill
	weakFill
	absentFill
	lateFill
	invalidFill
	numFills
)

// fillColors are the fills' colours; pale, so that the text stays readable
// when printed.
var fillColors = [numFills]string{
	headerFill: "D9E1F2",
	weakFill:   "F4B6B6",
	// A day coloured by its status (the other statuses need no attention).
	// The colour is the cells' own, so it stays with its row when the
	// manager sorts.
	absentFill:  "FFC7CE", // light red
	lateFill:    "FFEB9C", // light yellow
	invalidFill: "FCD5B4", // light orange
}

// rowFill is the fill of a row's cells: its tone's, else its day's status's.
func rowFill(r summary.Row) fill {
	switch r.Tone {
	case summary.Header:
		return headerFill
	case summary.Weak:
		return weakFill
	}
	switch r.Status {
	case report.Absent:
		return absentFill
	case report.Late:
		return lateFill
	case report.Invalid:
		return invalidFill
	}
	return noFill
}

// Lines: under a header, and the light rules between the cells of a table,
// which keep a number apart from the text next to it on paper.
const (
	headerLine = "8EA9DB"
	ruleLine   = "BFBFBF"
)

// lookOf is the style of a cell of a row whose fill is f (rowFill); the
// rows of a table are ruled.
func lookOf(r summary.Row, f fill, c summary.Cell, table bool) look {
	return look{kind: c.Kind, tone: r.Tone, fill: f, ruled: table}
}

// styles creates each look once per workbook. excelize also reuses an equal
// style already in the file, so rewriting a workbook does not grow styles.xml.
type styles struct {
	f   *excelize.File
	ids map[look]int
	// known holds, by look (denseKey), the style id plus one of each look
	// met: asked of a map for every cell, the look's hash was a twentieth
	// of the CPU of a summary rewritten after one changed report.
	known [denseLooks]int
}

// denseLooks is how many looks denseKey tells apart.
const (
	denseKinds = int(summary.Prose) + 1
	denseTones = int(summary.Weak) + 1
	denseLooks = denseKinds * denseTones * int(numFills) * 2
)

// denseKey is l's place in styles.known (-1: a kind or tone it does not
// hold, asked of the map).
func denseKey(l look) int {
	if l.kind < 0 || int(l.kind) >= denseKinds || l.tone < 0 || int(l.tone) >= denseTones || l.fill >= numFills {
		return -1
	}
	k := ((int(l.kind)*denseTones+int(l.tone))*int(numFills) + int(l.fill)) * 2
	if l.ruled {
		k++
	}
	return k
}

func newStyles(f *excelize.File) *styles {
	return &styles{f: f, ids: map[look]int{}}
}

func (s *styles) id(l look) (int, error) {
	k := denseKey(l)
	if k >= 0 && s.known[k] > 0 {
		return s.known[k] - 1, nil
	}
	id, ok := s.ids[l]
	if !ok {
		var err error
		if id, err = s.f.NewStyle(l.style()); err != nil {
			return 0, err
		}
		s.ids[l] = id
	}
	if k >= 0 {
		s.known[k] = id + 1
	}
	return id, nil
}

// style is the excelize style of a look.
func (l look) style() *excelize.Style {
	st := &excelize.Style{}
	if code, ok := formats[l.kind]; ok {
		st.CustomNumFmt = &code
	}
	if l.fill != noFill {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fillColors[l.fill]}}
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
