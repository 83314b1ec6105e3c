// Package funnel turns what employees reported into the sales funnel of the
// report template: a count per stage (calls → repeat calls → proposals →
// invoices → signed → paid), the conversion of each stage from the one
// before, and the weakest transition — the place where the team loses the
// most clients — for the team and for each employee, now and in the window
// before, so that a change can be watched for improvement.
//
// The package is pure: it is fed sums (Totals) and does no I/O.
package funnel

import (
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// DefaultMinBase is the smallest count of a previous stage for its
// transition to be a candidate for the weakest one (SPEC §8).
const DefaultMinBase = 10

// Totals is what one employee's days in a window add up to. Only days with
// data (submitted or late) add metrics; absent and invalid days are no data,
// not zeros.
type Totals struct {
	// Days counts the days whose numbers are in Metrics.
	Days int
	// Statuses counts every known day of the window by status.
	Statuses map[report.Status]int
	// Metrics sums each metric over the days with data.
	Metrics map[string]float64
	// RatingSum is Σ rating × weight and RatingWeight Σ weight, over the days
	// with data where both the rating and a positive weight were given (the
	// weight is 1 per rated day when the template names no weight metric).
	RatingSum, RatingWeight float64
}

// Window is the totals of each employee over a date range.
type Window struct {
	From, To day.Date
	// Employees maps an employee id to its totals.
	Employees map[string]Totals
}

// Stage is one funnel stage in a window.
type Stage struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Count float64 `json:"count"`
	// Conversion is Count over the previous stage's count; nil for the first
	// stage or when the previous count is 0.
	Conversion *float64 `json:"conversion"`
}

// Transition is a step between two adjacent stages.
type Transition struct {
	From       string  `json:"from"`
	To         string  `json:"to"`
	FromLabel  string  `json:"from_label"`
	ToLabel    string  `json:"to_label"`
	Conversion float64 `json:"conversion"`
}

// Gap is the transition where an employee falls furthest below the team.
type Gap struct {
	Transition
	// Team is the team's conversion of the same transition; Gap = Conversion - Team (< 0).
	Team float64 `json:"team"`
	Gap  float64 `json:"gap"`
}

// Change is how one stage's conversion moved from the previous window.
type Change struct {
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	Conversion *float64 `json:"conversion"`
	Previous   *float64 `json:"previous"`
	// Delta is Conversion - Previous in fractions (0.05 = 5 percentage
	// points); nil when either is unknown.
	Delta *float64 `json:"delta"`
}

// Funnel is the funnel of one window for the team or one employee.
type Funnel struct {
	Stages []Stage `json:"stages"`
	// Weakest is the transition with the lowest conversion among those whose
	// previous stage has at least MinBase; nil means not enough data.
	Weakest *Transition `json:"weakest"`
	// Days counts the employee-days with data behind the numbers.
	Days int `json:"days"`
	// Rating is the mean company rating weighted by feedback calls; nil when
	// no day had one.
	Rating *float64 `json:"rating"`
}

// Previous is the funnel of the window of equal length just before.
type Previous struct {
	From string `json:"from"`
	To   string `json:"to"`
	Funnel
}

// Employee is one employee's funnel.
type Employee struct {
	ID string `json:"id"`
	Funnel
	// Statuses counts the employee's days of the window by status.
	Statuses map[report.Status]int `json:"statuses,omitempty"`
	// Behind is the transition where the employee is furthest below the team.
	Behind *Gap `json:"behind,omitempty"`
	// Trend is how each conversion moved from the previous window.
	Trend []Change `json:"trend,omitempty"`
}

// Result is the team's and each employee's funnel (the JSON of `funnel`, SPEC §2).
type Result struct {
	From string `json:"from"`
	To   string `json:"to"`
	Funnel
	// Statuses counts the team's days of the window by status.
	Statuses map[report.Status]int `json:"statuses,omitempty"`
	// Previous is the same for the window before; Trend compares the two.
	Previous *Previous `json:"previous,omitempty"`
	Trend    []Change  `json:"trend,omitempty"`
	// Employees are the employees' funnels in order; nil in a result
	// Stream made until Whole (read Len and Employee instead).
	Employees []Employee `json:"employees"`

	// lazy, when set, builds the employees' funnels as they are read
	// (Stream): Employees is nil then.
	lazy *lazy
}
