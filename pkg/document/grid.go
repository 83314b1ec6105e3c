package document

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
)

// headerScanRows is how many top rows of a grid are searched for its header.
const headerScanRows = 10

// Serial day numbers accepted as dates in a grid: 2000-01-01 … 2099-12-31.
// Anything else is a number, not a date.
const (
	minSerial = 36526
	maxSerial = 73415
)

// dateHeaders name the date column of a day-per-row table (normalised: lower case).
var dateHeaders = map[string]bool{
	"дата": true, "date": true, "день": true, "day": true,
	"дата отчёта": true, "дата отчета": true, "report date": true,
}

// A1 returns the spreadsheet reference of a zero-based row and column ("B7").
func A1(row, col int) string {
	name := ""
	for c := col + 1; c > 0; c = (c - 1) / 26 {
		name = string(rune('A'+(c-1)%26)) + name
	}
	return name + strconv.Itoa(row+1)
}

// CellText renders a cell value as the Sheets API returns it unformatted
// (float64, string, bool, nil) as text; whole numbers print without a fraction.
func CellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	default:
		return fmt.Sprint(x)
	}
}

// cellDate reads a grid cell as a date: a serial day number, or date text.
func cellDate(v any, ref day.Date) (day.Date, dateResult) {
	switch x := v.(type) {
	case float64:
		if x >= minSerial && x < maxSerial {
			d, _ := day.FromSerial(x)
			return d, goodDate
		}
		return day.Date{}, noDate
	case string:
		s := strings.TrimSpace(x)
		if len(s) == 5 && strings.Trim(s, "0123456789") == "" {
			if n, err := strconv.Atoi(s); err == nil && n >= minSerial && n < maxSerial {
				d, _ := day.FromSerial(float64(n))
				return d, goodDate
			}
		}
		return parseWholeDate(s, ref)
	}
	return day.Date{}, noDate
}

func at(grid [][]any, r, c int) any {
	if r < 0 || r >= len(grid) || c < 0 || c >= len(grid[r]) {
		return nil
	}
	return grid[r][c]
}

func normHeader(v any) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.Trim(CellText(v), " :*"))), " ")
}

// FromGrid reads a spreadsheet's values (rows of float64/string/bool/nil as the
// Sheets API returns them with UNFORMATTED_VALUE) in either layout of SPEC §4:
// one row per day under a header with a date column, or transposed (labels in a
// column, dates across a row). Cells are located in A1 notation on tab.
// A grid in neither layout is read as rows of "label | value".
//
// A grid over the budgets (MaxCells, MaxDays) is not read: the document is
// empty and the one warning, WarnTooLarge, says which budget ran out where.
func FromGrid(grid [][]any, tab string, ref day.Date) (*Document, []Warning) {
	doc, warns, err := fromGrid(grid, tab, ref)
	var le *LimitError
	if errors.As(err, &le) {
		return &Document{Title: tab}, []Warning{{Code: WarnTooLarge, Loc: le.Loc, Value: le.What}}
	}
	return doc, warns
}

func fromGrid(grid [][]any, tab string, ref day.Date) (*Document, []Warning, error) {
	a1 := newA1Cache()
	loc := func(r, c int) Location { return Location{Tab: tab, Cell: a1.ref(r, c)} }
	cells := 0
	for r, row := range grid {
		if cells += len(row); cells > MaxCells {
			return nil, nil, &LimitError{What: "cells", Limit: MaxCells, Loc: loc(r, MaxCells-(cells-len(row)))}
		}
	}
	doc := &Document{Title: tab}
	blocks, warns, ok, err := gridLayout(grid, ref, loc)
	if err != nil {
		return nil, nil, err
	}
	if ok {
		doc.Blocks = blocks
		return doc, warns, nil
	}
	doc.Blocks = make([]Block, 0, len(grid))
	for r, row := range grid {
		cells := make([]Cell, len(row))
		for c, v := range row {
			cells[c] = Cell{Text: CellText(v), Loc: loc(r, c)}
		}
		b := NewRow(cells, loc(r, 0))
		if len(row) >= 2 && dateHeaders[normHeader(row[0])] {
			if d, res := cellDate(row[1], ref); res == goodDate {
				b.Date = d
			}
		}
		doc.Blocks = append(doc.Blocks, b)
	}
	return doc, nil, nil
}

