// Package verdict decides what one employee-day is (SPEC §5) and which days a
// pass must close (the day ledger). It is the rule of the product's first
// promise — «не сдал отчёт — значит, не присутствовал» — written as pure
// functions: what is stored for the day, what the document holds now, the
// calendar's answer, the deadline in the employee's own zone, leave, the start
// date and the time go in; the day's state comes out. No I/O, no clock: the
// pass engine (pkg/pass) gathers the inputs and stores the result.
package verdict

import (
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Stored is what the state database holds for the day (the zero value: nothing).
type Stored struct {
	// Known is true when a row exists for the day.
	Known  bool
	Status report.Status
	// ClosedAt is when a pass closed the day (zero: not closed).
	ClosedAt time.Time
	// FirstSeen is when a report for the day was first seen (zero: never).
	FirstSeen time.Time
	// Late is true when the report first appeared after the day was closed.
	Late bool
}

// Document is what the employee's document holds for the day now.
type Document int

// What a document may hold for a day.
const (
	// NoReport: no section for the day (or no document at all).
	NoReport Document = iota
	// Valid: a section that parses without errors.
	Valid
	// Invalid: a section with errors.
	Invalid
)

// Input is everything the verdict depends on.
type Input struct {
	Day    day.Date
	Stored Stored
	// Document is what the document holds for Day now.
	Document Document
	// Workday is the production calendar's answer for Day.
	Workday bool
	// OnLeave is true when Day falls within the employee's leave.
	OnLeave bool
	// Start is the employee's first day (zero: none): no day exists before it.
	Start day.Date
	// Deadline is the instant after which Day's report is late: the deadline
	// time in the employee's own zone plus the grace period.
	Deadline time.Time
	// Now is the moment of the pass.
	Now time.Time
	// Force closes the day even before its deadline (close-day --force).
	Force bool
}

// State is the day's verdict.
type State struct {
	// Exists is false when there is no day to keep: before the employee's
	// start, or a day that holds nothing, was never stored and is not closed
	// (not due yet, or a day off).
	Exists bool
	Status report.Status
	// ClosedAt, FirstSeen and Late are what to store (see Stored).
	ClosedAt  time.Time
	FirstSeen time.Time
	Late      bool
	// Closes is true when this verdict closes the day (ClosedAt is new).
	Closes bool
	// Kept is true when the document no longer holds the report it held:
	// what was reported stays (the store keeps its numbers).
	Kept bool
	// Record is true when the day is written to the CRM (not day_off, not missing).
	Record bool
}

// Decide returns the state of one employee-day.
//
// A working day is closed by the first decision after its deadline (or a
// forced one); leave days close too, as on_leave. On a closed working day an
// employee with no report is absent; a report first seen after the close is
// late (the close is the evidence); a report seen before, or by the decision
// that closes the day, is submitted (or invalid): a pass over days no pass
// reached before has no evidence of lateness. A report that disappears from
// the document keeps the status it had. A report on a day off or during leave
// is simply submitted.
func Decide(in Input) State {
	if !in.Start.IsZero() && in.Day.Before(in.Start) {
		return State{}
	}
	due := in.Workday && !in.OnLeave
	out := State{Exists: true, ClosedAt: in.Stored.ClosedAt, FirstSeen: in.Stored.FirstSeen, Late: in.Stored.Late}
	if out.ClosedAt.IsZero() && in.Workday && (in.Force || in.Now.After(in.Deadline)) {
		out.ClosedAt, out.Closes = in.Now, true
	}
	switch {
	case in.Document != NoReport:
		if out.FirstSeen.IsZero() {
			out.FirstSeen = in.Now
			// First seen after an earlier pass closed the day without it.
			out.Late = due && !in.Stored.ClosedAt.IsZero()
		}
		out.Status = report.Submitted
		if in.Document == Invalid {
			out.Status = report.Invalid
		} else if out.Late {
			out.Status = report.Late
		}
	case !in.Stored.FirstSeen.IsZero() && reported(in.Stored.Status):
		// A report was seen and is gone now: what was reported stays.
		out.Status, out.Kept = in.Stored.Status, true
	case !in.Workday:
		out.Status = report.DayOff
		out.Exists = in.Stored.Known // a day off with nothing in it is not kept
	case in.OnLeave:
		out.Status = report.OnLeave
	case !out.ClosedAt.IsZero():
		out.Status = report.Absent
	default:
		out.Status = report.Missing
		out.Exists = in.Stored.Known
	}
	out.Record = out.Status != report.DayOff && out.Status != report.Missing
	return out
}

// reported reports whether a status comes from a report in the document
// (submitted, late or invalid).
func reported(s report.Status) bool {
	return s == report.Submitted || s == report.Late || s == report.Invalid
}
