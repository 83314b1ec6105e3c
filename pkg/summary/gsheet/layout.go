package gsheet

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

// The layout of the four tabs is the one of the local workbook
// (pkg/summary/xlsx): the same rows, columns, labels and formats, so that the
// manager finds the same summary in either place. Only the colouring of
// absent and late days differs: here it is conditional formatting, which
// follows the rows when the manager sorts or filters them.

// kind is what a cell holds, which decides its number format.
type kind int

const (
	text    kind = iota
	date         // a spreadsheet serial day shown as DD.MM.YYYY
	count        // a whole number
	rating       // one decimal
	number       // whatever the value is (no format)
	percent      // a fraction shown as 30.0%
	change       // a difference of fractions shown with its sign: +5.0%
)

// tone is how a row looks.
type tone int

const (
	plain tone = iota
	note       // a sentence under a table: plain, and it runs over the cells to its right
	title
	header
	weak // the weakest stage of a funnel
)

// maxCellText is the most characters a Sheets cell holds; longer user text
// is cut (the API would refuse the whole write).
const maxCellText = 50000

// cell is one value: a string (always written as text, never as a formula),
// a float64, a day.Date, or nil for an empty but formatted cell.
type cell struct {
	v    any
	kind kind
}

func txt(s string) cell {
	if utf8.RuneCountInString(s) > maxCellText {
		runes := []rune(s)
		s = string(runes[:maxCellText-1]) + "…"
	}
	return cell{v: s, kind: text}
}

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

type row struct {
	tone  tone
	cells []cell
}

// tab is one tab laid out: its rows and how it is dressed.
type tab struct {
	name string
	rows []row
	// frozenRows and frozenCols are the frozen header.
	frozenRows, frozenCols int
	// filterCols > 0 makes the rows a table with a filter over that many columns.
	filterCols int
	// status colours whole rows by the day's status (conditional formatting).
	status *statusRules
	// chart is the team funnel chart; nil for none.
	chart *chartRows
}

// statusRules colour the rows of a table by the status in column col.
type statusRules struct {
	col, cols int
	rules     []statusRule
}

type statusRule struct {
	label string // the status as the cells show it
	color rgb
}

// chartRows are the rows (0-based, inclusive) of the stage table the team
// chart draws: labels in column A, counts in column B.
type chartRows struct {
	first, last int
	title       string
	stage       string
	count       string
}

// line writes cells into the next row and returns its 0-based index.
func (t *tab) line(tn tone, cells ...cell) int {
	t.rows = append(t.rows, row{tone: tn, cells: cells})
	return len(t.rows) - 1
}

// skip leaves an empty row.
func (t *tab) skip() { t.rows = append(t.rows, row{}) }

// width is the number of columns the tab uses.
func (t *tab) width() int {
	w := 0
	for _, r := range t.rows {
		w = max(w, len(r.cells))
	}
	return w
}

// layout lays out the four tabs of m in workbook order.
func layout(m *summary.Model) []*tab {
	names := summary.TabNames(m.Lang)
	l := summary.LabelsFor(m.Lang)
	lang := "ru"
	if m.Lang == "en" {
		lang = "en"
	}
	return []*tab{
		daysTab(names.Days, l, lang, m.Columns, m.Days),
		funnelTab(names.Funnel, l, lang, m),
		absencesTab(names.Absences, l, lang, m.Absences),
		checksTab(names.Checks, l, m.Checks),
	}
}

// Row fills of the status rules; pale so that the text stays readable.
const (
	absentFill  rgb = 0xFFC7CE // light red
	lateFill    rgb = 0xFFEB9C // light yellow
	invalidFill rgb = 0xFCD5B4 // light orange
	headerFill  rgb = 0xD9E1F2
	headerLine  rgb = 0x8EA9DB
	weakFill    rgb = 0xF4B6B6
)

