package plan

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// TestStreamIsCompute: the план-факт and the review computed from days
// handed over one at a time, in the store's order (by date, then
// employee), are Compute's and ReviewOf's over the same month held whole,
// to the last bit of every sum, on messy months: holidays and transferred
// days (January, February, March, May, November, December 2026), dates
// before, inside and after the month and on a holiday, employees who
// start mid-month or go on leave, a repeated id, days of someone no longer
// on the roster and days outside the month, every status, fractional
// numbers and metrics nobody planned, plans of keys the template does not
// list or of 0, flags, notes and the CRM's facts; and each month again with
// the plans changed (a plan changed mid-month is a new computation over the
// same days, and the stream must follow it). Now and then an employee has
// the plan of the one before: the stream holds its order once.
func TestStreamIsCompute(t *testing.T) {
	t.Parallel()
	cal := ruCalendar(t)
	rng := rand.New(rand.NewPCG(23, 2026))
	metrics := []string{"new_calls", "primary_calls", "meetings", "contracts_signed", "rating"}
	extra := []string{"bonus_calls", "aaa_unlisted"}
	statuses := []report.Status{report.Submitted, report.Submitted, report.Submitted, report.Late, report.Absent,
		report.Invalid, report.OnLeave, report.DayOff, report.Missing}
	value := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return float64(rng.IntN(300))
		case 1:
			return float64(rng.IntN(50)) / 10 // 0.1 steps: sums that depend on their order
		case 2:
			return rng.Float64() * 1000
		}
		return 0
	}
	plan := func() map[string]float64 {
		if rng.IntN(5) == 0 {
			return nil
		}
		p := map[string]float64{}
		for _, k := range append(slices.Clone(metrics), extra...) {
			if rng.IntN(3) > 0 {
				p[k] = value()
			}
		}
		return p
	}
	notes := []string{"", "", "", "договорились о пилоте", "КП отправлено\nждём ответа", "—"}
	months := []Month{{2026, time.January}, {2026, time.February}, {2026, time.March}, {2026, time.May},
		{2026, time.November}, {2026, time.December}}
	cases := 0
	for _, m := range months {
		dates := []day.Date{m.First().AddDays(-3), m.First(), m.First().AddDays(rng.IntN(28)), m.Last(), m.Last().AddDays(1)}
		for _, d := range cal.Workdays(m.First(), m.Last()) {
			if next := d.AddDays(1); !cal.IsWorkday(next) && m.Contains(next) {
				dates = append(dates, next) // a day off, a holiday among them
				break
			}
		}
		for _, date := range dates {
			ids := make([]string, 1+rng.IntN(25))
			for i := range ids {
				ids[i] = fmt.Sprintf("e%02d", rng.IntN(30)) // now and then the same id twice
			}
			var days []struct {
				id string
				d  Day
			}
			stored := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(ids), "gone", "e99"))))
			for _, id := range stored { // a row per employee-day, as the store keeps them
				for d := m.First().AddDays(-2); !d.After(m.Last().AddDays(2)); d = d.AddDays(1) {
					if rng.IntN(4) == 0 {
						continue // no row: not reported, or not stored
					}
					dd := Day{Date: d, Status: statuses[rng.IntN(len(statuses))], Metrics: map[string]float64{},
						Notes: notes[rng.IntN(len(notes))], LongTerm: notes[rng.IntN(len(notes))]}
					for _, k := range append(slices.Clone(metrics), extra...) {
						if rng.IntN(4) > 0 {
							dd.Metrics[k] = value()
						}
					}
					for range rng.IntN(3) {
						dd.Flags = append(dd.Flags, []string{"overstated", "understated", "no_crm_user"}[rng.IntN(3)])
					}
					days = append(days, struct {
						id string
						d  Day
					}{id, dd})
				}
			}
			slices.SortStableFunc(days, func(a, b struct {
				id string
				d  Day
			}) int {
				return cmp.Or(a.d.Date.Compare(b.d.Date), cmp.Compare(a.id, b.id))
			})
			for round := range 2 { // the same days, the plans changed
				in := Input{Month: m, Date: date, Calendar: cal, Metrics: metrics}
				byID := map[string]int{}
				for i, id := range ids {
					e := Employee{ID: id, Name: "Сотрудник " + id, Plan: plan()}
					if i > 0 && rng.IntN(3) == 0 {
						e.Plan = maps.Clone(in.Employees[i-1].Plan) // a team's default: the plan before
					}
					if rng.IntN(4) == 0 {
						e.Start = m.First().AddDays(rng.IntN(31) - 3)
					}
					if rng.IntN(4) == 0 {
						from := m.First().AddDays(rng.IntN(28))
						to := from.AddDays(rng.IntN(10))
						e.OnLeave = func(d day.Date) bool { return !d.Before(from) && !d.After(to) }
					}
					if rng.IntN(3) == 0 {
						e.CRM = map[string]float64{"new_calls": value(), "bonus_calls": value()}
					}
					in.Employees = append(in.Employees, e)
					byID[id] = i
				}
				s := NewStream(in)
				for _, x := range days {
					if i, ok := byID[x.id]; ok {
						in.Employees[i].Days = append(in.Employees[i].Days, x.d)
					}
					require.NoError(t, s.Add(x.id, x.d))
				}
				name := fmt.Sprintf("%s as of %s, round %d", m, date, round)
				want := Compute(in)
				got := s.Result()
				require.Equal(t, want, got, name)
				wantReview := ReviewOf(in, want)
				rv := s.Review(got)
				// Read one employee at a time, encoded, and whole: the same.
				require.Equal(t, wantReview.Len(), rv.Len(), name)
				for i := range rv.Len() {
					require.Equal(t, wantReview.Employees[i], rv.Employee(i), name)
				}
				wantJSON, err := json.Marshal(wantReview)
				require.NoError(t, err)
				gotJSON, err := json.Marshal(rv)
				require.NoError(t, err)
				require.JSONEq(t, string(wantJSON), string(gotJSON), name)
				require.True(t, bytes.Equal(wantJSON, gotJSON), "%s: the same bytes", name)
				byValue, err := json.Marshal(*rv)
				require.NoError(t, err)
				require.True(t, bytes.Equal(wantJSON, byValue), "%s: encoded by value, the same bytes", name)
				require.Nil(t, rv.Employees, "encoding it did not make it whole")
				require.Equal(t, wantReview, rv.Whole(), name)
				cases++
			}
		}
	}
	require.GreaterOrEqual(t, cases, 60)
}