// a1Cache makes A1 references with one allocation each: column letters and
// row numbers are made once.
type a1Cache struct {
	cols []string
	rows []string
}

func newA1Cache() *a1Cache { return &a1Cache{} }

func (a *a1Cache) ref(r, c int) string {
	if r < 0 || c < 0 || r > MaxCells || c > MaxCells {
		return A1(r, c)
	}
	for len(a.cols) <= c {
		a.cols = append(a.cols, strings.TrimRight(A1(0, len(a.cols)), "1"))
	}
	for len(a.rows) <= r {
		a.rows = append(a.rows, strconv.Itoa(len(a.rows)+1))
	}
	return a.cols[c] + a.rows[r]
}

// gridLayout recognises a day-per-row or transposed grid.
func gridLayout(grid [][]any, ref day.Date, loc func(r, c int) Location) ([]Block, []Warning, bool, error) {
	for r := 0; r < len(grid) && r < headerScanRows; r++ {
		if lc, ok := transposedHeader(grid[r], ref); ok {
			b, w, err := transposedBlocks(grid, r, lc, ref, loc)
			return b, w, true, err
		}
		for c, v := range grid[r] {
			if dateHeaders[normHeader(v)] {
				b, w, err := rowBlocks(grid, r, c, ref, loc)
				return b, w, true, err
			}
		}
		// No header word: a row starting with a date under a row of labels.
		if r > 0 {
			if d, res := cellDate(at(grid, r, 0), ref); res == goodDate && !d.IsZero() && nonEmpty(grid[r-1]) > 1 {
				if _, again := cellDate(at(grid, r-1, 0), ref); again == noDate {
					b, w, err := rowBlocks(grid, r-1, 0, ref, loc)
					return b, w, true, err
				}
			}
		}
	}
	return nil, nil, false, nil
}

func nonEmpty(row []any) int {
	n := 0
	for _, v := range row {
		if strings.TrimSpace(CellText(v)) != "" {
			n++
		}
	}
	return n
}

// transposedHeader reports whether row holds dates across (after a label
// column) and returns that label column.
func transposedHeader(row []any, ref day.Date) (int, bool) {
	first, dates, others := -1, 0, 0
	for c, v := range row {
		if strings.TrimSpace(CellText(v)) == "" {
			continue
		}
		if _, res := cellDate(v, ref); res != noDate {
			if first < 0 {
				first = c
			}
			dates++
		} else if first >= 0 {
			others++
		}
	}
	if first < 1 || dates == 0 || dates < others {
		return 0, false
	}
	return first - 1, true
}

// rowBlocks reads a day-per-row table: a date block per day row, then a
// label|value row per labelled column. The blocks are allocated at once,
// and the cells of a day row share one array: the document costs a few
// hundred bytes per cell, not a kilobyte.
func rowBlocks(grid [][]any, h, dateCol int, ref day.Date, loc func(r, c int) Location) ([]Block, []Warning, error) {
	var (
		warns  []Warning
		labels = headerLabels(grid, h, dateCol, loc)
		used   []int // the labelled columns but the date's
		days   int
	)
	for c, label := range labels {
		if c != dateCol && label.Text != "" {
			used = append(used, c)
		}
	}
	dayRows := 0
	for r := h + 1; r < len(grid); r++ {
		if _, res := cellDate(at(grid, r, dateCol), ref); res == goodDate {
			dayRows++
		}
	}
	blocks := make([]Block, 0, min(dayRows, MaxDays+1)*(1+len(used)))
	for r := h + 1; r < len(grid); r++ {
		raw := at(grid, r, dateCol)
		d, res := cellDate(raw, ref)
		switch res {
		case invalidDate:
			warns = append(warns, Warning{Code: WarnBadDate, Loc: loc(r, dateCol), Value: CellText(raw)})
			continue
		case noDate:
			// A blank row, a comment, a total row are no day; a row with
			// numbers under a date cell that is no date («вчера», 46321.99)
			// is a day lost: say so.
			if text := strings.TrimSpace(CellText(raw)); text != "" && !totalWord(text) && rowHasValues(grid[r], used) {
				warns = append(warns, Warning{Code: WarnBadDate, Loc: loc(r, dateCol), Value: text})
			}
			continue
		}
		if days++; days > MaxDays {
			return nil, nil, &LimitError{What: "days", Limit: MaxDays, Loc: loc(r, dateCol)}
		}
		blocks = append(blocks, Block{Kind: Paragraph, Text: CellText(raw), Date: d, Loc: loc(r, dateCol)})
		cells := make([]Cell, 2*len(used))
		for k, c := range used {
			where := loc(r, c)
			pair := cells[2*k : 2*k+2 : 2*k+2]
			pair[0], pair[1] = labels[c], Cell{Text: CellText(at(grid, r, c)), Loc: where}
			blocks = append(blocks, NewRow(pair, where))
		}
	}
	return blocks, warns, nil
}