// daysTab is the Сводка tab: a row per employee-day with the metrics of the
// template; absent, late and invalid days are coloured.
func daysTab(name string, l *summary.Labels, lang string, cols []summary.Column, rows []summary.DayRow) *tab {
	t := &tab{name: name}
	head := []cell{txt(l.Date), txt(l.Employee), txt(l.ID), txt(l.Status)}
	for _, c := range cols {
		head = append(head, txt(c.Label))
	}
	head = append(head, txt(l.Notes), txt(l.Flags))
	t.line(header, head...)
	for _, r := range rows {
		cells := dayCells(r)
		for _, c := range cols {
			k := count
			if c.Rating {
				k = rating
			}
			// A metric the employee did not give is no data, not a zero.
			if v, ok := r.Metrics[c.Key]; ok {
				cells = append(cells, num(v, k))
			} else {
				cells = append(cells, blank(k))
			}
		}
		cells = append(cells, txt(r.Notes), txt(strings.Join(r.Flags, "; ")))
		t.line(plain, cells...)
	}
	t.table(len(head))
	t.status = statusColours(len(head), lang, rows, report.Absent, report.Late, report.Invalid)
	return t
}

// absencesTab is the Отсутствия tab: the absent and late days.
func absencesTab(name string, l *summary.Labels, lang string, rows []summary.DayRow) *tab {
	t := &tab{name: name}
	t.line(header, txt(l.Date), txt(l.Employee), txt(l.ID), txt(l.Status))
	for _, r := range rows {
		t.line(plain, dayCells(r)...)
	}
	t.table(4)
	t.status = statusColours(4, lang, rows, report.Absent, report.Late)
	return t
}

func dayCells(r summary.DayRow) []cell {
	return []cell{dat(r.Date), txt(r.Name), txt(r.Employee), txt(r.StatusLabel)}
}

// checksTab is the Проверка tab: what the employee reported against what the
// CRM recorded.
func checksTab(name string, l *summary.Labels, rows []summary.CheckRow) *tab {
	t := &tab{name: name}
	t.line(header, txt(l.Date), txt(l.Employee), txt(l.ID), txt(l.Metric),
		txt(l.Reported), txt(l.Recorded), txt(l.Message))
	for _, r := range rows {
		t.line(plain, dat(r.Date), txt(r.Name), txt(r.Employee), txt(r.MetricLabel),
			optional(r.Reported, number), optional(r.Recorded, number), txt(r.Message))
	}
	t.table(7)
	return t
}

// table makes the first row a frozen header, with the first two columns
// (date and employee), and puts a filter over cols columns.
func (t *tab) table(cols int) {
	t.frozenRows, t.frozenCols, t.filterCols = 1, 2, cols
}

// statusColours are the rules that colour the days of the given statuses.
// A rule matches the status as the rows show it (DayRow.StatusLabel), or as
// the model's language names it when no row has that status yet.
func statusColours(cols int, lang string, rows []summary.DayRow, statuses ...report.Status) *statusRules {
	fills := map[report.Status]rgb{report.Absent: absentFill, report.Late: lateFill, report.Invalid: invalidFill}
	sr := &statusRules{col: 3, cols: cols}
	for _, st := range statuses {
		seen := map[string]bool{}
		for _, r := range rows {
			if r.Status == st && r.StatusLabel != "" {
				seen[r.StatusLabel] = true
			}
		}
		if len(seen) == 0 {
			seen[st.Label(lang)] = true
		}
		for _, label := range slices.Sorted(maps.Keys(seen)) {
			sr.rules = append(sr.rules, statusRule{label: label, color: fills[st]})
		}
	}
	return sr
}

