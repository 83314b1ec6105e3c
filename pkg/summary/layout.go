package summary

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
)

// The layout of the four tabs: which rows, in which order, with which cells.
// It is decided here once, so that the local workbook and the Google Sheet
// read the same; a writer only renders it (styles, formats, colours, the
// chart) in its own medium.

// Kind is what a cell holds, which decides its number format.
type Kind int

// The kinds of cells.
const (
	Text    Kind = iota
	Date         // a day, shown as DD.MM.YYYY
	Count        // a whole number
	Rating       // one decimal
	Number       // whatever the value is (no format)
	Percent      // a fraction shown as 30.0%
	Change       // a difference of fractions shown with its sign: +5.0%
	Prose        // text that wraps within its column (notes, flags, reasons)
)

// Tone is how a row looks.
type Tone int

// The tones of rows.
const (
	Plain Tone = iota
	Note       // a sentence under a table: plain, and it runs over the cells to its right
	Title
	Header
	Weak // the weakest stage of a funnel
)

// Cell is one value of a row.
type Cell struct {
	// Value is a string (always written as text, never as a formula), a
	// float64, a day.Date, or nil for an empty cell that still has the
	// format of its Kind.
	Value any
	Kind  Kind
}

// Str is a text cell: a label or user text, written as text.
func Str(s string) Cell { return Cell{Value: s, Kind: Text} }

// Long is a text cell that wraps within its column rather than running
// over the cells to its right: notes, flags, the reason of an invalid day.
func Long(s string) Cell { return Cell{Value: s, Kind: Prose} }

// Num is a number cell; NaN and infinities, which a cell cannot hold, are
// left empty.
func Num(v float64, k Kind) Cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Blank(k)
	}
	return Cell{Value: v, Kind: k}
}

// Day is a date cell.
func Day(d day.Date) Cell { return Cell{Value: d, Kind: Date} }

// Blank is an empty cell with the format of k.
func Blank(k Kind) Cell { return Cell{Kind: k} }

// Optional is a number cell, empty when v is nil (no data is not a zero).
func Optional(v *float64, k Kind) Cell {
	if v == nil {
		return Blank(k)
	}
	return Num(*v, k)
}

// Width is how many characters the cell shows on one line: a Prose cell
// wraps at ProseWidth.
func (c Cell) Width() int {
	switch v := c.Value.(type) {
	case string:
		if c.Kind == Prose {
			return min(utf8.RuneCountInString(v), ProseWidth)
		}
		return utf8.RuneCountInString(v)
	case float64:
		if c.Kind == Percent || c.Kind == Change {
			return len("+100.0%")
		}
		return len(strconv.FormatFloat(v, 'f', -1, 64))
	case day.Date:
		return len("01.01.2026")
	}
	return 0
}

// Row is one row of a tab; a row without cells is an empty line.
type Row struct {
	Tone  Tone
	Cells []Cell
	// Status is the day's status on a row of the Days and Absences tabs,
	// empty on other rows: writers colour absent, late and invalid days.
	Status report.Status
}

// Tab is one tab laid out.
type Tab struct {
	Name string
	Rows []Row
	// Table > 0 makes the tab a table Table columns wide: its first row is a
	// header that stays in view with the first FrozenColumns columns, and the
	// rows can be filtered.
	Table int
	// Chart is the stage table the team funnel chart draws; nil for none.
	Chart *StageTable
	// Lines is the weekly table the trend's line chart draws; nil for none.
	Lines *TrendTable
	// Bars is the bar chart of the План-факт tab; nil for none.
	Bars *BarChart
	// PageColumns are the columns (0-based) that start a new page across
	// when the tab is printed: a table too wide for one page is printed as
	// blocks of columns, each as wide as a page, the first FrozenColumns
	// columns repeated on each (the numbers of a day on one page, its notes
	// on the next).
	PageColumns []int
	// Blocks are the parts of a tab that read as one, in order: the team
	// funnel, the previous window, the trend, each employee. A printed page
	// never cuts one (when it fits a page). Empty for tables, which repeat
	// their header row on every page instead.
	Blocks []Block

	// sink, when set, takes the rows laid out so far every few hundred
	// (hand), so that a tab of a large team is never held whole; handed
	// counts the rows it took, and the indices above count them too.
	sink   func([]Row)
	handed int
}

// Block is the rows First to Last (0-based, inclusive) of a tab.
type Block struct {
	First, Last int
}