// totalWords start a total row of a day-per-row table.
var totalWords = []string{"итого", "итог", "всего", "сумма", "среднее", "total", "sum", "average"}

func totalWord(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range totalWords {
		if strings.HasPrefix(lower, w) {
			return true
		}
	}
	return false
}

// rowHasValues reports whether a row holds a number in one of the columns.
func rowHasValues(row []any, cols []int) bool {
	for _, c := range cols {
		if c >= len(row) {
			continue
		}
		switch v := row[c].(type) {
		case float64:
			return true
		case string:
			if _, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(v), ",", "."), 64); err == nil {
				return true
			}
		}
	}
	return false
}

// headerLabels returns the label of each column of a day-per-row table whose
// header is row h, located where it was read. A header of two rows, as merged
// cells make it, is read as one: the values API gives a merged cell's value
// in its first cell only, so a group title over several columns ("Звонки"
// over "Новые звонки" and "Повторные звонки") leaves the next cells of its
// row empty, and a label merged down over both rows leaves the lower cell
// empty. When the row under the header (or the one above it) holds only
// text and fills a column the header leaves empty, it is a second header
// row: a column's label is its lower cell, or its upper one when the lower
// is empty.
func headerLabels(grid [][]any, h, dateCol int, loc func(r, c int) Location) []Cell {
	upper, lower := -1, h
	switch {
	case secondHeader(grid, h+1, h, dateCol):
		upper, lower = h, h+1
	case h > 0 && secondHeader(grid, h-1, h, dateCol):
		upper = h - 1
	}
	width := len(grid[h])
	for _, r := range []int{upper, lower} {
		if r >= 0 {
			width = max(width, len(grid[r]))
		}
	}
	labels := make([]Cell, width)
	for c := range labels {
		for _, r := range []int{lower, upper, h} {
			if r < 0 {
				continue
			}
			if text := strings.TrimSpace(CellText(at(grid, r, c))); text != "" {
				labels[c] = Cell{Text: text, Loc: loc(r, c)}
				break
			}
		}
	}
	return labels
}

// secondHeader reports whether row r reads as the other half of a two-row
// header whose date-column row is h: no date in the date column, only text
// that is neither a number nor a date, and a label in a column that row h
// leaves empty.
func secondHeader(grid [][]any, r, h, dateCol int) bool {
	if r < 0 || r >= len(grid) {
		return false
	}
	fills := false
	for c, v := range grid[r] {
		text := strings.TrimSpace(CellText(v))
		if text == "" {
			continue
		}
		if c == dateCol && r > h {
			return false // a day's row
		}
		if _, isText := v.(string); !isText {
			return false
		}
		if _, err := strconv.ParseFloat(strings.ReplaceAll(text, ",", "."), 64); err == nil {
			return false
		}
		if _, res := cellDate(v, day.Date{}); res == goodDate {
			return false
		}
		if c != dateCol && strings.TrimSpace(CellText(at(grid, h, c))) == "" {
			fills = true
		}
	}
	return fills
}

