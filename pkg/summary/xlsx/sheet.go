package xlsx

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// sheet writes one tab and keeps the first error, so that the code reads
// as a list of steps rather than a list of error checks.
//
// The rows go through excelize's StreamWriter, which writes each row as XML
// as it comes: a tab of a large team (100 000 employee-days) would otherwise
// be held as a model of every cell. A stream is written once, in order, so
// what excelize writes around the rows is set up before the first row:
// the filter, the chart and the print setup on the empty sheet (the stream
// starts from it), the column widths and frozen panes on the stream.
type sheet struct {
	f      *excelize.File
	name   string
	styles *styles
	sw     *excelize.StreamWriter
	buf    streamBuffer // where sw keeps its rows (release.go)
	row    int          // the last row written
	err    error

	cells  []excelize.Cell // the cells of the row being written
	values []any           // pointers to them, nil for a cell left out
	// headHeight is the height of a table's header row in points, tall
	// enough for its wrapped labels; 0 for the default.
	headHeight float64

	// The rows after the first are written in segments (segments.go):
	// pending are the rows of the segment being gathered, digest their
	// key, old the segments the workbook being replaced holds.
	old     *oldSegments
	pending []pendingRow
	digest  *rowDigest

	// A tab rewritten over such a workbook is gathered first (write):
	// first is its first row converted, held its segments, holding how
	// many rows they hold; overflow says it gave up.
	gathering bool
	first     pendingRow
	held      []heldSegment
	holding   int
	overflow  bool
}

// pendingRow is a row of a segment, ready for SetRow.
type pendingRow struct {
	n      int
	cells  []excelize.Cell
	values []any // pointers to cells, nil for a cell left out; nil: no cells
}

func newSheet(f *excelize.File, name string, st *styles, old *oldSegments) *sheet {
	return &sheet{f: f, name: name, styles: st, old: old}
}

// write renders a tab laid out by pkg/summary: the table filter, the team
// chart, the print setup, the column widths and frozen header, then its rows
// from A1. The stream must know the tab's measure (its rows, widths and
// blocks) before its first row. A tab rewritten over a workbook holding
// segments is laid out once (gather): its rows are measured, converted and
// keyed together, the segments the old workbook holds are copied later and
// the others' rows held until the stream starts; only when more rows than
// heldRows would be held is the tab laid out again to write them, as a tab
// written from nothing is (measured first, then written).
func (s *sheet) write(p *pieces, l *summary.Labels, window string) {
	t := p.head
	table := t.Table > 0
	var m measured
	gathered := s.old != nil
	if gathered {
		s.gathering = true
		m = p.walk(func(r summary.Row) bool {
			s.add(r, table)
			return s.err == nil && !s.overflow
		})
		s.endSegment()
		s.gathering = false
		gathered = !s.overflow
		if gathered {
			s.old.gathered++
		} else {
			s.old.relaid++
		}
	} else {
		m = p.measure()
	}
	if s.err != nil {
		return
	}
	if table {
		s.filter(t.Table, m.rows)
	}
	if t.Chart != nil {
		teamChart(s, l, t)
	}
	if t.Lines != nil {
		trendChart(s, t)
	}
	if t.Bars != nil {
		planChart(s, t)
	}
	s.printSetup(t, m, l, window)
	s.stream()
	s.widths(m.widths)
	if table {
		s.freeze(summary.FrozenColumns)
		s.headHeight = headerHeight(t.Rows[0], m.widths)
	}
	if gathered && s.buf.buf != nil {
		s.writeHeld()
		return
	}
	// Laid out again: from nothing, or too much to hold.
	s.row, s.held, s.first = 0, nil, pendingRow{}
	s.pending = s.pending[:0]
	if s.digest != nil {
		s.digest.reset()
	}
	for r := range p.rows() {
		if s.add(r, table); s.err != nil {
			return
		}
	}
	s.endSegment()
}

// heldRows is how many rows of a tab gather holds before it gives up and
// the tab is laid out again: a rewrite after one changed report holds a
// segment or two per tab; a new day moves every row (each segment's key
// has its row numbers) and holds nothing past this.
const heldRows = 8 * segmentRows

// heldSegment is a segment gathered before the stream started: copied from
// the old workbook, or its rows written.
type heldSegment struct {
	key  segmentKey
	rows []pendingRow // nil: copied
}

// writeHeld writes what gather held: the first row, then each segment.
func (s *sheet) writeHeld() {
	if s.first.values != nil {
		if s.err = s.setRow(1, s.first.values, s.headOpts()...); s.err != nil {
			return
		}
	}
	for _, h := range s.held {
		if s.segment(h.key, h.rows); s.err != nil {
			return
		}
	}
	s.held, s.first = nil, pendingRow{}
}