// FrozenColumns are the columns a table keeps in view: date and employee.
const FrozenColumns = 2

// StageTable is where a stage table is in Tab.Rows (0-based indices): its
// header, then stages First to Last (at least one), labels in the first
// column, counts in the second and conversions in the third.
type StageTable struct {
	Head, First, Last int
	// Weak is the row of the weakest stage (the one a transition loses most
	// into), or -1; Weakest the sentence that names that transition.
	Weak    int
	Weakest string
}

// line adds a row and returns its index.
func (t *Tab) line(tn Tone, cells ...Cell) int {
	t.Rows = append(t.Rows, Row{Tone: tn, Cells: cells})
	return t.handed + len(t.Rows) - 1
}

// handRows is how many rows a tab with a sink holds before it hands them
// over (512 rows of the Итоги месяца tab were some 2 MiB of cells at the
// peak of a first pass of 10 000 employees).
const handRows = 128

// hand gives the rows laid out so far to the tab's sink, if it has one and
// they are handRows; the sink is done with them when it returns.
func (t *Tab) hand() {
	if t.sink == nil || len(t.Rows) < handRows {
		return
	}
	t.sink(t.Rows)
	t.handed += len(t.Rows)
	clear(t.Rows)
	t.Rows = t.Rows[:0]
}

// skip leaves an empty row.
func (t *Tab) skip() { t.Rows = append(t.Rows, Row{}) }

// Columns is the number of columns the tab uses.
func (t *Tab) Columns() int {
	w := 0
	for _, r := range t.Rows {
		w = max(w, len(r.Cells))
	}
	return w
}

// Column widths in characters: wide enough for the longest value, but a long
// note must not push every other column off the screen.
const (
	MinWidth = 6
	MaxWidth = 60
)

// ProseWidth is where a Prose cell wraps, in characters.
const ProseWidth = 32

// Widths are the characters of the widest value of each column. Titles and
// notes run over the empty cells to their right and size nothing. The
// header of a table wraps between words, so its longest word counts.
func (t *Tab) Widths() []int {
	widths := make([]int, t.Columns())
	for _, r := range t.Rows {
		if r.Tone == Title || r.Tone == Note {
			continue
		}
		for c, v := range r.Cells {
			w := v.Width()
			if s, ok := v.Value.(string); ok && r.Tone == Header && t.Table > 0 {
				w = longestWord(s)
			}
			widths[c] = max(widths[c], w)
		}
	}
	return widths
}

// longestWord is the characters of the longest word of s.
func longestWord(s string) int {
	w := 0
	for _, f := range strings.Fields(s) {
		w = max(w, utf8.RuneCountInString(f))
	}
	return w
}

// ColumnWidth is the width in characters of a column whose widest value has
// chars characters: with a margin, between MinWidth and MaxWidth.
func ColumnWidth(chars int) int { return min(max(chars+2, MinWidth), MaxWidth) }

// Layout is the four tabs of a model laid out.
type Layout struct {
	Days, Funnel, Absences, Checks *Tab
	Trend                          *Tab
	Plan, Month                    *Tab
}

// All lists the tabs in workbook order, the order of Tabs.All.
func (l *Layout) All() []*Tab {
	return []*Tab{l.Days, l.Funnel, l.Absences, l.Checks, l.Trend, l.Plan, l.Month}
}

// Language is the language of status names: "en" or "ru".
func (m *Model) Language() string {
	if m.Lang == "en" {
		return "en"
	}
	return "ru"
}

// Layout lays out the four tabs of m.
func (m *Model) Layout() *Layout {
	names := TabNames(m.Lang)
	l := LabelsFor(m.Lang)
	return &Layout{
		Days:     daysTab(names.Days, l, m.Columns, m.Days, m.LongTermLabel),
		Funnel:   funnelTab(names.Funnel, l, m.Language(), m),
		Absences: absencesTab(names.Absences, l, m.Absences),
		Checks:   checksTab(names.Checks, l, m.Checks),
		Trend:    trendTab(m.Language(), m.Trend),
		Plan:     planTab(names.Plan, m),
		Month:    monthTab(names.Month, m),
	}
}

// Window is the days the summary covers, "02.03.2026 – 15.03.2026": the
// model's window, else the funnel's.
func (m *Model) Window() string {
	from, to := m.From.Russian(), m.To.Russian()
	if m.From.IsZero() && m.Funnel != nil {
		from, to = isoRussian(m.Funnel.From), isoRussian(m.Funnel.To)
	}
	return from + " – " + to
}