// TestStreamWantsDateOrder: a day that comes before (or on) the employee's
// last one is refused rather than summed in another order than Compute's.
func TestStreamWantsDateOrder(t *testing.T) {
	t.Parallel()
	s := NewStream(Input{Month: Month{2026, time.November}, Date: day.MustParse("2026-11-20"), Calendar: ruCalendar(t),
		Employees: []Employee{{ID: "ivanov"}, {ID: "petrov"}}})
	require.NoError(t, s.Add("ivanov", Day{Date: day.MustParse("2026-11-10"), Status: report.Submitted}))
	require.NoError(t, s.Add("petrov", Day{Date: day.MustParse("2026-11-09"), Status: report.Submitted}))
	require.NoError(t, s.Add("ivanov", Day{Date: day.MustParse("2026-10-09"), Status: report.Submitted}), "outside the month: not counted")
	require.ErrorContains(t, s.Add("ivanov", Day{Date: day.MustParse("2026-11-10"), Status: report.Late}), "date order")
	require.ErrorContains(t, s.Add("ivanov", Day{Date: day.MustParse("2026-11-03"), Status: report.Late}), "date order")
	rv := s.Review(s.Result())
	require.Equal(t, map[report.Status]int{report.Submitted: 1}, rv.Employee(0).Days)
	require.Equal(t, map[report.Status]int{report.Submitted: 1}, rv.Employee(1).Days)
}
