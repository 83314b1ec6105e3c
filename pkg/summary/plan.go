package summary

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"
)

// PlanModel is what the План-факт and Итоги месяца tabs show: the month's
// план-факт up to the model's last day, and the month reviews of that month
// and the one before.
type PlanModel struct {
	// Current is the план-факт of the month of Model.To.
	Current *plan.Result
	// Reviews are the month reviews, the current month first.
	Reviews []*plan.Review
	// NotesLabel and LongTermLabel are the template's labels of the two
	// free-text answers.
	NotesLabel, LongTermLabel string
}

// BarChart is a clustered bar chart drawn from a table of a tab: categories
// in column 0 of rows First to Last (0-based, inclusive), one series per
// column 1 to Series, the series' names in the row Head.
type BarChart struct {
	Title                     string
	Head, First, Last, Series int
}

// planLabels are the fixed texts of the two tabs.
type planLabels struct {
	title, asOf, workingDays, team, noPlan, metric, plan, actual, crm, pct, forecast, forecastPct string
	chart, month, flags, notes, planPct, none                                                     string
}

func planLabelsFor(lang string) planLabels {
	if lang == "en" {
		return planLabels{title: "Plan vs actual", asOf: "as of", workingDays: "working days", team: "Team",
			noPlan: "No plans for this month (plans in the configuration).", metric: "Metric", plan: "Plan", actual: "Actual",
			crm: "In CRM", pct: "%", forecast: "Forecast", forecastPct: "Forecast %",
			chart: "Forecast of the plan, %", month: "The month review", flags: "Flags", notes: "Free text",
			planPct: "% of plan", none: "no days"}
	}
	return planLabels{title: "План-факт", asOf: "на", workingDays: "рабочих дней", team: "Команда",
		noPlan: "На этот месяц планов нет (plans в настройках).", metric: "Показатель", plan: "План", actual: "Факт",
		crm: "В CRM", pct: "%", forecast: "Прогноз", forecastPct: "% прогноза",
		chart: "Прогноз выполнения плана, %", month: "Итоги месяца", flags: "Флаги проверки", notes: "Свободный текст",
		planPct: "% плана", none: "нет дней"}
}

// metricLabels are the display labels of the model's metric columns: the
// same label of a metric in every tab.
func (m *Model) metricLabels() func(string) string {
	labels := map[string]string{}
	for _, c := range m.Columns {
		labels[c.Key] = c.Label
	}
	return func(k string) string {
		if s, ok := labels[k]; ok {
			return s
		}
		return k
	}
}

// planTab is the План-факт tab: a row per employee and planned metric (plan,
// actual, what the CRM recorded, %, forecast, forecast %; a metric behind
// the pace is the red Weak tone), the team's rows, then the table of each
// employee's forecast % by metric that the bar chart draws.
func planTab(name string, m *Model) *Tab {
	t := &Tab{Name: name}
	pl := planLabelsFor(m.Language())
	l := LabelsFor(m.Lang)
	p := m.Plan
	if p == nil || p.Current == nil {
		t.line(Title, Str(pl.title))
		t.line(Note, Str(pl.noPlan))
		return t
	}
	r := p.Current
	month, _ := plan.ParseMonth(r.Month)
	date := isoRussian(r.Date)
	t.line(Title, Str(fmt.Sprintf("%s: %s, %s %s (%s: %d)", pl.title, month.Name(m.Language()), pl.asOf, date, pl.workingDays, r.WorkingDays)))
	if !r.Planned() {
		t.line(Note, Str(pl.noPlan))
		return t
	}
	label := m.metricLabels()
	withCRM := false
	for _, f := range r.Team.Metrics {
		withCRM = withCRM || f.ActualCRM != nil
	}
	t.skip()
	head := []Cell{Str(l.Employee), Str(l.ID), Str(pl.metric), Str(pl.plan), Str(pl.actual)}
	if withCRM {
		head = append(head, Str(pl.crm))
	}
	t.line(Header, append(head, Str(pl.pct), Str(pl.forecast), Str(pl.forecastPct))...)
	row := func(name, id, key string, f plan.Figures) {
		tone := Plain
		if f.Behind() {
			tone = Weak
		}
		cells := []Cell{Str(name), Str(id), Str(label(key)), Num(f.Plan, Count), Num(f.Actual, Count)}
		if withCRM {
			cells = append(cells, Optional(f.ActualCRM, Count))
		}
		t.line(tone, append(cells, Optional(f.Percent, Percent), Optional(f.Forecast, Rating), Optional(f.ForecastPercent, Percent))...)
	}
	for _, e := range r.Employees {
		for _, k := range e.Order {
			row(e.Name, e.ID, k, e.Metrics[k])
		}
	}
	for _, k := range r.Team.Order {
		row(pl.team, "", k, r.Team.Metrics[k])
	}

	// The chart's table: an employee per row, a planned metric per column.
	t.skip()
	t.line(Title, Str(pl.chart))
	head = []Cell{Str(l.Employee)}
	for _, k := range r.Team.Order {
		head = append(head, Str(label(k)))
	}
	chart := &BarChart{Title: pl.chart, Head: t.line(Header, head...), Series: len(r.Team.Order)}
	chart.First = len(t.Rows)
	for _, e := range r.Employees {
		if len(e.Metrics) == 0 {
			continue
		}
		cells := []Cell{Str(nameOr(e.Name, e.ID))}
		for _, k := range r.Team.Order {
			if f, ok := e.Metrics[k]; ok {
				cells = append(cells, Optional(f.ForecastPercent, Percent))
			} else {
				cells = append(cells, Blank(Percent))
			}
		}
		t.line(Plain, cells...)
	}
	chart.Last = len(t.Rows) - 1
	if chart.Last >= chart.First {
		t.Bars = chart
	}
	return t
}