// add writes a row into the next row from column A: the first at once,
// the others in segments of segmentRows rows (segments.go) when the
// stream's buffer can be reached (release.go) to mark them.
func (s *sheet) add(r summary.Row, table bool) {
	if s.gathering && s.row == 0 {
		s.row++
		if len(r.Cells) > 0 {
			s.first = pendingRow{n: 1}
			s.first.cells, s.first.values = s.convert(r, table, nil, nil)
		}
		return
	}
	if !s.gathering && (s.buf.buf == nil || s.row == 0) {
		s.line(r, table)
		return
	}
	s.row++
	if s.err != nil {
		return
	}
	if s.digest == nil {
		s.digest = newRowDigest()
	}
	if len(s.pending) < cap(s.pending) {
		s.pending = s.pending[:len(s.pending)+1]
	} else {
		s.pending = append(s.pending, pendingRow{})
	}
	pr := &s.pending[len(s.pending)-1]
	pr.n = s.row
	if pr.cells, pr.values = s.convert(r, table, pr.cells, pr.values); len(r.Cells) == 0 {
		pr.values = nil // no row: SetRow is not called
	}
	s.digest.row(pr.n, pr.values)
	if len(s.pending) == segmentRows {
		s.endSegment()
	}
}

// endSegment writes the rows gathered: the old workbook's segment of their
// key when it holds one, else the rows between the markers of a segment.
func (s *sheet) endSegment() {
	if len(s.pending) == 0 || s.err != nil {
		s.pending = s.pending[:0]
		return
	}
	k := s.digest.key()
	s.digest.reset()
	if s.gathering {
		s.hold(k)
		return
	}
	rows := s.pending
	if s.old.has(k) {
		rows = nil
	}
	s.segment(k, rows)
	s.pending = s.pending[:0]
}

// segment writes the segment of key k: the old workbook's (rows nil: a
// marker the package replaces with its bytes), or rows between the markers
// of a new one.
func (s *sheet) segment(k segmentKey, rows []pendingRow) {
	if rows == nil {
		s.buf.buf.WriteString(marker(markerCopy, k))
	} else {
		s.buf.buf.WriteString(marker(markerBegin, k))
		for i := range rows {
			pr := &rows[i]
			if pr.values == nil {
				continue
			}
			if s.err = s.setRow(pr.n, pr.values); s.err != nil {
				return
			}
		}
		s.buf.buf.WriteString(marker(markerEnd, k))
	}
	s.err = s.buf.spill()
}

// hold keeps the segment gathered (pending) of key k for writeHeld: its key
// alone when the old workbook holds it, else its rows; past heldRows rows
// held, nothing (overflow: the tab is laid out again).
func (s *sheet) hold(k segmentKey) {
	switch {
	case s.overflow:
	case s.old.has(k):
		s.held = append(s.held, heldSegment{key: k})
	case s.holding+len(s.pending) > heldRows:
		s.overflow, s.held, s.first = true, nil, pendingRow{}
	default:
		s.held = append(s.held, heldSegment{key: k, rows: s.pending})
		s.holding += len(s.pending)
		s.pending = nil // held: the next segment's rows are new
		return
	}
	s.pending = s.pending[:0]
}

// stream starts writing the rows of the sheet.
func (s *sheet) stream() {
	if s.err == nil {
		s.sw, s.err = s.f.NewStreamWriter(s.name)
	}
	if s.err == nil {
		s.buf, _ = bufferOf(s.sw)
	}
}

// line writes a row into the next row from column A; the rows of a table
// are ruled.
func (s *sheet) line(r summary.Row, table bool) {
	s.row++
	if s.err != nil || len(r.Cells) == 0 {
		return
	}
	// The cells of a row are reused for the next: SetRow is done with them
	// when it returns.
	s.cells, s.values = s.convert(r, table, s.cells, s.values)
	if s.err != nil {
		return
	}
	var opts []excelize.RowOpts
	if s.row == 1 {
		opts = s.headOpts()
	}
	s.err = s.setRow(s.row, s.values, opts...)
}

// headOpts are the first row's options: a table's header row as tall as
// its wrapped labels.
func (s *sheet) headOpts() []excelize.RowOpts {
	if s.headHeight > 0 {
		return []excelize.RowOpts{{Height: s.headHeight}}
	}
	return nil
}

