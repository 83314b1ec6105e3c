package plan

import (
	"fmt"
	"maps"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// Stream computes what Compute and ReviewOf give from a month's days handed
// over one at a time (Add), keeping per employee only what the two show
// (the planned metrics' sums, the days and flags counted, the totals, the
// notes), not the days. For 10 000 employees the month of days held whole
// was 12 MiB of a pass's peak memory.
//
// The sums are added day by day as Compute and ReviewOf add them, so they
// are the same to the last bit, provided each employee's days come in date
// order (the store's EachDay gives them by date, then employee): Add
// refuses a day that comes before the employee's last one.
type Stream struct {
	in   Input
	upTo day.Date
	byID map[string]int
	// Per employee: the planned keys in display order, their sums over the
	// counted days up to the date, the review as built so far and the date
	// of the last day added.
	order  [][]string
	actual [][]float64
	review []EmployeeReview
	last   []day.Date
	// dates are the month's dates as notes show them, made once: a note's
	// date string per day was 16 bytes of 200 000 notes.
	dates [32]string
	// keys are the statuses, metric keys and flag codes as the reviews'
	// maps keep them, one string each: every day read brings its own
	// copies, and each employee's maps kept those of their first day (two
	// months of 10 000 employees' reviews, some 2 MiB of the same dozen
	// words at the peak of a first pass).
	keys map[string]string
}

// key is k as the stream's maps keep it.
func (s *Stream) key(k string) string {
	if c, ok := s.keys[k]; ok {
		return c
	}
	if s.keys == nil {
		s.keys = map[string]string{}
	}
	s.keys[k] = k
	return k
}

// NewStream starts a month's план-факт and review of in. The employees'
// Days are not read: the days come through Add.
func NewStream(in Input) *Stream {
	n := len(in.Employees)
	s := &Stream{in: in, upTo: in.asOf(), byID: make(map[string]int, n),
		order: make([][]string, n), actual: make([][]float64, n), review: make([]EmployeeReview, n),
		last: make([]day.Date, n)}
	for i, e := range in.Employees {
		s.byID[e.ID] = i // a repeated id gets the days (as planInput's map gave them)
		if i > 0 && maps.Equal(e.Plan, in.Employees[i-1].Plan) {
			// The same plan as the employee before (a team's default):
			// the same order, read only, held once.
			s.order[i] = s.order[i-1]
		} else {
			s.order[i] = order(in.Metrics, e.Plan)
		}
		s.actual[i] = make([]float64, len(s.order[i]))
		s.review[i] = newEmployeeReview(e)
	}
	return s
}

// Add counts employee id's day d. A day of an employee not in the input,
// or outside the month, is not counted.
func (s *Stream) Add(id string, d Day) error {
	i, ok := s.byID[id]
	if !ok || !s.in.Month.Contains(d.Date) {
		return nil
	}
	if !s.last[i].IsZero() && !s.last[i].Before(d.Date) {
		return fmt.Errorf("plan: %s's day %s comes after %s: days must come in date order", id, d.Date, s.last[i])
	}
	s.last[i] = d.Date
	r := &s.review[i]
	r.Days[report.Status(s.key(string(d.Status)))]++
	for _, f := range d.Flags {
		r.Flags[s.key(f)]++
	}
	if !Counts(d.Status) {
		return nil
	}
	for k, v := range d.Metrics {
		r.Totals[s.key(k)] += v
	}
	if d.Notes != "" || d.LongTerm != "" {
		date := &s.dates[d.Date.Day]
		if *date == "" {
			*date = d.Date.String()
		}
		r.Notes = append(r.Notes, Note{Date: *date, Notes: d.Notes, LongTerm: d.LongTerm})
	}
	if !d.Date.After(s.upTo) {
		for j, k := range s.order[i] {
			if v, ok := d.Metrics[k]; ok {
				s.actual[i][j] += v
			}
		}
	}
	return nil
}

// Result is the month's план-факт of the days added: Compute's.
func (s *Stream) Result() *Result {
	month := calendarDays(s.in.Calendar, s.in.Month.First(), s.in.Month.Last())
	elapsed := daysUpTo(month, s.upTo)
	res, team := newResult(s.in), map[string]*teamSums{}
	for i, e := range s.in.Employees {
		er := EmployeeResult{ID: e.ID, Name: e.Name, Metrics: map[string]Figures{},
			WorkingDays: workingDays(month, e),
			ElapsedDays: workingDays(elapsed, e), Order: s.order[i]}
		for j, k := range er.Order {
			er.figure(k, e, s.actual[i][j], team)
		}
		res.Employees = append(res.Employees, er)
	}
	res.teamFigures(s.in.Metrics, team)
	return res
}

// Review is the month review of the days added, with res the stream's
// Result: ReviewOf's. It hands the stream's review over: call it once.
func (s *Stream) Review(res *Result) *Review {
	rv := newReview(s.in)
	// The stream's reviews themselves, not a copy: 10 000 employees' were
	// held twice while it was made.
	rv.Employees = s.review
	for i := range rv.Employees {
		er := &rv.Employees[i]
		er.planOf(res, i)
		if cap(er.Notes) > len(er.Notes) {
			// appended one by one, up to half of them is spare room
			er.Notes = append(make([]Note, 0, len(er.Notes)), er.Notes...)
		}
	}
	s.review = nil
	return rv
}
