package funnel_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/report"
)

var (
	tmpl  = report.MustBuiltin("sales-ru")
	from  = day.MustParse("2026-11-16")
	to    = day.MustParse("2026-11-27")
	pfrom = day.MustParse("2026-11-02")
	pto   = day.MustParse("2026-11-13")
)

func counts(calls, repeat, proposals, invoices, signed, paid float64) map[string]float64 {
	return map[string]float64{"new_calls": calls, "repeat_calls": repeat, "proposals_sent": proposals,
		"invoices_issued": invoices, "contracts_signed": signed, "payments": paid}
}

func totals(days int, m map[string]float64) funnel.Totals {
	return funnel.Totals{Days: days, Metrics: m}
}

func conv(t *testing.T, s funnel.Stage) float64 {
	t.Helper()
	require.NotNil(t, s.Conversion, s.Key)
	return *s.Conversion
}

// TestSourceExample is the methodology's own example: of three clients who
// got an invoice and a contract only one signs, about 30 %, the weakest
// transition of the department's funnel.
func TestSourceExample(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{From: from, To: to, Employees: map[string]funnel.Totals{
		"ivanov":  totals(10, counts(120, 60, 36, 18, 5, 5)),
		"petrova": totals(10, counts(80, 40, 24, 12, 4, 3)),
	}}
	res := funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{})
	want := []struct {
		key   string
		count float64
		conv  float64
	}{
		{"calls", 200, 0}, {"repeat_calls", 100, 0.5}, {"proposals_sent", 60, 0.6},
		{"invoices_issued", 30, 0.5}, {"contracts_signed", 9, 0.3}, {"payments", 8, 8.0 / 9},
	}
	require.Len(t, res.Stages, len(want))
	for i, w := range want {
		s := res.Stages[i]
		require.Equal(t, w.key, s.Key)
		require.InDelta(t, w.count, s.Count, 0, w.key)
		if i == 0 {
			require.Nil(t, s.Conversion, "the first stage has no conversion")
			continue
		}
		require.InDelta(t, w.conv, conv(t, s), 1e-9, w.key)
	}
	require.Equal(t, "Звонки", res.Stages[0].Label)
	require.NotNil(t, res.Weakest)
	require.Equal(t, funnel.Transition{From: "invoices_issued", To: "contracts_signed",
		FromLabel: "Выставлено счетов и договоров", ToLabel: "Подписано договоров", Conversion: 0.3}, *res.Weakest)
	require.Equal(t, 20, res.Days)
	require.Nil(t, res.Previous)
	require.Len(t, res.Employees, 2)
	require.Equal(t, "ivanov", res.Employees[0].ID)
}

func TestNotEnoughData(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{From: from, To: to, Employees: map[string]funnel.Totals{
		"ivanov": totals(1, counts(9, 5, 2, 1, 0, 0)),
	}}
	res := funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{})
	require.Nil(t, res.Weakest, "no previous stage reaches 10")
	require.InDelta(t, 5.0/9, conv(t, res.Stages[1]), 1e-4)

	res = funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{MinBase: 5})
	require.NotNil(t, res.Weakest)
	require.Equal(t, "repeat_calls", res.Weakest.From, "only calls (9) and repeat calls (5) reach 5")
	require.Equal(t, "proposals_sent", res.Weakest.To)
}

func TestZeroPreviousStage(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{Employees: map[string]funnel.Totals{"a": totals(1, counts(30, 12, 0, 0, 0, 0))}}
	res := funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{})
	require.InDelta(t, 0, conv(t, res.Stages[2]), 0)
	require.Nil(t, res.Stages[3].Conversion, "0 proposals: no conversion to invoices")
	require.Equal(t, "proposals_sent", res.Weakest.To, "0 % is the weakest")
	empty := funnel.Compute(tmpl, funnel.Window{}, funnel.Window{}, funnel.Options{})
	require.Nil(t, empty.Weakest)
	require.Empty(t, empty.Employees)
	for _, s := range empty.Stages {
		require.Nil(t, s.Conversion)
	}
}