// daysTab is the Сводка tab: a row per employee-day with the metrics of the
// template, and why an invalid day is invalid.
func daysTab(name string, l *Labels, cols []Column, rows []DayRow, longTerm string) *Tab {
	t := &Tab{Name: name}
	head := []Cell{Str(l.Date), Str(l.Employee), Str(l.ID), Str(l.Status), Str(l.Reason)}
	for _, c := range cols {
		head = append(head, Str(c.Label))
	}
	head = append(head, Str(l.Notes), Str(l.Flags))
	t.line(Header, head...)
	for _, r := range rows {
		// Made room for whole: grown cell by cell, each of 100 000 rows
		// was moved three or four times.
		cells := append(appendDayCells(make([]Cell, 0, len(head)), r), Long(r.Reason))
		for _, c := range cols {
			k := Count
			if c.Rating {
				k = Rating
			}
			// A metric the employee did not give is no data, not a zero.
			if v, ok := r.Metrics[c.Key]; ok {
				cells = append(cells, Num(v, k))
			} else {
				cells = append(cells, Blank(k))
			}
		}
		cells = append(cells, Long(NotesText(r.Notes, r.LongTerm, longTerm)), Long(strings.Join(r.Flags, "; ")))
		t.Rows = append(t.Rows, Row{Cells: cells, Status: r.Status})
	}
	t.Table = len(head)
	t.PageColumns = []int{len(head) - 2} // the notes and flags
	return t
}

// NotesText is a day's free text in one cell: the notes, then the long_term
// text under its label ("Что это даст в долгосрочной перспективе: …").
func NotesText(notes, longTerm, label string) string {
	if longTerm == "" {
		return notes
	}
	if label == "" {
		label = "long_term"
	}
	if notes == "" {
		return label + ": " + longTerm
	}
	return notes + "\n" + label + ": " + longTerm
}

// absencesTab is the Отсутствия tab: the absent and late days.
func absencesTab(name string, l *Labels, rows []DayRow) *Tab {
	t := &Tab{Name: name}
	t.line(Header, Str(l.Date), Str(l.Employee), Str(l.ID), Str(l.Status))
	for _, r := range rows {
		t.Rows = append(t.Rows, Row{Cells: appendDayCells(make([]Cell, 0, 4), r), Status: r.Status})
	}
	t.Table = 4
	return t
}

// appendDayCells appends the cells that name a day: date, name, id, status.
func appendDayCells(cells []Cell, r DayRow) []Cell {
	return append(cells, Day(r.Date), Str(r.Name), Str(r.Employee), Str(r.StatusLabel))
}

// checksTab is the Проверка tab: what the employee reported against what the
// CRM recorded.
func checksTab(name string, l *Labels, rows []CheckRow) *Tab {
	t := &Tab{Name: name}
	t.line(Header, Str(l.Date), Str(l.Employee), Str(l.ID), Str(l.Metric),
		Str(l.Reported), Str(l.Recorded), Str(l.Message))
	for _, r := range rows {
		t.line(Plain, Day(r.Date), Str(r.Name), Str(r.Employee), Str(r.MetricLabel),
			Optional(r.Reported, Number), Optional(r.Recorded, Number), Long(r.Message))
	}
	t.Table = 7
	return t
}

