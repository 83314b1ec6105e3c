package plan

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

func ruCalendar(t *testing.T) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(calendar.Options{Country: "ru"})
	require.NoError(t, err)
	return c
}

// days makes submitted days with one metric: date → value.
func days(metric string, vals map[string]float64) []Day {
	var out []Day
	for d, v := range vals {
		out = append(out, Day{Date: day.MustParse(d), Status: report.Submitted, Metrics: map[string]float64{metric: v}})
	}
	return out
}

func leave(from, to string) func(day.Date) bool {
	f, l := day.MustParse(from), day.MustParse(to)
	return func(d day.Date) bool { return !d.Before(f) && !d.After(l) }
}

func TestCompute(t *testing.T) {
	t.Parallel()
	cal := ruCalendar(t)
	nov26 := Month{2026, time.November}
	cases := []struct {
		name             string
		month            Month
		date             string
		emp              Employee
		monthDays        int
		working, elapsed int
		want             Figures // for metric "contracts_signed"
	}{
		{
			// November 2026 has the 4 November holiday: 21 weekdays, 20 working days;
			// by the 20th 14 of them have passed (the 4th did not count).
			name: "a holiday", month: nov26, date: "2026-11-20",
			emp: Employee{ID: "ivanov", Plan: map[string]float64{"contracts_signed": 10},
				Days: append(days("contracts_signed", map[string]float64{"2026-11-03": 2, "2026-11-10": 1, "2026-11-19": 3, "2026-11-20": 1}),
					// a report written on the holiday counts; absent and invalid days are no data; a day after the date is not yet
					Day{Date: day.MustParse("2026-11-04"), Status: report.Late, Metrics: map[string]float64{"contracts_signed": 1}},
					Day{Date: day.MustParse("2026-11-05"), Status: report.Invalid, Metrics: map[string]float64{"contracts_signed": 9}},
					Day{Date: day.MustParse("2026-11-06"), Status: report.Absent},
					Day{Date: day.MustParse("2026-11-23"), Status: report.Submitted, Metrics: map[string]float64{"contracts_signed": 5}},
					Day{Date: day.MustParse("2026-10-30"), Status: report.Submitted, Metrics: map[string]float64{"contracts_signed": 5}},
				)},
			monthDays: 20, working: 20, elapsed: 14,
			want: Figures{Plan: 10, Actual: 8, Percent: ptr(0.8), Forecast: ptr(8.0 / 14 * 20), ForecastPercent: ptr(8.0 / 14 * 20 / 10)},
		},
		{
			// November 2025: Saturday the 1st is a working day (transferred to
			// Monday the 3rd), and the 4th a holiday: 19 working days, 4 by the 7th.
			name: "a transferred Saturday", month: Month{2025, time.November}, date: "2025-11-07",
			emp: Employee{ID: "ivanov", Plan: map[string]float64{"contracts_signed": 8},
				Days: days("contracts_signed", map[string]float64{"2025-11-01": 1, "2025-11-05": 1})},
			monthDays: 19, working: 19, elapsed: 4,
			want: Figures{Plan: 8, Actual: 2, Percent: ptr(0.25), Forecast: ptr(2.0 / 4 * 19), ForecastPercent: ptr(2.0 / 4 * 19 / 8)},
		},
		{
			// On leave 2-15 November: 11 working days of the month are hers, 5 by the 20th.
			name: "leave", month: nov26, date: "2026-11-20",
			emp: Employee{ID: "smirnova", OnLeave: leave("2026-11-02", "2026-11-15"), Plan: map[string]float64{"contracts_signed": 8},
				Days: days("contracts_signed", map[string]float64{"2026-11-16": 1, "2026-11-18": 1})},
			monthDays: 20, working: 11, elapsed: 5,
			want: Figures{Plan: 8, Actual: 2, Percent: ptr(0.25), Forecast: ptr(2.0 / 5 * 11), ForecastPercent: ptr(2.0 / 5 * 11 / 8)},
		},
		{
			name: "a start date", month: nov26, date: "2026-11-20",
			emp: Employee{ID: "novikov", Start: day.MustParse("2026-11-16"), Plan: map[string]float64{"contracts_signed": 4},
				Days: days("contracts_signed", map[string]float64{"2026-11-17": 1})},
			monthDays: 20, working: 11, elapsed: 5,
			want: Figures{Plan: 4, Actual: 1, Percent: ptr(0.25), Forecast: ptr(1.0 / 5 * 11), ForecastPercent: ptr(1.0 / 5 * 11 / 4)},
		},
		{
			// Starting after the date: no working day has passed, no pace to project.
			name: "not started yet", month: nov26, date: "2026-11-13",
			emp:       Employee{ID: "novikov", Start: day.MustParse("2026-11-16"), Plan: map[string]float64{"contracts_signed": 4}},
			monthDays: 20, working: 11, elapsed: 0,
			want: Figures{Plan: 4, Actual: 0, Percent: ptr(0.0)},
		},
		{
			// After the month: the forecast is what was done.
			name: "a month that is over", month: nov26, date: "2026-12-03",
			emp: Employee{ID: "ivanov", Plan: map[string]float64{"contracts_signed": 10},
				Days: days("contracts_signed", map[string]float64{"2026-11-02": 6, "2026-11-30": 6, "2026-12-01": 3})},
			monthDays: 20, working: 20, elapsed: 20,
			want: Figures{Plan: 10, Actual: 12, Percent: ptr(1.2), Forecast: ptr(12.0), ForecastPercent: ptr(1.2)},
		},
		{
			// Away the whole month: nothing more to come.
			name: "on leave all month", month: nov26, date: "2026-11-20",
			emp:       Employee{ID: "smirnova", OnLeave: leave("2026-10-20", "2026-12-05"), Plan: map[string]float64{"contracts_signed": 8}},
			monthDays: 20, working: 0, elapsed: 0,
			want: Figures{Plan: 8, Actual: 0, Percent: ptr(0.0), Forecast: ptr(0.0), ForecastPercent: ptr(0.0)},
		},
		{
			// A plan of 0 has no percentage.
			name: "a zero plan", month: nov26, date: "2026-11-20",
			emp: Employee{ID: "ivanov", Plan: map[string]float64{"contracts_signed": 0},
				Days: days("contracts_signed", map[string]float64{"2026-11-02": 1})},
			monthDays: 20, working: 20, elapsed: 14,
			want: Figures{Plan: 0, Actual: 1, Forecast: ptr(1.0 / 14 * 20)},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := Compute(Input{Month: c.month, Date: day.MustParse(c.date), Calendar: cal,
				Metrics: []string{"new_calls", "contracts_signed"}, Employees: []Employee{c.emp}})
			require.Equal(t, c.monthDays, res.WorkingDays)
			require.Len(t, res.Employees, 1)
			e := res.Employees[0]
			require.Equal(t, c.working, e.WorkingDays, "working days")
			require.Equal(t, c.elapsed, e.ElapsedDays, "elapsed days")
			requireFigures(t, c.want, e.Metrics["contracts_signed"])
			requireFigures(t, c.want, res.Team.Metrics["contracts_signed"])
		})
	}
}

