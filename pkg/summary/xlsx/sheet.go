package xlsx

import (
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// sheet writes one tab and keeps the first error, so that the code reads
// as a list of steps rather than a list of error checks.
type sheet struct {
	f      *excelize.File
	name   string
	styles *styles
	row    int // the last row written
	err    error
}

func newSheet(f *excelize.File, name string, st *styles) *sheet {
	return &sheet{f: f, name: name, styles: st}
}

// write renders a tab laid out by pkg/summary: its rows from A1, the table
// header and filter, the team chart and the column widths.
func (s *sheet) write(t *summary.Tab, l *summary.Labels) {
	for _, r := range t.Rows {
		s.line(r)
	}
	if t.Table > 0 {
		s.table(t.Table, summary.FrozenColumns)
	}
	if c := t.Chart; c != nil {
		// Rows of the layout count from 0, rows of a sheet from 1.
		teamChart(s, l, c.Head+1, c.First+1, c.Last+1)
	}
	s.widths(t.Widths())
}

// line writes a row into the next row from column A.
func (s *sheet) line(r summary.Row) {
	s.row++
	for i, c := range r.Cells {
		s.put(i+1, s.row, c, lookOf(r, c))
	}
}

func (s *sheet) put(col, row int, c summary.Cell, l look) {
	if s.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		s.err = err
		return
	}
	switch v := c.Value.(type) {
	case string:
		// SetCellStr, not SetCellValue: user text such as "=HYPERLINK(…)" must
		// stay the text the employee typed. excelize cuts a text longer than
		// a cell holds (32 767 characters).
		err = s.f.SetCellStr(s.name, ref, v)
	case float64:
		err = s.f.SetCellFloat(s.name, ref, v, -1, 64)
	case day.Date:
		err = s.f.SetCellInt(s.name, ref, int64(day.SerialEpoch.DaysUntil(v)))
	}
	if err == nil && (c.Value != nil || l.tone != summary.Plain || l.fill != "") {
		err = s.style(ref, l)
	}
	if err != nil {
		s.err = err
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

// widths sizes the columns that hold a value (summary.Tab.Widths).
func (s *sheet) widths(chars []int) {
	for i, w := range chars {
		if s.err != nil || w == 0 {
			continue
		}
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			s.err = err
			break
		}
		s.err = s.f.SetColWidth(s.name, name, name, float64(summary.ColumnWidth(w)))
	}
}

// finish sets the print layout (landscape, as wide as one page) and returns
// the first error of the sheet.
func (s *sheet) finish() error {
	if s.err == nil {
		s.err = s.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: ptr(true)})
	}
	if s.err == nil {
		s.err = s.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{
			Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0),
		})
	}
	return s.err
}

func ptr[T any](v T) *T { return &v }
