package verdict

import (
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// The day ledger. Closing is a property of each employee-day, not of the pass
// that happens to run: every pass, of any kind and for any date, first closes
// every working day of every employee whose deadline has passed in the
// employee's own zone and that no pass closed yet, back to a horizon. So a
// day no pass reached after its deadline (the server was down, the employee
// lives west of the company, a transferred working Saturday) still gets its
// verdict from the next pass.

// Horizon is the oldest day the ledger closes for an employee: the latest of
// the day dayreport first judged for the employee (its install, or the
// employee's first pass), the employee's start, and today minus maxDays.
// Zero dates are ignored; maxDays <= 0 means no maximum.
func Horizon(since, start, today day.Date, maxDays int) day.Date {
	h := since
	if h.IsZero() || start.After(h) {
		h = start
	}
	if maxDays > 0 {
		if floor := today.AddDays(-maxDays); h.IsZero() || floor.After(h) {
			h = floor
		}
	}
	return h
}

// Employee is what the ledger needs to know of one employee.
type Employee struct {
	// Horizon is the oldest day to close (see Horizon).
	Horizon day.Date
	// Today is the date on the employee's own wall clock now.
	Today day.Date
	// Workday is the production calendar's answer.
	Workday func(day.Date) bool
	// Deadline is the instant after which a day's report is late for the employee.
	Deadline func(day.Date) time.Time
	// Closed reports whether the day was closed already.
	Closed func(day.Date) bool
}

// Pending returns, oldest first, the employee's working days from the horizon
// to today whose deadline has passed at now and which are not closed yet: the
// days the pass must close.
func Pending(e Employee, now time.Time) []day.Date {
	if e.Horizon.IsZero() || e.Today.Before(e.Horizon) {
		return nil
	}
	var out []day.Date
	for d := e.Horizon; !d.After(e.Today); d = d.AddDays(1) {
		if e.Workday(d) && now.After(e.Deadline(d)) && !e.Closed(d) {
			out = append(out, d)
		}
	}
	return out
}