// TestCallsStageSumsJuniorAndSenior: the calls stage is new calls (juniors)
// plus primary calls after a sale (seniors).
func TestCallsStageSumsJuniorAndSenior(t *testing.T) {
	t.Parallel()
	var jun, sen funnel.Totals
	jun.Add(map[string]float64{"new_calls": 20, "repeat_calls": 5}, tmpl.Rating)
	sen.Add(map[string]float64{"primary_calls": 15, "repeat_calls": 6}, tmpl.Rating)
	res := funnel.Compute(tmpl, funnel.Window{Employees: map[string]funnel.Totals{"j": jun, "s": sen}}, funnel.Window{}, funnel.Options{})
	require.InDelta(t, 35, res.Stages[0].Count, 0)
	require.InDelta(t, 11, res.Stages[1].Count, 0)
	require.InDelta(t, 15, res.Employees[1].Stages[0].Count, 0)
}

func TestRatingWeightedByFeedbackCalls(t *testing.T) {
	t.Parallel()
	var tot funnel.Totals
	tot.Add(map[string]float64{"company_rating": 5, "feedback_calls": 1}, tmpl.Rating)
	tot.Add(map[string]float64{"company_rating": 3, "feedback_calls": 3}, tmpl.Rating)
	tot.Add(map[string]float64{"company_rating": 1, "feedback_calls": 0}, tmpl.Rating) // no calls: no weight
	tot.Add(map[string]float64{"feedback_calls": 4}, tmpl.Rating)                      // no rating given
	require.Equal(t, 4, tot.Days)
	res := funnel.Compute(tmpl, funnel.Window{Employees: map[string]funnel.Totals{"a": tot}}, funnel.Window{}, funnel.Options{})
	require.NotNil(t, res.Rating)
	require.InDelta(t, 3.5, *res.Rating, 1e-9, "(5×1 + 3×3) / 4")

	var plain funnel.Totals
	plain.Add(map[string]float64{"company_rating": 5}, report.RatingSpec{Metric: "company_rating"})
	plain.Add(map[string]float64{"company_rating": 4}, report.RatingSpec{Metric: "company_rating"})
	require.InDelta(t, 4.5, plain.RatingSum/plain.RatingWeight, 1e-9, "no weight metric: a plain mean")

	none := funnel.Compute(tmpl, funnel.Window{Employees: map[string]funnel.Totals{"a": totals(1, counts(1, 1, 1, 1, 1, 1))}}, funnel.Window{}, funnel.Options{})
	require.Nil(t, none.Rating)
}

// TestEmployeeBehindTeamAndTrend: the transition where an employee falls
// furthest below the team, and how conversions moved since the last window.
func TestEmployeeBehindTeamAndTrend(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{From: from, To: to, Employees: map[string]funnel.Totals{
		"ivanov":  totals(10, counts(100, 50, 30, 20, 4, 4)), // invoices → signed 20 %
		"petrova": totals(10, counts(100, 50, 30, 10, 5, 5)), // team 9/30 = 30 %
	}}
	prev := funnel.Window{From: pfrom, To: pto, Employees: map[string]funnel.Totals{
		"ivanov":  totals(10, counts(100, 40, 20, 10, 2, 2)),
		"petrova": totals(10, counts(100, 40, 20, 10, 2, 2)),
	}}
	res := funnel.Compute(tmpl, cur, prev, funnel.Options{Order: []string{"petrova", "ivanov"}})
	require.Equal(t, []string{"petrova", "ivanov"}, []string{res.Employees[0].ID, res.Employees[1].ID})

	iv := res.Employees[1]
	require.NotNil(t, iv.Behind)
	require.Equal(t, "invoices_issued", iv.Behind.From)
	require.Equal(t, "contracts_signed", iv.Behind.To)
	require.InDelta(t, 0.2, iv.Behind.Conversion, 1e-9)
	require.InDelta(t, 0.3, iv.Behind.Team, 1e-9)
	require.InDelta(t, -0.1, iv.Behind.Gap, 1e-9)
	pe := res.Employees[0].Behind
	require.NotNil(t, pe)
	require.Equal(t, "proposals_sent", pe.From, "petrova invoices 10 of 30 proposals, the team 30 of 60")
	require.InDelta(t, 1.0/3-0.5, pe.Gap, 1e-12, "exact: each medium rounds it once")

	require.NotNil(t, res.Previous)
	require.Equal(t, "2026-11-02", res.Previous.From)
	require.Equal(t, "invoices_issued", res.Previous.Weakest.From)
	require.InDelta(t, 0.2, res.Previous.Weakest.Conversion, 1e-9)
	require.Len(t, res.Trend, 5)
	signed := res.Trend[3]
	require.Equal(t, "contracts_signed", signed.Key)
	require.InDelta(t, 0.3, *signed.Conversion, 1e-9)
	require.InDelta(t, 0.2, *signed.Previous, 1e-9)
	require.InDelta(t, 0.1, *signed.Delta, 1e-9, "the weak spot improved by 10 points")
	require.Len(t, iv.Trend, 5)
}

