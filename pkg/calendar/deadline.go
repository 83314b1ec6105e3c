package calendar

import (
	"fmt"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// Leave is an employee's leave, both bounds inclusive. The zero Leave is no
// leave. A leave with only From set is open-ended; with only To set it runs
// from the beginning of time to To.
type Leave struct{ From, To day.Date }

// IsZero reports whether l is no leave.
func (l Leave) IsZero() bool { return l.From.IsZero() && l.To.IsZero() }

// Contains reports whether d falls within the leave.
func (l Leave) Contains(d day.Date) bool {
	if l.IsZero() || d.IsZero() {
		return false
	}
	if !l.From.IsZero() && d.Before(l.From) {
		return false
	}
	if !l.To.IsZero() && d.After(l.To) {
		return false
	}
	return true
}

// Validate reports a leave that ends before it starts.
func (l Leave) Validate() error {
	if !l.From.IsZero() && !l.To.IsZero() && l.To.Before(l.From) {
		return fmt.Errorf("leave ends (%s) before it starts (%s)", l.To, l.From)
	}
	return nil
}

// Deadline is the local time of day by which a day's report is due, plus a
// grace period.
type Deadline struct {
	Hour, Minute int
	Grace        time.Duration
}

// DefaultDeadline is 19:00 local time without grace (SPEC §5).
var DefaultDeadline = Deadline{Hour: 19}

// Validate checks the fields' ranges.
func (dl Deadline) Validate() error {
	if dl.Hour < 0 || dl.Hour > 23 || dl.Minute < 0 || dl.Minute > 59 {
		return fmt.Errorf("deadline %02d:%02d: not a time of day", dl.Hour, dl.Minute)
	}
	if dl.Grace < 0 {
		return fmt.Errorf("deadline grace %s is negative", dl.Grace)
	}
	return nil
}

// String formats the deadline as "19:00" or "19:00+30m0s".
func (dl Deadline) String() string {
	s := fmt.Sprintf("%02d:%02d", dl.Hour, dl.Minute)
	if dl.Grace != 0 {
		s += "+" + dl.Grace.String()
	}
	return s
}

// At returns the instant after which day d's report is late for someone in
// loc: d at Hour:Minute local wall-clock time, plus Grace as an absolute
// duration (so a grace that spans a DST change or midnight is exact elapsed
// time). A nil loc means UTC.
func (dl Deadline) At(d day.Date, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, dl.Hour, dl.Minute, 0, 0, loc).Add(dl.Grace)
}

// Passed reports whether the deadline of d has passed at now for someone in
// loc (strictly after At; at the deadline instant itself it has not).
func (dl Deadline) Passed(d day.Date, loc *time.Location, now time.Time) bool {
	return now.After(dl.At(d, loc))
}

// Today is the date of now in loc: the date on the person's own wall clock,
// whatever the date is in UTC or Moscow. A nil loc means UTC.
func Today(now time.Time, loc *time.Location) day.Date {
	if loc == nil {
		loc = time.UTC
	}
	return day.Of(now.In(loc))
}
