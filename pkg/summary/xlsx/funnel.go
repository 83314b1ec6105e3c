package xlsx

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/xuri/excelize/v2"
)

// chartCell is where the team chart starts: to the right of the tables, which
// use columns A–D, with a column of air between.
const chartCell = "F4"

// writeFunnel fills the Воронка tab: the team funnel with its chart, the
// previous window and the trend between the two, then each employee.
func writeFunnel(s *sheet, l *summary.Labels, lang string, m *summary.Model) {
	r := m.Funnel
	from, to := m.From.Russian(), m.To.Russian()
	if m.From.IsZero() && r != nil {
		from, to = isoRussian(r.From), isoRussian(r.To)
	}
	s.line(title, txt(fmt.Sprintf("%s: %s – %s", l.FunnelTitle, from, to)))
	if !m.Generated.IsZero() {
		s.line(note, txt(l.Generated+": "+m.Generated.Format("02.01.2006 15:04")))
	}
	if r == nil {
		s.line(note, txt(l.NoData))
		return
	}

	s.skip()
	head, first, last := stages(s, l, r.Funnel)
	verdict(s, l, r.Funnel)
	statuses(s, l, lang, r.Statuses)
	teamChart(s, l, head, first, last)

	if p := r.Previous; p != nil {
		s.skip()
		s.line(title, txt(fmt.Sprintf("%s: %s – %s", l.Previous, isoRussian(p.From), isoRussian(p.To))))
		stages(s, l, p.Funnel)
		verdict(s, l, p.Funnel)
	}
	if len(r.Trend) > 0 {
		s.skip()
		s.line(title, txt(l.Trend))
		trend(s, l, r.Trend)
	}
	for _, e := range r.Employees {
		s.skip()
		name := m.Names[e.ID]
		if name == "" {
			name = e.ID
		}
		s.line(title, txt(name))
		stages(s, l, e.Funnel)
		verdict(s, l, e.Funnel)
		if b := e.Behind; b != nil {
			s.line(note, txt(fmt.Sprintf("%s: %s → %s: %s %s %s %s", l.Behind,
				b.FromLabel, b.ToLabel, l.Pct(b.Conversion), l.Versus, l.Pct(b.Team), l.ForTeam)))
		}
		statuses(s, l, lang, e.Statuses)
	}
}

// stages writes the table of a funnel, the weakest stage in bold on a fill,
// and returns the rows of its header and of its first and last stage.
func stages(s *sheet, l *summary.Labels, f funnel.Funnel) (head, first, last int) {
	head = s.line(header, txt(l.Stage), txt(l.Count), txt(l.Conversion))
	first = head + 1
	for _, st := range f.Stages {
		t := plain
		if f.Weakest != nil && st.Key == f.Weakest.To {
			t = weak
		}
		last = s.line(t, txt(st.Label), num(st.Count, count), optional(st.Conversion, percent))
	}
	return head, first, last
}

// verdict says where the funnel loses most, and the rating behind it.
func verdict(s *sheet, l *summary.Labels, f funnel.Funnel) {
	if w := f.Weakest; w != nil {
		s.line(note, txt(fmt.Sprintf("%s: %s → %s: %s", l.Weakest, w.FromLabel, w.ToLabel, l.Pct(w.Conversion))))
	} else {
		s.line(note, txt(l.Weakest+": "+l.NotEnoughData))
	}
	if f.Rating != nil {
		s.line(note, txt(l.Rating+": "+l.Decimal(*f.Rating)))
	}
	s.line(plain, txt(l.Days), num(float64(f.Days), count))
}

// statuses counts days by status, in the display order of the statuses.
func statuses(s *sheet, l *summary.Labels, lang string, counts map[report.Status]int) {
	if len(counts) == 0 {
		return
	}
	s.line(header, txt(l.Statuses), txt(l.DaysWithStatus))
	order := slices.Clone(report.Statuses)
	for _, st := range slices.Sorted(maps.Keys(counts)) {
		if !slices.Contains(order, st) {
			order = append(order, st) // a status newer than this writer still shows
		}
	}
	for _, st := range order {
		if n, ok := counts[st]; ok {
			s.line(plain, txt(st.Label(lang)), num(float64(n), count))
		}
	}
}

// trend writes how each conversion moved since the previous window, as
// fractions with a percent format so that they stay numbers.
func trend(s *sheet, l *summary.Labels, changes []funnel.Change) {
	s.line(header, txt(l.Stage), txt(l.Conversion), txt(l.Was), txt(l.Change))
	for _, c := range changes {
		s.line(plain, txt(c.Label), optional(c.Conversion, percent),
			optional(c.Previous, percent), optional(c.Delta, change))
	}
}

// teamChart draws the team's stage counts as horizontal bars, first stage on
// top, from the table cells (so the chart follows the numbers on the sheet).
func teamChart(s *sheet, l *summary.Labels, head, first, last int) {
	if s.err != nil || last < first {
		return
	}
	sheetRef := "'" + strings.ReplaceAll(s.name, "'", "''") + "'!"
	column := func(col string) string {
		return fmt.Sprintf("%s$%s$%d:$%s$%d", sheetRef, col, first, col, last)
	}
	s.err = s.f.AddChart(s.name, chartCell, &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{
			// excelize writes a series name as a reference, not as text.
			Name:       fmt.Sprintf("%s$B$%d", sheetRef, head),
			Categories: column("A"),
			Values:     column("B"),
		}},
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: l.ChartTitle}}},
		Legend:     excelize.ChartLegend{Position: "none"},
		VaryColors: ptr(false), // one series, one colour
		XAxis:      excelize.ChartAxis{ReverseOrder: true},
		PlotArea:   excelize.ChartPlotArea{ShowVal: true},
		Dimension:  excelize.ChartDimension{Width: 520, Height: 300},
	})
}

// isoRussian shows an ISO date of the funnel JSON as DD.MM.YYYY.
func isoRussian(s string) string {
	d, err := day.Parse(s)
	if err != nil {
		return s
	}
	return d.Russian()
}
