// Package plan is план-факт: a month's plan per employee against what the
// stored reports add up to, and the run-rate forecast of where the month
// ends. It is pure arithmetic over days, a calendar and numbers; the pass
// engine (pkg/pass) feeds it from the state database.
//
// For an employee and a planned metric:
//
//	actual           = the sum over the month's submitted and late days up to the date
//	percent          = actual ÷ plan
//	elapsed days     = the employee's working days of the month up to the date
//	working days     = the employee's working days of the month
//	forecast         = actual ÷ elapsed days × working days
//	forecast_percent = forecast ÷ plan
//
// An employee's working days are the calendar's (holidays off, transferred
// Saturdays on), less their leave and the days before their start. The team
// adds up the employees who have the metric planned. Nothing is rounded
// here: each writer rounds once, for its reader.
package plan

import (
	"fmt"
	"slices"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Month is a calendar month.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	var y, m int
	if len(s) != 7 || s[4] != '-' {
		return Month{}, fmt.Errorf("%q is not a month (want YYYY-MM)", s)
	}
	if _, err := fmt.Sscanf(s, "%4d-%2d", &y, &m); err != nil || m < 1 || m > 12 || y < 1 {
		return Month{}, fmt.Errorf("%q is not a month (want YYYY-MM)", s)
	}
	return Month{Year: y, Month: time.Month(m)}, nil
}

// MonthOf is the month of d.
func MonthOf(d day.Date) Month { return Month{Year: d.Year, Month: d.Month} }

// String is "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// First is the month's first day.
func (m Month) First() day.Date { return day.New(m.Year, m.Month, 1) }

// Last is the month's last day.
func (m Month) Last() day.Date { return day.New(m.Year, m.Month+1, 0) }

// Prev is the month before.
func (m Month) Prev() Month { return MonthOf(m.First().AddDays(-1)) }

// Contains reports whether d is in the month.
func (m Month) Contains(d day.Date) bool { return d.Year == m.Year && d.Month == m.Month }

// Workdays tells working days (the production calendar, pkg/calendar).
type Workdays interface {
	IsWorkday(d day.Date) bool
}

// Day is one stored employee-day.
type Day struct {
	Date    day.Date
	Status  report.Status
	Metrics map[string]float64
	// Notes and LongTerm are the day's free text; Flags its verification
	// flag codes (the month review shows them).
	Notes, LongTerm string
	Flags           []string
}

// Counts reports whether a day's numbers are data: submitted and late days
// (absent and invalid days are no data, not zeros).
func Counts(s report.Status) bool { return s == report.Submitted || s == report.Late }

// Employee is one employee's month.
type Employee struct {
	ID, Name string
	// Start is the first day the employee exists (zero: always).
	Start day.Date
	// OnLeave tells leave days (nil: none).
	OnLeave func(day.Date) bool
	// Plan is the month's plan by metric key (empty: nothing planned).
	Plan map[string]float64
	// Days are the stored days; days outside the month or after the date
	// are ignored.
	Days []Day
	// CRM is what the CRM recorded over the same days, by metric key (nil:
	// the CRM has no facts).
	CRM map[string]float64
}

// Input is a month's план-факт to compute.
type Input struct {
	Month Month
	// Date is the day the actual runs to (clamped to the month).
	Date     day.Date
	Calendar Workdays
	// Metrics orders the metric keys (the template's order); planned keys
	// not listed come after, sorted.
	Metrics   []string
	Employees []Employee
}

// Figures are one metric's plan and fact. Percent, Forecast and
// ForecastPercent are nil when they cannot be said: no plan (0), or no
// working day elapsed yet.
type Figures struct {
	Plan            float64  `json:"plan"`
	Actual          float64  `json:"actual"`
	ActualCRM       *float64 `json:"actual_crm,omitempty"`
	Percent         *float64 `json:"percent"`
	Forecast        *float64 `json:"forecast"`
	ForecastPercent *float64 `json:"forecast_percent"`
}

// Behind reports whether the forecast falls short of the plan.
func (f Figures) Behind() bool { return f.ForecastPercent != nil && *f.ForecastPercent < 1 }

// EmployeeResult is one employee's month.
type EmployeeResult struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	WorkingDays int    `json:"working_days"`
	ElapsedDays int    `json:"elapsed_days"`
	// Metrics are the planned metrics, by key.
	Metrics map[string]Figures `json:"metrics"`
	// Order lists the keys of Metrics in display order.
	Order []string `json:"-"`
}

// Team is the team's figures.
type Team struct {
	Metrics map[string]Figures `json:"metrics"`
	Order   []string           `json:"-"`
}

// Result is a month's план-факт.
type Result struct {
	Month string `json:"month"`
	Date  string `json:"date"`
	// WorkingDays are the calendar's working days of the month.
	WorkingDays int              `json:"working_days"`
	Employees   []EmployeeResult `json:"employees"`
	Team        Team             `json:"team"`
}

// Planned reports whether anyone has a plan this month.
func (r *Result) Planned() bool { return len(r.Team.Metrics) > 0 }

// WorkingDays counts the employee's working days from..to (inclusive): the
// calendar's working days, less leave and the days before start.
func WorkingDays(cal Workdays, e Employee, from, to day.Date) int {
	return workingDays(calendarDays(cal, from, to), e)
}