func requireFigures(t *testing.T, want, got Figures) {
	t.Helper()
	require.InDelta(t, want.Plan, got.Plan, 1e-12, "plan")
	require.InDelta(t, want.Actual, got.Actual, 1e-12, "actual")
	for _, p := range []struct {
		name      string
		want, got *float64
	}{{"percent", want.Percent, got.Percent}, {"forecast", want.Forecast, got.Forecast}, {"forecast_percent", want.ForecastPercent, got.ForecastPercent}} {
		if p.want == nil {
			require.Nil(t, p.got, p.name)
			continue
		}
		require.NotNil(t, p.got, p.name)
		require.InDelta(t, *p.want, *p.got, 1e-12, p.name)
	}
}

func TestTeamAndNoPlan(t *testing.T) {
	t.Parallel()
	cal := ruCalendar(t)
	in := Input{Month: Month{2026, time.November}, Date: day.MustParse("2026-11-20"), Calendar: cal,
		Metrics: []string{"new_calls", "primary_calls", "contracts_signed"},
		Employees: []Employee{
			{ID: "ivanov", Name: "Иван Иванов", Plan: map[string]float64{"new_calls": 400, "contracts_signed": 10},
				Days: []Day{{Date: day.MustParse("2026-11-02"), Status: report.Submitted, Metrics: map[string]float64{"new_calls": 140, "contracts_signed": 3, "payments": 2}}},
				CRM:  map[string]float64{"new_calls": 120}},
			{ID: "petrova", Name: "Анна Петрова", Plan: map[string]float64{"primary_calls": 250, "contracts_signed": 8},
				Days: []Day{{Date: day.MustParse("2026-11-02"), Status: report.Late, Metrics: map[string]float64{"primary_calls": 200, "contracts_signed": 7}}}},
			{ID: "sidorov", Name: "Пётр Сидоров",
				Days: []Day{{Date: day.MustParse("2026-11-02"), Status: report.Submitted, Metrics: map[string]float64{"contracts_signed": 50}}}},
		}}
	res := Compute(in)
	require.True(t, res.Planned())
	require.Equal(t, []string{"new_calls", "contracts_signed"}, res.Employees[0].Order, "template order")
	require.Empty(t, res.Employees[2].Metrics, "no plan, no figures")
	require.Equal(t, []string{"new_calls", "primary_calls", "contracts_signed"}, res.Team.Order)
	team := res.Team.Metrics["contracts_signed"]
	require.InDelta(t, 18, team.Plan, 0)
	require.InDelta(t, 10, team.Actual, 0, "the team adds up those with the metric planned")
	require.InDelta(t, 10.0/14*20, *team.Forecast, 1e-12)
	require.NotNil(t, res.Employees[0].Metrics["new_calls"].ActualCRM)
	require.InDelta(t, 120, *res.Team.Metrics["new_calls"].ActualCRM, 0)
	require.Nil(t, res.Team.Metrics["contracts_signed"].ActualCRM, "no facts for that metric")
	require.True(t, res.Employees[0].Metrics["contracts_signed"].Behind())
	require.False(t, res.Employees[1].Metrics["contracts_signed"].Behind())

	b, err := json.Marshal(res)
	require.NoError(t, err)
	require.Contains(t, string(b), `{"month":"2026-11","date":"2026-11-20","working_days":20,"employees":[{"id":"ivanov","name":"Иван Иванов","working_days":20,"elapsed_days":14,"metrics":{"contracts_signed":{"plan":10,"actual":3,"percent":0.3,`)

	// A month with no plan at all.
	in.Month, in.Date = Month{2026, time.December}, day.MustParse("2026-12-10")
	for i := range in.Employees {
		in.Employees[i].Plan = nil
	}
	none := Compute(in)
	require.False(t, none.Planned())
	require.Len(t, none.Employees, 3)
	for _, e := range none.Employees {
		require.Empty(t, e.Metrics)
		require.Equal(t, 8, e.ElapsedDays, "1-4, 7-10 December")
	}
	require.Equal(t, 22, none.WorkingDays, "December 2026 less the 31st")
}

func TestMonth(t *testing.T) {
	t.Parallel()
	m, err := ParseMonth("2026-02")
	require.NoError(t, err)
	require.Equal(t, "2026-02-28", m.Last().String())
	require.Equal(t, "2026-01", m.Prev().String())
	require.Equal(t, "2025-12", Month{2026, time.January}.Prev().String())
	for _, bad := range []string{"2026-13", "2026-1", "26-01", "2026/01", "", "2026-00"} {
		_, err := ParseMonth(bad)
		require.Error(t, err, bad)
	}
}