// funnelTab is the Воронка tab: the team funnel with its chart, the previous
// window and the trend between the two, then each employee. Each of these
// is a Block: printed, a page never cuts one.
func funnelTab(name string, l *Labels, lang string, m *Model) *Tab {
	t := &Tab{Name: name}
	r := m.Funnel
	t.line(Title, Str(l.FunnelTitle+": "+m.Window()))
	if !m.Generated.IsZero() {
		t.line(Note, Str(l.Generated+": "+m.Generated.Format("02.01.2006 15:04")))
	}
	if r == nil {
		t.line(Note, Str(l.NoData))
		return t
	}

	t.skip()
	t.Chart = stages(t, l, r.Funnel)
	weakest := verdict(t, l, r.Funnel)
	if t.Chart != nil && t.Chart.Weak >= 0 {
		t.Chart.Weakest = weakest
	}
	statuses(t, l, lang, r.Statuses)
	t.block(0)

	if p := r.Previous; p != nil {
		t.skip()
		first := t.line(Title, Str(fmt.Sprintf("%s: %s – %s", l.Previous, isoRussian(p.From), isoRussian(p.To))))
		stages(t, l, p.Funnel)
		verdict(t, l, p.Funnel)
		t.block(first)
	}
	if len(r.Trend) > 0 {
		t.skip()
		first := t.line(Title, Str(l.Trend))
		trend(t, l, r.Trend)
		t.block(first)
	}
	rowsBefore := len(t.Rows)
	n := r.Len()
	t.Blocks = slices.Grow(t.Blocks, n)
	for i := range n {
		// One employee's funnel at a time (a streamed result builds each
		// as it is read).
		e := r.Employee(i)
		if i == 1 {
			// Each employee is a block of about as many rows as the first:
			// room made once (and a row more each), not by doubling.
			t.Rows = slices.Grow(t.Rows, (n-1)*(len(t.Rows)-rowsBefore+1))
		}
		t.skip()
		name := m.Names[e.ID]
		if name == "" {
			name = e.ID
		}
		first := t.line(Title, Str(name))
		stages(t, l, e.Funnel)
		verdict(t, l, e.Funnel)
		if b := e.Behind; b != nil {
			t.line(Note, Str(fmt.Sprintf("%s: %s → %s: %s %s %s %s", l.Behind,
				b.FromLabel, b.ToLabel, l.Pct(b.Conversion), l.Versus, l.Pct(b.Team), l.ForTeam)))
		}
		statuses(t, l, lang, e.Statuses)
		t.block(first)
	}
	return t
}

// block makes the rows from first to the last row so far one Block.
func (t *Tab) block(first int) {
	t.Blocks = append(t.Blocks, Block{First: first, Last: t.handed + len(t.Rows) - 1})
}

// stages writes the table of a funnel, the weakest stage highlighted, and
// returns where it is; nil when the funnel has no stages.
func stages(t *Tab, l *Labels, f funnel.Funnel) *StageTable {
	st := &StageTable{Head: t.line(Header, Str(l.Stage), Str(l.Count), Str(l.Conversion)), Weak: -1}
	st.First, st.Last = st.Head+1, st.Head
	for _, s := range f.Stages {
		tn := Plain
		if f.Weakest != nil && s.Key == f.Weakest.To {
			tn = Weak
		}
		st.Last = t.line(tn, Str(s.Label), Num(s.Count, Count), Optional(s.Conversion, Percent))
		if tn == Weak {
			st.Weak = st.Last
		}
	}
	if st.Last < st.First {
		return nil
	}
	return st
}

// verdict says where the funnel loses most, and the rating behind it; it
// returns the sentence about the weakest transition.
func verdict(t *Tab, l *Labels, f funnel.Funnel) string {
	weakest := l.Weakest + ": " + l.NotEnoughData
	if w := f.Weakest; w != nil {
		weakest = fmt.Sprintf("%s: %s → %s: %s", l.Weakest, w.FromLabel, w.ToLabel, l.Pct(w.Conversion))
	}
	t.line(Note, Str(weakest))
	if f.Rating != nil {
		t.line(Note, Str(l.Rating+": "+l.Decimal(*f.Rating)))
	}
	t.line(Plain, Str(l.Days), Num(float64(f.Days), Count))
	return weakest
}

// statuses counts days by status, in the display order of the statuses.
func statuses(t *Tab, l *Labels, lang string, counts map[report.Status]int) {
	if len(counts) == 0 {
		return
	}
	t.line(Header, Str(l.Statuses), Str(l.DaysWithStatus))
	order := slices.Clone(report.Statuses)
	for _, st := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(order, st) {
			order = append(order, st) // a status newer than this program still shows
		}
	}
	for _, st := range order {
		if n, ok := counts[st]; ok {
			t.line(Plain, Str(st.Label(lang)), Num(float64(n), Count))
		}
	}
}

// trend writes how each conversion moved since the previous window, as
// fractions with a percent format so that they stay numbers.
func trend(t *Tab, l *Labels, changes []funnel.Change) {
	t.line(Header, Str(l.Stage), Str(l.Conversion), Str(l.Was), Str(l.Change))
	for _, c := range changes {
		t.line(Plain, Str(c.Label), Optional(c.Conversion, Percent),
			Optional(c.Previous, Percent), Optional(c.Delta, Change))
	}
}

// isoRussian shows an ISO date of the funnel JSON as DD.MM.YYYY.
func isoRussian(s string) string {
	d, err := day.Parse(s)
	if err != nil {
		return s
	}
	return d.Russian()
}