// calendarDays are the calendar's working days from..to: asked once for a
// team, not once per employee (the production calendar's lookup of 30
// days for each of 10 000 employees, twice, was a tenth of a summary).
func calendarDays(cal Workdays, from, to day.Date) []day.Date {
	var out []day.Date
	for d := from; !d.After(to); d = d.AddDays(1) {
		if cal.IsWorkday(d) {
			out = append(out, d)
		}
	}
	return out
}

// workingDays counts the employee's days of days (the calendar's working
// days): less leave and the days before start.
func workingDays(days []day.Date, e Employee) int {
	n := 0
	for _, d := range days {
		if (!e.Start.IsZero() && d.Before(e.Start)) || (e.OnLeave != nil && e.OnLeave(d)) {
			continue
		}
		n++
	}
	return n
}

// daysUpTo are the days of days up to d.
func daysUpTo(days []day.Date, d day.Date) []day.Date {
	n := 0
	for n < len(days) && !days[n].After(d) {
		n++
	}
	return days[:n]
}

// asOf clamps the date into the month: before it, nothing has elapsed (the
// day before the month's first); after it, the whole month has.
func (in Input) asOf() day.Date {
	first, last := in.Month.First(), in.Month.Last()
	switch {
	case in.Date.Before(first):
		return first.AddDays(-1)
	case in.Date.After(last):
		return last
	}
	return in.Date
}

// Compute computes the month's план-факт.
func Compute(in Input) *Result {
	asOf := in.asOf()
	month := calendarDays(in.Calendar, in.Month.First(), in.Month.Last())
	elapsed := daysUpTo(month, asOf)
	res, team := newResult(in), map[string]*teamSums{}
	for _, e := range in.Employees {
		er := EmployeeResult{ID: e.ID, Name: e.Name, Metrics: map[string]Figures{},
			WorkingDays: workingDays(month, e),
			ElapsedDays: workingDays(elapsed, e)}
		actual := map[string]float64{}
		for _, d := range e.Days {
			if !in.Month.Contains(d.Date) || d.Date.After(asOf) || !Counts(d.Status) {
				continue
			}
			for k, v := range d.Metrics {
				actual[k] += v
			}
		}
		er.Order = order(in.Metrics, e.Plan)
		for _, k := range er.Order {
			er.figure(k, e, actual[k], team)
		}
		res.Employees = append(res.Employees, er)
	}
	res.teamFigures(in.Metrics, team)
	return res
}

func newResult(in Input) *Result {
	res := &Result{Month: in.Month.String(), Date: in.Date.String(), Employees: []EmployeeResult{},
		Team: Team{Metrics: map[string]Figures{}}}
	res.WorkingDays = WorkingDays(in.Calendar, Employee{}, in.Month.First(), in.Month.Last())
	return res
}

// teamSums add up one metric over the employees who have it planned.
type teamSums struct {
	plan, actual, forecast, crm float64
	hasCRM, hasForecast         bool
}

// figure sets metric k's figures of employee e, whose actual is given, and
// adds them to the team's.
func (er *EmployeeResult) figure(k string, e Employee, actual float64, team map[string]*teamSums) {
	f := Figures{Plan: e.Plan[k], Actual: actual}
	if x, ok := e.CRM[k]; ok && e.CRM != nil {
		f.ActualCRM = ptr(x)
	}
	switch {
	case er.WorkingDays == 0 || er.ElapsedDays == er.WorkingDays:
		f.Forecast = ptr(f.Actual) // nothing more to come
	case er.ElapsedDays > 0:
		f.Forecast = ptr(f.Actual / float64(er.ElapsedDays) * float64(er.WorkingDays))
	}
	f.Percent, f.ForecastPercent = ratio(f.Actual, f.Plan), nil
	if f.Forecast != nil {
		f.ForecastPercent = ratio(*f.Forecast, f.Plan)
	}
	er.Metrics[k] = f
	s := team[k]
	if s == nil {
		s = &teamSums{}
		team[k] = s
	}
	s.plan += f.Plan
	s.actual += f.Actual
	if f.Forecast != nil {
		s.forecast += *f.Forecast
		s.hasForecast = true
	} else {
		s.forecast += f.Actual // not started yet: only what is done counts
	}
	if f.ActualCRM != nil {
		s.crm += *f.ActualCRM
		s.hasCRM = true
	}
}

// teamFigures sets the team's figures from its sums.
func (r *Result) teamFigures(metrics []string, team map[string]*teamSums) {
	planned := map[string]float64{}
	for k := range team {
		planned[k] = 1
	}
	r.Team.Order = order(metrics, planned)
	for _, k := range r.Team.Order {
		s := team[k]
		f := Figures{Plan: s.plan, Actual: s.actual}
		if s.hasCRM {
			f.ActualCRM = ptr(s.crm)
		}
		f.Percent = ratio(f.Actual, f.Plan)
		if s.hasForecast {
			f.Forecast, f.ForecastPercent = ptr(s.forecast), ratio(s.forecast, f.Plan)
		}
		r.Team.Metrics[k] = f
	}
}

// order lists the keys of plan: those in metrics first, in that order, then
// the others sorted.
func order(metrics []string, plan map[string]float64) []string {
	out := make([]string, 0, len(plan))
	for _, k := range metrics {
		if _, ok := plan[k]; ok {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range plan {
		if !slices.Contains(metrics, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func ratio(x, plan float64) *float64 {
	if plan <= 0 {
		return nil
	}
	return ptr(x / plan)
}

func ptr(x float64) *float64 { return &x }