func transposedBlocks(grid [][]any, h, labelCol int, ref day.Date, loc func(r, c int) Location) ([]Block, []Warning, error) {
	var (
		blocks []Block
		warns  []Warning
		days   int
	)
	for c := labelCol + 1; c < len(grid[h]); c++ {
		raw := grid[h][c]
		d, res := cellDate(raw, ref)
		switch res {
		case invalidDate:
			warns = append(warns, Warning{Code: WarnBadDate, Loc: loc(h, c), Value: CellText(raw)})
			continue
		case noDate:
			continue
		}
		if days++; days > MaxDays {
			return nil, nil, &LimitError{What: "days", Limit: MaxDays, Loc: loc(h, c)}
		}
		blocks = append(blocks, Block{Kind: Paragraph, Text: CellText(raw), Date: d, Loc: loc(h, c)})
		for r := h + 1; r < len(grid); r++ {
			label := strings.TrimSpace(CellText(at(grid, r, labelCol)))
			if label == "" {
				continue
			}
			cells := []Cell{{Text: label, Loc: loc(r, labelCol)}, {Text: CellText(at(grid, r, c)), Loc: loc(r, c)}}
			blocks = append(blocks, NewRow(cells, loc(r, c)))
		}
	}
	return blocks, warns, nil
}

// dayPerRowBlocks reads a Markdown or Docs table as a grid when it is laid out
// one day per row or transposed; ok is false for an ordinary label|value table
// (and for one over the budgets: its lines are read as lines, under MaxLines).
func dayPerRowBlocks(grid [][]any, ref day.Date, loc func(r, c int) Location) ([]Block, bool) {
	blocks, _, ok, err := gridLayout(grid, ref, loc)
	return blocks, ok && err == nil
}

// ErrEmptyCSV is returned for a CSV file with no rows.
var ErrEmptyCSV = errors.New("document: empty CSV")

// FromCSV reads a CSV export of a report sheet. The delimiter (comma,
// semicolon as Russian Excel writes, or tab) is detected from the first line.
// A file over MaxCells (or MaxDays) is refused with a *LimitError at the
// line where the budget ran out, before the rest is read. A quote opened and
// never closed is a *QuoteError at its line: read leniently, it swallowed
// the rows after it (the next day's numbers) into one cell.
func FromCSV(data []byte, ref day.Date) (*Document, []Warning, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	comma := detectDelimiter(data)
	grid, err := readCSV(data, comma, false)
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote) {
		// A quote inside an unquoted cell (ООО "Ромашка") is harmless.
		grid, err = readCSV(data, comma, true)
	}
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote) {
		return nil, nil, &QuoteError{Loc: Location{Line: pe.StartLine}}
	}
	if err != nil {
		return nil, nil, err
	}
	if len(grid) == 0 {
		return nil, nil, ErrEmptyCSV
	}
	doc, warns, err := fromGrid(grid, "", ref)
	if err != nil {
		return nil, nil, err
	}
	return doc, warns, nil
}

// QuoteError is a CSV cell whose opening quote is never closed, or closes
// where the next rows begin.
type QuoteError struct{ Loc Location }

func (e *QuoteError) Error() string {
	return e.Loc.Format("en") + `: a quote (") opened here is not closed where the cell ends; the rows after it would be read into this cell`
}

// readCSV reads the records under the cell budget. A quoted cell that runs
// over a line starting with a date and the delimiter is taken for a quote
// never closed: the next day's row is not a note.
func readCSV(data []byte, comma rune, lazy bool) ([][]any, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = lazy
	var (
		grid  [][]any
		cells int
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return grid, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, err
			}
			return nil, fmt.Errorf("document: csv: %w", err)
		}
		if cells += len(rec); cells > MaxCells {
			line, _ := r.FieldPos(0)
			return nil, &LimitError{What: "cells", Limit: MaxCells, Loc: Location{Line: line}}
		}
		row := make([]any, len(rec))
		for j, v := range rec {
			if strings.ContainsRune(v, '\n') && swallowsARow(v, comma) {
				line, _ := r.FieldPos(j)
				return nil, &QuoteError{Loc: Location{Line: line}}
			}
			row[j] = v
		}
		grid = append(grid, row)
	}
}

// swallowsARow reports whether a cell that spans lines holds a line that
// reads as a day's row of the file: a date, then the delimiter.
func swallowsARow(cell string, comma rune) bool {
	for _, line := range strings.Split(cell, "\n")[1:] {
		first, _, ok := strings.Cut(line, string(comma))
		if !ok {
			continue
		}
		if _, res := cellDate(strings.TrimSpace(first), day.Date{}); res == goodDate {
			return true
		}
	}
	return false
}

func detectDelimiter(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	best, bestN := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if n := bytes.Count(line, []byte(string(d))); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}