func TestAbsentDaysAreNoData(t *testing.T) {
	t.Parallel()
	// Statuses are counted for every day; numbers only for days with data.
	tot := funnel.Totals{Statuses: map[report.Status]int{report.Submitted: 3, report.Absent: 2}}
	tot.Add(counts(10, 5, 2, 1, 1, 1), tmpl.Rating)
	res := funnel.Compute(tmpl, funnel.Window{Employees: map[string]funnel.Totals{"a": tot}}, funnel.Window{}, funnel.Options{})
	require.Equal(t, 1, res.Days)
	require.Equal(t, 2, res.Employees[0].Statuses[report.Absent])
	require.Equal(t, 2, res.Statuses[report.Absent])
}

// TestJSONShape is SPEC §2's funnel JSON.
func TestJSONShape(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{From: from, To: to, Employees: map[string]funnel.Totals{"ivanov": totals(10, counts(120, 40, 20, 10, 3, 2))}}
	b, err := json.Marshal(funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{}))
	require.NoError(t, err)
	var got struct {
		From   string `json:"from"`
		To     string `json:"to"`
		Stages []struct {
			Key        string   `json:"key"`
			Label      string   `json:"label"`
			Count      float64  `json:"count"`
			Conversion *float64 `json:"conversion"`
		} `json:"stages"`
		Weakest   map[string]any   `json:"weakest"`
		Employees []map[string]any `json:"employees"`
	}
	require.NoError(t, json.Unmarshal(b, &got))
	require.Equal(t, "2026-11-16", got.From)
	require.Equal(t, "2026-11-27", got.To)
	require.Equal(t, "calls", got.Stages[0].Key)
	require.Nil(t, got.Stages[0].Conversion)
	require.InDelta(t, 0.3333, *got.Stages[1].Conversion, 0)
	require.Contains(t, string(b), `"conversion":null`)
	require.Equal(t, "invoices_issued", got.Weakest["from"])
	require.Equal(t, "contracts_signed", got.Weakest["to"])
	require.InDelta(t, 0.3, got.Weakest["conversion"], 0)
	require.Equal(t, "ivanov", got.Employees[0]["id"])
	require.Contains(t, got.Employees[0], "stages")
	require.Contains(t, got.Employees[0], "weakest")
}

func TestEnglishLabels(t *testing.T) {
	t.Parallel()
	res := funnel.Compute(tmpl, funnel.Window{}, funnel.Window{}, funnel.Options{Lang: "en"})
	require.Equal(t, "Calls", res.Stages[0].Label)
}

