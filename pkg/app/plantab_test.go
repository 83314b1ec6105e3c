package app

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// TestGooglePlanTab: with roster: sheet, the manager fills the План tab of
// the same spreadsheet; the pass reads it over the configuration's plans,
// reports each bad cell at its place (the pass JSON, the log, /status via
// PlanProblems), and the план-факт follows it.
func TestGooglePlanTab(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	for i := range 2 {
		id := fmt.Sprintf("1p%d", i)
		fake.PutDoc(id, textDoc(id, reportText("Четверг, 26 ноября", 10+i)))
	}
	rosterTab := googlefake.Tab{Title: "Сотрудники", SheetID: 7, Rows: [][]any{
		{"id", "Имя", "report"},
		{"anna", "Анна", gdoc.URL("1p0")},
		{"boris", "Борис", "1p1"},
	}}
	fake.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		rosterTab,
		{Title: "План", SheetID: 9, Rows: [][]any{
			{"id", "Имя", "Месяц", "new_calls", "contracts_signed", "платежи"},
			{"anna", "Анна", "", 300.0, 5.0, 1.0},
			{"anna", "Анна", "2026-11", "", 4.0},
			{"boris", "Борис", "", "сто", 6.0},
			{"vera", "Вера", "", 100.0},
		}},
	})
	tm := newTeam(t, "source: {kind: gdoc}\nroster: sheet\n"+
		"summary: {spreadsheet: \"https://docs.google.com/spreadsheets/d/1manager/edit\"}\ngoogle: {endpoint: \""+fake.URL+"\"}\n"+
		"plans: {default: {new_calls: 400, contracts_signed: 8, payments: 5}}\n")
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 22, 0)).Now, Google: fastGoogle(fake)})
	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Equal(t, []source.PlanProblem{
		{Cell: "'План'!F1", Message: `unknown metric "платежи" (want new_calls, primary_calls, repeat_calls, proposals_sent, invoices_issued, contracts_signed, payments, feedback_calls, company_rating); the column is not read`},
		{Cell: "'План'!D4", Employee: "boris", Message: `"сто" is not a number`},
		{Cell: "'План'!A5", Employee: "vera", Message: `no employee "vera" in the roster; the row is not read`},
	}, res.PlanProblems)
	require.Equal(t, res.PlanProblems, a.PlanProblems(), "what /status shows")

	p, err := a.Plan(t.Context(), plan.MonthOf(day26), day26, pass.PlanOptions{})
	require.NoError(t, err)
	anna, boris := p.Employees[0].Metrics, p.Employees[1].Metrics
	require.InDelta(t, 300, anna["new_calls"].Plan, 0, "the tab over the configuration")
	require.InDelta(t, 4, anna["contracts_signed"].Plan, 0, "November's row over the row for every month")
	require.InDelta(t, 5, anna["payments"].Plan, 0, "the configuration where the tab is silent")
	require.InDelta(t, 400, boris["new_calls"].Plan, 0, "a bad cell leaves the configuration's plan")
	require.InDelta(t, 6, boris["contracts_signed"].Plan, 0)
	require.InDelta(t, 10, anna["new_calls"].Actual, 0)

	// The summary's План-факт tab went into the same spreadsheet.
	require.Contains(t, fake.SheetTitles("1manager"), "План-факт")
	require.Equal(t, "id", fake.Cells("1manager", "План")[0][0], "the plan tab is the manager's: untouched")

	// The daemon's next passes, in the same process: nothing changed, the
	// tabs as kept (the same problems); then the manager fixes Борис's
	// cell, and the very next pass reads the tab again.
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Len(t, res.PlanProblems, 3)
	fake.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		rosterTab,
		{Title: "План", SheetID: 9, Rows: [][]any{
			{"id", "Имя", "Месяц", "new_calls", "contracts_signed"},
			{"anna", "Анна", "", 300.0, 5.0},
			{"boris", "Борис", "", 150.0, 6.0},
		}},
	})
	res, err = a.sync(t.Context(), day26)
	require.NoError(t, err)
	require.Empty(t, res.PlanProblems)
	p, err = a.Plan(t.Context(), plan.MonthOf(day26), day26, pass.PlanOptions{})
	require.NoError(t, err)
	require.InDelta(t, 150, p.Employees[1].Metrics["new_calls"].Plan, 0)
	require.Contains(t, fake.SheetTitles("1manager"), "План-факт", "the summary written again into the rewritten spreadsheet")
}