// funnelTab is the Воронка tab: the team funnel with its chart, the previous
// window and the trend between the two, then each employee.
func funnelTab(name string, l *summary.Labels, lang string, m *summary.Model) *tab {
	t := &tab{name: name}
	r := m.Funnel
	from, to := m.From.Russian(), m.To.Russian()
	if m.From.IsZero() && r != nil {
		from, to = isoRussian(r.From), isoRussian(r.To)
	}
	t.line(title, txt(fmt.Sprintf("%s: %s – %s", l.FunnelTitle, from, to)))
	if !m.Generated.IsZero() {
		t.line(note, txt(l.Generated+": "+m.Generated.Format("02.01.2006 15:04")))
	}
	if r == nil {
		t.line(note, txt(l.NoData))
		return t
	}

	t.skip()
	first, last := stages(t, l, r.Funnel)
	verdict(t, l, r.Funnel)
	statuses(t, l, lang, r.Statuses)
	if last >= first {
		t.chart = &chartRows{first: first, last: last, title: l.ChartTitle, stage: l.Stage, count: l.Count}
	}

	if p := r.Previous; p != nil {
		t.skip()
		t.line(title, txt(fmt.Sprintf("%s: %s – %s", l.Previous, isoRussian(p.From), isoRussian(p.To))))
		stages(t, l, p.Funnel)
		verdict(t, l, p.Funnel)
	}
	if len(r.Trend) > 0 {
		t.skip()
		t.line(title, txt(l.Trend))
		trend(t, l, r.Trend)
	}
	for _, e := range r.Employees {
		t.skip()
		name := m.Names[e.ID]
		if name == "" {
			name = e.ID
		}
		t.line(title, txt(name))
		stages(t, l, e.Funnel)
		verdict(t, l, e.Funnel)
		if b := e.Behind; b != nil {
			t.line(note, txt(fmt.Sprintf("%s: %s → %s: %s %s %s %s", l.Behind,
				b.FromLabel, b.ToLabel, l.Pct(b.Conversion), l.Versus, l.Pct(b.Team), l.ForTeam)))
		}
		statuses(t, l, lang, e.Statuses)
	}
	return t
}

// stages writes the table of a funnel, the weakest stage highlighted, and
// returns the rows of its first and last stage (last < first when none).
func stages(t *tab, l *summary.Labels, f funnel.Funnel) (first, last int) {
	head := t.line(header, txt(l.Stage), txt(l.Count), txt(l.Conversion))
	first, last = head+1, head
	for _, st := range f.Stages {
		tn := plain
		if f.Weakest != nil && st.Key == f.Weakest.To {
			tn = weak
		}
		last = t.line(tn, txt(st.Label), num(st.Count, count), optional(st.Conversion, percent))
	}
	return first, last
}

// verdict says where the funnel loses most, and the rating behind it.
func verdict(t *tab, l *summary.Labels, f funnel.Funnel) {
	if w := f.Weakest; w != nil {
		t.line(note, txt(fmt.Sprintf("%s: %s → %s: %s", l.Weakest, w.FromLabel, w.ToLabel, l.Pct(w.Conversion))))
	} else {
		t.line(note, txt(l.Weakest+": "+l.NotEnoughData))
	}
	if f.Rating != nil {
		t.line(note, txt(l.Rating+": "+l.Decimal(*f.Rating)))
	}
	t.line(plain, txt(l.Days), num(float64(f.Days), count))
}

// statuses counts days by status, in the display order of the statuses.
func statuses(t *tab, l *summary.Labels, lang string, counts map[report.Status]int) {
	if len(counts) == 0 {
		return
	}
	t.line(header, txt(l.Statuses), txt(l.DaysWithStatus))
	order := slices.Clone(report.Statuses)
	for _, st := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(order, st) {
			order = append(order, st) // a status newer than this writer still shows
		}
	}
	for _, st := range order {
		if n, ok := counts[st]; ok {
			t.line(plain, txt(st.Label(lang)), num(float64(n), count))
		}
	}
}

// trend writes how each conversion moved since the previous window, as
// fractions with a percent format so that they stay numbers.
func trend(t *tab, l *summary.Labels, changes []funnel.Change) {
	t.line(header, txt(l.Stage), txt(l.Conversion), txt(l.Was), txt(l.Change))
	for _, c := range changes {
		t.line(plain, txt(c.Label), optional(c.Conversion, percent),
			optional(c.Previous, percent), optional(c.Delta, change))
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