// TestRoundedOnce: 4 of 21 is 19,0 % in text; rounded to 0.1905 first and
// printed after, it was 19,1 %. The JSON keeps 4 decimals.
func TestRoundedOnce(t *testing.T) {
	t.Parallel()
	x := 4.0 / 21
	s := funnel.Stage{Key: "paid", Label: "Оплаты", Count: 4, Conversion: &x}
	require.Equal(t, "19,0 %", funnel.Percent(s.Conversion, "ru"))
	require.Equal(t, "19.0%", funnel.Percent(s.Conversion, "en"))
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"key":"paid","label":"Оплаты","count":4,"conversion":0.1905}`, string(b))
	g := funnel.Gap{Transition: funnel.Transition{From: "a", To: "b", Conversion: x}, Team: 0.5, Gap: x - 0.5}
	b, err = json.Marshal(g)
	require.NoError(t, err)
	require.JSONEq(t, `{"from":"a","to":"b","from_label":"","to_label":"","conversion":0.1905,"team":0.5,"gap":-0.3095}`, string(b))
}

// TestStreamIsCompute: a streamed result reads, one employee at a time, in
// slices and made whole, as Compute's result; its JSON made whole is
// Compute's byte for byte; and it holds no employee's funnel until read.
func TestStreamIsCompute(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{From: from, To: to, Employees: map[string]funnel.Totals{
		"ivanov":  {Days: 10, Metrics: counts(120, 60, 36, 18, 5, 5), Statuses: map[report.Status]int{report.Submitted: 9, report.Late: 1}},
		"petrova": {Days: 10, Metrics: counts(80, 40, 24, 12, 4, 3), RatingSum: 45, RatingWeight: 10},
		"sidorov": {Days: 2, Metrics: counts(9, 1, 0, 0, 0, 0), Statuses: map[report.Status]int{report.Absent: 8}},
		"orlova":  {Statuses: map[report.Status]int{report.Absent: 10}},
	}}
	prev := funnel.Window{From: pfrom, To: pto, Employees: map[string]funnel.Totals{
		"ivanov": totals(10, counts(100, 70, 30, 20, 2, 2)),
		"orlova": totals(10, counts(50, 25, 10, 5, 1, 1)),
	}}
	for _, p := range []funnel.Window{prev, {}} {
		opts := funnel.Options{Order: []string{"petrova", "ivanov"}, MinBase: 5}
		want := funnel.Compute(tmpl, cur, p, opts)
		require.Len(t, want.Employees, 4)

		s := funnel.Stream(tmpl, cur, p, opts)
		require.Nil(t, s.Employees, "nothing built before it is read")
		require.Equal(t, len(want.Employees), s.Len())
		for i := range s.Len() {
			require.Equal(t, want.Employees[i], s.Employee(i), "employee %d", i)
		}
		for _, ij := range [][2]int{{0, 0}, {0, 1}, {1, 3}, {0, 4}} {
			part := s.Slice(ij[0], ij[1])
			require.Equal(t, want.Employees[ij[0]:ij[1]], part.Employees)
			require.Equal(t, ij[1]-ij[0], part.Len())
			require.Equal(t, want.Stages, part.Stages)
			require.Equal(t, want.Previous, part.Previous)
		}
		require.Nil(t, s.Employees, "reading leaves it streamed")

		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		gotJSON, err := json.Marshal(funnel.Stream(tmpl, cur, p, opts).Whole())
		require.NoError(t, err)
		require.True(t, bytes.Equal(wantJSON, gotJSON), "byte for byte:\n%s\n%s", wantJSON, gotJSON)
		require.Equal(t, want, s.Whole())
	}
	empty := funnel.Stream(tmpl, funnel.Window{From: from, To: to}, funnel.Window{}, funnel.Options{})
	require.Zero(t, empty.Len())
	got, err := json.Marshal(empty.Whole())
	require.NoError(t, err)
	require.Contains(t, string(got), `"employees":[]`)
}

// TestObserve: a streamed result hands each employee's funnel it builds to
// the observer, as it builds it (Employee, Slice, Whole), until stopped; a
// result made whole has nothing to hand.
func TestObserve(t *testing.T) {
	t.Parallel()
	cur := funnel.Window{From: from, To: to, Employees: map[string]funnel.Totals{
		"a": totals(3, counts(30, 10, 5, 2, 1, 1)), "b": totals(2, counts(20, 5, 2, 1, 0, 0)), "c": totals(1, counts(9, 1, 0, 0, 0, 0)),
	}}
	s := funnel.Stream(tmpl, cur, funnel.Window{}, funnel.Options{})
	want := funnel.Compute(tmpl, cur, funnel.Window{}, funnel.Options{}).Employees
	var seen []int
	s.Observe(func(i int, e *funnel.Employee) {
		require.Equal(t, want[i], *e)
		seen = append(seen, i)
	})
	s.Employee(1)
	s.Slice(0, 2)
	s.Slice(0, 0)
	require.Equal(t, []int{1, 0, 1}, seen)
	s.Observe(nil)
	s.Slice(0, 3)
	require.Equal(t, []int{1, 0, 1}, seen, "stopped")
	s.Observe(func(i int, _ *funnel.Employee) { seen = append(seen, i) })
	s.Whole()
	require.Equal(t, []int{1, 0, 1, 0, 1, 2}, seen)
	s.Observe(func(int, *funnel.Employee) { t.Fatal("a whole result builds nothing") })
	s.Employee(2)
	s.Slice(1, 3)
}
