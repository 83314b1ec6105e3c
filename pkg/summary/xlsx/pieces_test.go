package xlsx_test

import (
	"testing"
	"time"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"

	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/xlsx"
	"github.com/stretchr/testify/require"
)

// TestPiecesMakeTheLayout: a tab laid out a slice of the model at a time is
// the tab laid out whole (pieces.go relies on how summary lays tabs out).
func TestPiecesMakeTheLayout(t *testing.T) {
	t.Parallel()
	empty := &summary.Model{}
	noFunnel := sampleModel()
	noFunnel.Funnel = nil
	planned := largeModel(23, 3)
	planned.Plan = samplePlan(t)
	for name, m := range map[string]*summary.Model{
		"sample": sampleModel(), "large": largeModel(23, 3), "empty": empty, "no funnel": noFunnel,
		"with a plan": planned, "a long month review": longReviews(t, 700),
	} {
		whole := m.Layout().All()
		for _, size := range []int{1, 2, 7, 1000} {
			heads, rows, widths, blocks := xlsx.PieceRows(m, size)
			require.Len(t, heads, len(whole))
			for i, tab := range whole {
				require.Equal(t, tab.Rows, rows[i], "%s: tab %s in pieces of %d", name, tab.Name, size)
				require.Equal(t, tab.Name, heads[i].Name)
				require.Equal(t, tab.Table, heads[i].Table)
				require.Equal(t, tab.Chart, heads[i].Chart)
				require.Equal(t, tab.Widths(), widths[i])
				require.Len(t, blocks[i], len(tab.Blocks), "%s: tab %s in pieces of %d", name, tab.Name, size)
				for b := range tab.Blocks {
					require.Equal(t, tab.Blocks[b], blocks[i][b], "%s: tab %s in pieces of %d", name, tab.Name, size)
				}
			}
		}
	}
}

// samplePlan is a month's plan of two employees, one ahead of its pace
// and one behind it, at the 17th of November 2026.
func samplePlan(t *testing.T) *summary.PlanModel {
	t.Helper()
	cal, err := calendar.New(calendar.Options{Country: "ru"})
	require.NoError(t, err)
	sub := func(d string, signed float64) plan.Day {
		return plan.Day{Date: day.MustParse(d), Status: report.Submitted, Metrics: map[string]float64{"signed": signed, "calls": 30}}
	}
	in := plan.Input{Month: plan.Month{Year: 2026, Month: time.November}, Date: day.MustParse("2026-11-17"), Calendar: cal,
		Metrics: []string{"calls", "signed"},
		Employees: []plan.Employee{
			{ID: "emp00000", Name: "Сотрудник Номер 0", Plan: map[string]float64{"calls": 300, "signed": 4},
				Days: []plan.Day{sub("2026-11-16", 2), sub("2026-11-17", 1)}},
			{ID: "emp00001", Name: "Сотрудник Номер 1", Plan: map[string]float64{"signed": 10},
				Days: []plan.Day{sub("2026-11-16", 0), {Date: day.MustParse("2026-11-17"), Status: report.Absent}}},
		}}
	res := plan.Compute(in)
	return &summary.PlanModel{Current: res, Reviews: []*plan.Review{plan.ReviewOf(in, res)}}
}

// longReviews is largeModel(n, 2) with a plan and the month reviews of
// its n employees (monthReviews, every third employee with notes): the
// Итоги месяца tab is longer than what it hands over at once.
func longReviews(t *testing.T, n int) *summary.Model {
	m := largeModel(n, 2)
	m.Plan = samplePlan(t)
	m.Plan.Reviews = monthReviews(n, 3, 2)
	return m
}
