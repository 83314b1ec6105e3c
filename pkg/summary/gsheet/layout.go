package gsheet

import (
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

// The tabs are laid out by pkg/summary (summary.Model.Layout), as the local
// workbook of pkg/summary/xlsx lays them out, so that the manager finds the
// same summary in either place. Only the colouring of absent and late days
// differs: here it is conditional formatting, which follows the rows when
// the manager sorts or filters them.

// maxCellText is the most characters a Sheets cell holds; longer user text
// is cut (the API would refuse the whole write).
const maxCellText = 50000

// cut shortens s to what a cell holds.
func cut(s string) string {
	if utf8.RuneCountInString(s) > maxCellText {
		runes := []rune(s)
		s = string(runes[:maxCellText-1]) + "…"
	}
	return s
}

// tab is one tab laid out and how it is dressed here.
type tab struct {
	*summary.Tab
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
// chart draws: labels in column A, counts in column B, conversions in C;
// weak is the row of the weakest stage, or -1, and weakest the sentence
// that names its transition.
type chartRows struct {
	first, last, weak int
	title, weakest    string
}

// layout lays out the tabs of m in workbook order.
func layout(m *summary.Model) []*tab {
	lay := m.Layout()
	l := summary.LabelsFor(m.Lang)
	lang := m.Language()
	tabs := []*tab{{Tab: lay.Days}, {Tab: lay.Funnel}, {Tab: lay.Absences}, {Tab: lay.Checks}, {Tab: lay.Trend}, {Tab: lay.Plan}, {Tab: lay.Month}}
	tabs[0].status = statusColours(lay.Days.Table, lang, m.Days, report.Absent, report.Late, report.Invalid)
	tabs[2].status = statusColours(lay.Absences.Table, lang, m.Absences, report.Absent, report.Late)
	if c := lay.Funnel.Chart; c != nil {
		tabs[1].chart = &chartRows{first: c.First, last: c.Last, weak: c.Weak, title: l.ChartTitle, weakest: c.Weakest}
	}
	return tabs
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