// monthTab is the Итоги месяца tab: for the current month and the one
// before, a row per employee (days by status, the totals of the count
// metrics, the flags, the share of the plan done per planned metric), then
// the free text by date.
func monthTab(name string, m *Model) *Tab {
	return m.MonthTab(name, nil)
}

// MonthTab lays out the Итоги месяца tab named name. With a sink, the rows
// go to it a few hundred at a time as they are laid out (a row per
// employee and one per note of a month: hundreds of thousands for a large
// team), and the tab returned holds only the last of them; its Blocks are
// in rows of the whole tab. The sink must not keep the slice it is given.
func (m *Model) MonthTab(name string, sink func([]Row)) *Tab {
	t := &Tab{Name: name, sink: sink}
	pl := planLabelsFor(m.Language())
	l := LabelsFor(m.Lang)
	lang := m.Language()
	if m.Plan == nil || len(m.Plan.Reviews) == 0 {
		t.line(Title, Str(pl.month))
		t.line(Note, Str(l.NoData))
		return t
	}
	label := m.metricLabels()
	statuses := []report.Status{report.Submitted, report.Late, report.Invalid, report.Absent, report.OnLeave}
	for i, rv := range m.Plan.Reviews {
		if i > 0 {
			t.skip()
		}
		month, _ := plan.ParseMonth(rv.Month)
		first := t.line(Title, Str(pl.month+": "+month.Name(lang)))
		var planned []string
		for i := range rv.Len() {
			for _, k := range rv.PlanOrder(i) {
				if !slices.Contains(planned, k) {
					planned = append(planned, k)
				}
			}
		}
		head := []Cell{Str(l.Employee), Str(l.ID)}
		for _, s := range statuses {
			head = append(head, Str(s.Label(lang)))
		}
		var counts []Column
		for _, c := range m.Columns {
			if !c.Rating {
				counts = append(counts, c)
				head = append(head, Str(c.Label))
			}
		}
		head = append(head, Str(pl.flags))
		for _, k := range planned {
			head = append(head, Str(label(k)+", "+pl.planPct))
		}
		t.line(Header, head...)
		// An employee's review is read once (a review a stream made makes
		// each as it is read): its notes are kept for the rows after.
		type noted struct {
			name  string
			notes []plan.Note
		}
		var notes []noted
		for i := range rv.Len() {
			e := rv.Employee(i)
			if len(e.Notes) > 0 {
				notes = append(notes, noted{nameOr(e.Name, e.ID), e.Notes})
			}
			cells := append(make([]Cell, 0, len(head)), Str(e.Name), Str(e.ID)) // a row as wide as the header
			for _, s := range statuses {
				cells = append(cells, Num(float64(e.Days[s]), Count))
			}
			for _, c := range counts {
				if v, ok := e.Totals[c.Key]; ok {
					cells = append(cells, Num(v, Count))
				} else {
					cells = append(cells, Blank(Count))
				}
			}
			cells = append(cells, Long(flagsText(e.Flags)))
			for _, k := range planned {
				f, ok := e.Plan[k]
				if !ok {
					cells = append(cells, Blank(Percent))
					continue
				}
				cells = append(cells, Optional(f.Percent, Percent))
			}
			t.line(Plain, cells...)
			t.hand()
		}
		if len(notes) > 0 {
			t.skip()
			t.line(Header, Str(l.Date), Str(l.Employee), Str(m.Plan.NotesLabel), Str(m.Plan.LongTermLabel))
			for _, e := range notes {
				for _, n := range e.notes {
					d, _ := day.Parse(n.Date)
					t.line(Plain, Day(d), Str(e.name), Long(n.Notes), Long(n.LongTerm))
					t.hand()
				}
			}
		}
		t.block(first)
	}
	return t
}

// flagsText is "copy_paste 2, overstated 1", by code.
func flagsText(flags map[string]int) string {
	s := ""
	for _, k := range slices.Sorted(maps.Keys(flags)) {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", k, flags[k])
	}
	return s
}

func nameOr(name, id string) string {
	if name == "" {
		return id
	}
	return name
}
