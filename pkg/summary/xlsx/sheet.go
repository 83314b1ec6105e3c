package xlsx

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/xuri/excelize/v2"
)

// cell is one value to write. v is a string (always stored as text, never as
// a formula), a float64, a day.Date, or nil for an empty but styled cell.
type cell struct {
	v    any
	kind kind
}

func txt(s string) cell { return cell{v: s, kind: text} }

// num is a number cell; NaN and infinities, which a cell cannot hold, are
// left empty.
func num(v float64, k kind) cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return blank(k)
	}
	return cell{v: v, kind: k}
}
func dat(d day.Date) cell { return cell{v: d, kind: date} }
func blank(k kind) cell   { return cell{kind: k} }
func optional(v *float64, k kind) cell {
	if v == nil {
		return blank(k)
	}
	return num(*v, k)
}

// Column widths in characters: wide enough for the longest value, but a long
// note must not push every other column off the screen.
const (
	minWidth = 6
	maxWidth = 60
)

// sheet writes one tab row by row and keeps the first error, so that the
// layout code reads as a list of rows rather than a list of error checks.
type sheet struct {
	f      *excelize.File
	name   string
	styles *styles
	row    int         // the last row written
	widths map[int]int // column number → widest value in characters
	err    error
}

func newSheet(f *excelize.File, name string, st *styles) *sheet {
	return &sheet{f: f, name: name, styles: st, widths: map[int]int{}}
}

// line writes cells into the next row from column A and returns the row number.
func (s *sheet) line(t tone, cells ...cell) int {
	s.row++
	for i, c := range cells {
		s.put(i+1, s.row, c, t)
	}
	return s.row
}

// skip leaves an empty row.
func (s *sheet) skip() { s.row++ }

func (s *sheet) put(col, row int, c cell, t tone) {
	if s.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		s.err = err
		return
	}
	width := 0
	switch v := c.v.(type) {
	case string:
		// SetCellStr, not SetCellValue: user text such as "=HYPERLINK(…)" must
		// stay the text the employee typed.
		err = s.f.SetCellStr(s.name, ref, v)
		width = utf8.RuneCountInString(v)
	case float64:
		err = s.f.SetCellFloat(s.name, ref, v, -1, 64)
		width = len(strconv.FormatFloat(v, 'f', -1, 64))
		if c.kind == percent || c.kind == change {
			width = 7
		}
	case day.Date:
		err = s.f.SetCellInt(s.name, ref, int64(day.SerialEpoch.DaysUntil(v)))
		width = len("01.01.2026")
	}
	if err == nil && (c.v != nil || t != plain) {
		err = s.style(ref, look{kind: c.kind, tone: t})
	}
	if err != nil {
		s.err = err
		return
	}
	// A title or a note runs over the empty cells to its right; it does not
	// size its column.
	if t != title && t != note && width > s.widths[col] {
		s.widths[col] = width
	}
}

func (s *sheet) style(ref string, l look) error {
	id, err := s.styles.id(l)
	if err != nil {
		return err
	}
	return s.f.SetCellStyle(s.name, ref, ref, id)
}

// table makes the first row a header: frozen with the first frozenCols
// columns, and with an autofilter over the columns of the sheet.
func (s *sheet) table(cols, frozenCols int) {
	if s.err != nil {
		return
	}
	last, err := excelize.CoordinatesToCellName(cols, max(s.row, 1))
	if err != nil {
		s.err = err
		return
	}
	if err := s.f.AutoFilter(s.name, "A1:"+last, nil); err != nil {
		s.err = err
		return
	}
	topLeft, _ := excelize.CoordinatesToCellName(frozenCols+1, 2)
	s.err = s.f.SetPanes(s.name, &excelize.Panes{
		Freeze: true, XSplit: frozenCols, YSplit: 1,
		TopLeftCell: topLeft, ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: "bottomRight"}},
	})
}

// finish sets the column widths and the print layout (landscape, as wide as
// one page) and returns the first error of the sheet.
func (s *sheet) finish() error {
	if s.err == nil {
		s.err = s.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: ptr(true)})
	}
	if s.err == nil {
		s.err = s.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{
			Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0),
		})
	}
	for _, col := range slices.Sorted(maps.Keys(s.widths)) {
		if s.err != nil {
			break
		}
		w := s.widths[col]
		name, err := excelize.ColumnNumberToName(col)
		if err != nil {
			s.err = err
			break
		}
		s.err = s.f.SetColWidth(s.name, name, name, float64(min(max(w+2, minWidth), maxWidth)))
	}
	return s.err
}

func ptr[T any](v T) *T { return &v }
