package gsheet_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
)

// planModel is model() with plans: two employees over November 2026 to the
// 17th, one ahead of the plan's pace and one behind it, with free text.
func planModel(t *testing.T) *summary.Model {
	t.Helper()
	m := model("ru", 2, 2)
	cal, err := calendar.New(calendar.Options{Country: "ru"})
	require.NoError(t, err)
	nov := plan.Month{Year: 2026, Month: time.November}
	sub := func(d string, contracts float64, notes, longTerm string) plan.Day {
		return plan.Day{Date: day.MustParse(d), Status: report.Submitted, Metrics: map[string]float64{"contracts_signed": contracts, "new_calls": 30},
			Notes: notes, LongTerm: longTerm}
	}
	in := plan.Input{Month: nov, Date: day.MustParse("2026-11-17"), Calendar: cal, Metrics: []string{"new_calls", "contracts_signed"},
		Employees: []plan.Employee{
			{ID: "e0000", Name: "Сотрудник e0000", Plan: map[string]float64{"new_calls": 300, "contracts_signed": 4},
				Days: []plan.Day{sub("2026-11-16", 2, "=HYPERLINK(\"x\")", "сеть из 40 магазинов"), sub("2026-11-17", 1, "", "")}},
			{ID: "e0001", Name: "Сотрудник e0001", Plan: map[string]float64{"contracts_signed": 10},
				Days: []plan.Day{sub("2026-11-16", 0, "", ""), {Date: day.MustParse("2026-11-17"), Status: report.Absent}}},
		}}
	res := plan.Compute(in)
	m.Plan = &summary.PlanModel{Current: res, Reviews: []*plan.Review{plan.ReviewOf(in, res)},
		NotesLabel: "Решённые задачи", LongTermLabel: "Что это даст в долгосрочной перспективе"}
	return m
}

// The План-факт and Итоги месяца tabs through the real Sheets client against
// the fake: values, the behind rows red, the forecast chart, user text as
// text.
func TestPlanTabs(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	require.NoError(t, w.Write(t.Context(), sheetID, planModel(t)))

	cells := fake.CellData(sheetID, "План-факт")
	require.Equal(t, "План-факт: ноябрь 2026, на 17.11.2026 (рабочих дней: 20)", stringOf(t, at(cells, 0, 0)))
	head := []string{"Сотрудник", "ID", "Показатель", "План", "Факт", "%", "Прогноз", "% прогноза"}
	for c, want := range head {
		require.Equal(t, want, stringOf(t, at(cells, 2, c)))
	}
	// e0000: 3 contracts of 4 in 11 of 20 working days: 5.45, 136 %.
	require.Equal(t, "Подписано договоров", stringOf(t, at(cells, 4, 2)))
	require.InDelta(t, 3, numberOf(t, at(cells, 4, 4)), 0)
	require.InDelta(t, 0.75, numberOf(t, at(cells, 4, 5)), 1e-12)
	require.Equal(t, &sheets.NumberFormat{Type: "PERCENT", Pattern: "0.0%"}, formatOf(at(cells, 4, 5)))
	require.InDelta(t, 3.0/11*20/4, numberOf(t, at(cells, 4, 7)), 1e-12, "the exact fraction: the sheet rounds it once")
	if f := at(cells, 4, 0).UserEnteredFormat; f != nil {
		require.Nil(t, f.BackgroundColorStyle, "ahead of the pace: plain")
	}
	// e0001: no contract in 11 days: behind, red.
	require.Equal(t, "e0001", stringOf(t, at(cells, 5, 1)))
	behind := at(cells, 5, 0).UserEnteredFormat
	require.NotNil(t, behind.BackgroundColorStyle, "behind the pace: red")
	require.True(t, behind.TextFormat.Bold)
	require.Equal(t, "Команда", stringOf(t, at(cells, 7, 0)))

	var bars *sheets.EmbeddedChart
	for _, c := range fake.Charts(sheetID) {
		if c.Spec.BasicChart != nil && c.Spec.BasicChart.ChartType == "BAR" {
			bars = c
		}
	}
	require.NotNil(t, bars, "the forecast % per employee as bars")
	require.Equal(t, tabByTitle(t, fake, "План-факт").SheetId, bars.Position.OverlayPosition.AnchorCell.SheetId)
	require.Len(t, bars.Spec.BasicChart.Series, 2, "a series per planned metric")
	require.Equal(t, "Прогноз выполнения плана, %", bars.Spec.Title)

	values := fake.Cells(sheetID, "Итоги месяца")
	require.Equal(t, "Итоги месяца: ноябрь 2026", values[0][0])
	joined := joinCells(values)
	require.Contains(t, joined, "Подписано договоров, % плана")
	require.Contains(t, joined, "=HYPERLINK(\"x\")")
	require.Contains(t, joined, "сеть из 40 магазинов")
	month := fake.CellData(sheetID, "Итоги месяца")
	for r := range month {
		for c := range month[r] {
			if cd := at(month, r, c); cd.UserEnteredValue != nil {
				require.Nil(t, cd.UserEnteredValue.FormulaValue, "user text is never a formula")
			}
		}
	}
}