// convert makes the cells of r for SetRow in cells (reused) and values,
// pointers to them (nil for a cell left out).
func (s *sheet) convert(r summary.Row, table bool, cells []excelize.Cell, values []any) ([]excelize.Cell, []any) {
	cells = slices.Grow(cells[:0], len(r.Cells))[:len(r.Cells)]
	values = values[:0]
	f := rowFill(r)
	for i, c := range r.Cells {
		if s.cell(&cells[i], c, lookOf(r, f, c, table)) {
			values = append(values, &cells[i])
		} else {
			values = append(values, nil)
		}
	}
	return cells, values
}

// setRow writes row n and moves the stream's rows to its file when they
// pass spillChunk.
func (s *sheet) setRow(n int, values []any, opts ...excelize.RowOpts) error {
	ref, err := excelize.CoordinatesToCellName(1, n)
	if err == nil {
		err = s.sw.SetRow(ref, values, opts...)
	}
	if err == nil {
		err = s.buf.spill()
	}
	return err
}

// headerHeight is the height of a table's header row whose labels wrap
// between words within columns of the given widths (in characters): a line
// of the bold font per line of the longest label.
func headerHeight(head summary.Row, widths []int) float64 {
	lines := 1
	for c, cell := range head.Cells {
		text, ok := cell.Value.(string)
		if !ok || c >= len(widths) {
			continue
		}
		// Bold letters are wider: a line holds a little less than the
		// column's characters.
		room := max(int(float64(summary.ColumnWidth(widths[c])-1)*0.9), 1)
		n, used := 1, 0
		for _, w := range strings.Fields(text) {
			size := utf8.RuneCountInString(w)
			switch {
			case used == 0:
				used = size
			case used+1+size <= room:
				used += 1 + size
			default:
				n, used = n+1, size
			}
		}
		lines = max(lines, n)
	}
	if lines == 1 {
		return 0
	}
	return float64(lines) * rowPoints
}

// cell sets out to the value and style of c for StreamWriter.SetRow, or
// says that the cell is left out.
func (s *sheet) cell(out *excelize.Cell, c summary.Cell, l look) bool {
	if c.Value == nil && l.tone == summary.Plain && l.fill == noFill && !l.ruled {
		return false
	}
	id, err := s.styles.id(l)
	if err != nil {
		s.err = err
		return false
	}
	*out = excelize.Cell{StyleID: id}
	switch v := c.Value.(type) {
	case string, float64:
		// A string is a value, never Cell.Formula: the stream writes it as
		// an inline string, so user text such as "=HYPERLINK(…)" stays the
		// text the employee typed. excelize cuts a text longer than a cell
		// holds (32 767 characters).
		out.Value = v
	case day.Date:
		out.Value = int64(day.SerialEpoch.DaysUntil(v))
	}
	return true
}

// filter puts an autofilter over the first cols columns of the rows rows of
// a table.
func (s *sheet) filter(cols, rows int) {
	if s.err != nil {
		return
	}
	last, err := excelize.CoordinatesToCellName(cols, max(rows, 1))
	if err == nil {
		err = s.f.AutoFilter(s.name, "A1:"+last, nil)
	}
	s.err = err
}

// freeze keeps the header row and the first frozenCols columns in view.
func (s *sheet) freeze(frozenCols int) {
	if s.err != nil {
		return
	}
	topLeft, _ := excelize.CoordinatesToCellName(frozenCols+1, 2)
	s.err = s.sw.SetPanes(&excelize.Panes{
		Freeze: true, XSplit: frozenCols, YSplit: 1,
		TopLeftCell: topLeft, ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: topLeft, ActiveCell: topLeft, Pane: "bottomRight"}},
	})
}

// widths sizes the columns that hold a value (summary.Tab.Widths). They are
// set from the last column to the first: excelize puts each column it sizes
// ahead of those sized before, and writes them in that order, while a
// spreadsheet application wants them from left to right.
func (s *sheet) widths(chars []int) {
	for i, w := range slices.Backward(chars) {
		if s.err != nil {
			return
		}
		if w > 0 {
			s.err = s.sw.SetColWidth(i+1, i+1, float64(summary.ColumnWidth(w)))
		}
	}
}

// printSetup sets how the tab prints (print.go).
func (s *sheet) printSetup(t *summary.Tab, m measured, l *summary.Labels, window string) {
	if s.err == nil {
		s.err = printSetup(s.f, s.name, t, m, l, window)
	}
}

// finish ends the stream and returns the first error of the sheet.
func (s *sheet) finish() error {
	if s.err == nil && s.sw != nil {
		if s.err = s.sw.Flush(); s.err == nil {
			releaseBuffer(s.sw)
		}
	}
	return s.err
}

func ptr[T any](v T) *T { return &v }
