// Package summary is the manager's summary of SPEC §8: what it says and how
// it is laid out. The writers in its subpackages only say how it is written.
//
//   - model.go: the Model, built from the state database for a window of
//     days: the days, the funnel, the absences and the verification flags.
//   - labels.go: every fixed text the manager reads, in Russian and English.
//   - layout.go: the four tabs (Сводка, Воронка, Отсутствия, Проверка) as
//     rows of cells: which rows in which order, each cell's Kind (text, date,
//     count, percent…) and each row's Tone (title, header, note, the weakest
//     stage), the day's status a row is coloured by, the table header and
//     filter, the team stage table the chart draws, the column widths.
//     Model.Layout is the one place a tab's content is decided.
//   - plan.go: the План-факт and Итоги месяца tabs (pkg/plan's figures) and
//     the bar chart of the forecast.
//
// The writers render that layout in their medium and decide nothing about
// content: xlsx/ into a local workbook (excelize styles, the chart, the
// print setup), gsheet/ into the manager's Google Sheet (number formats,
// conditional colours, the chart spec, the size of requests). Every writer
// rewrites the summary's tabs entirely and touches no other tab; user text is
// always written as text, never as a formula.
package summary

import (
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
)

// Model is everything the summary shows.
type Model struct {
	// Lang is "ru" or "en": tab names, headers and labels.
	Lang string
	// From and To bound the window (inclusive).
	From, To day.Date
	// Generated is when the model was built (shown on the Funnel tab).
	Generated time.Time
	// Columns are the metric columns of the Days tab, in template order.
	Columns []Column
	// Days is the Сводка tab: one row per employee per day, by date then roster order.
	Days []DayRow
	// DaysFrom, when set, gives the Сводка tab's rows instead of Days
	// (then empty), in the same order, a few thousand at a time, each time
	// it is called: the window of a large team's days (100 000 rows for
	// 10 000 employees) is then never held whole by a writer that streams
	// them (the xlsx writer). The rows handed to yield are its only until
	// it returns; an error yield returns ends DaysFrom with it. Layout
	// does not read it: Collect first. Its first read to the end may also
	// fill Absences and Checks (the pass's model gathers them as it reads
	// the days): a writer reads those after the Сводка rows.
	DaysFrom func(yield func([]DayRow) error) error `json:"-"`
	// Funnel is the Воронка tab: the team funnel, the previous window and
	// each employee.
	Funnel *funnel.Result
	// Names maps employee ids to display names (for the Funnel tab).
	Names map[string]string
	// Absences is the Отсутствия tab: absent and late days.
	Absences []DayRow
	// Checks is the Проверка tab: verification flags.
	Checks []CheckRow
	// Trend is the Динамика tab: conversions week by week (nil: no data).
	Trend *Trend
	// LongTermLabel is the template's label of long_term, which heads that
	// text inside a day's notes cell.
	LongTermLabel string
	// Plan is the План-факт and Итоги месяца tabs (nil: they say no data).
	Plan *PlanModel

	// FunnelFrom and PlanFrom, when set, build Funnel and Plan (then nil)
	// when a writer that streams (the xlsx writer) comes to their tabs, and
	// it drops them after: for a large team each is as large as the rest
	// of the model, and held only while its tabs are written.
	FunnelFrom func() (*funnel.Result, error) `json:"-"`
	PlanFrom   func() (*PlanModel, error)     `json:"-"`
}

// Column is one metric column.
type Column struct {
	Key   string
	Label string
	// Rating columns hold decimals (4,5); the others whole counts.
	Rating bool
}

// DayRow is one employee-day.
type DayRow struct {
	Date     day.Date
	Employee string // id
	Name     string // display name
	Status   report.Status
	// StatusLabel is the status in the model's language ("отсутствовал").
	StatusLabel string
	// Metrics by column key; a missing key is an empty cell, not a zero.
	Metrics map[string]float64
	// Notes is the employee's free text (user text: never a formula).
	Notes string
	// LongTerm is the report's long_term text, shown in the notes cell
	// under Model.LongTermLabel.
	LongTerm string
	// Flags are the verification messages of the day.
	Flags []string
	// Reason says why an invalid day is invalid: its first error, short
	// (Reason(lang, errors) makes it); empty on other days.
	Reason string
}

// CheckRow is one verification flag: what the employee reported against
// what the CRM recorded.
type CheckRow struct {
	Date        day.Date
	Employee    string
	Name        string
	Code        string
	Metric      string
	MetricLabel string
	Reported    *float64
	Recorded    *float64
	Message     string
}

// Tabs are the four tab names in a language.
type Tabs struct {
	Days, Funnel, Absences, Checks string
	Trend                          string
	// Plan and Month are the План-факт and Итоги месяца tabs.
	Plan, Month string
}

// TabNames returns the tab names of SPEC §8: Russian by default, English
// with lang "en".
func TabNames(lang string) Tabs {
	if lang == "en" {
		return Tabs{Days: "Summary", Funnel: "Funnel", Absences: "Absences", Checks: "Checks", Trend: TrendTabName(lang),
			Plan: "Plan vs actual", Month: "Month review"}
	}
	return Tabs{Days: "Сводка", Funnel: "Воронка", Absences: "Отсутствия", Checks: "Проверка", Trend: TrendTabName(lang),
		Plan: "План-факт", Month: "Итоги месяца"}
}

// All lists the tab names in workbook order.
func (t Tabs) All() []string {
	return []string{t.Days, t.Funnel, t.Absences, t.Checks, t.Trend, t.Plan, t.Month}
}

// Collect builds what DaysFrom, FunnelFrom and PlanFrom give, when set,
// into Days, Funnel and Plan, for a writer that lays out the model whole.
func (m *Model) Collect() error {
	if m.FunnelFrom != nil {
		f, err := m.FunnelFrom()
		if err != nil {
			return err
		}
		m.Funnel, m.FunnelFrom = f, nil
	}
	if m.PlanFrom != nil {
		p, err := m.PlanFrom()
		if err != nil {
			return err
		}
		m.Plan, m.PlanFrom = p, nil
	}
	if m.DaysFrom == nil {
		return nil
	}
	var all []DayRow
	if err := m.DaysFrom(func(rows []DayRow) error {
		all = append(all, rows...)
		return nil
	}); err != nil {
		return err
	}
	m.Days, m.DaysFrom = all, nil
	return nil
}
