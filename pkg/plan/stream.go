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
	// counted days up to the date, the review as counted so far and the
	// date of the last day added.
	order  [][]string
	actual [][]float64
	review *tallies
	last   []day.Date
	// dates are the month's dates as notes show them, made once: a note's
	// date string per day was 16 bytes of 200 000 notes.
	dates [32]string
	// keys are the flag codes as the reviews' maps keep them, one string
	// each: every day read brings its own copies.
	keys map[string]string
}

// tallies are the employees' reviews as a stream counts them: the days by
// status and the totals by metric in slices indexed by the stream's
// statuses and metrics, not in maps. An employee's review of maps (days,
// totals, flags) was some 700 bytes, 7 MB of 10 000 employees' month held
// while the Итоги месяца tab was written; a tally is a third of that, and
// the review's maps are made for one employee at a time when it is read
// (Review.Employee).
type tallies struct {
	of       []tally
	statuses []report.Status
	statusAt map[report.Status]int
	metrics  []string
	metricAt map[string]int
	// res is the план-факт whose figures the reviews show (Stream.Review).
	res *Result
}

// tally is one employee's review as counted: days and totals by index
// (tallies.statuses, tallies.metrics), added telling the totals of a
// metric met from a sum of zero.
type tally struct {
	id, name string
	days     []int32
	totals   []float64
	added    []bool
	flags    map[string]int // nil: none yet
	notes    []Note
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

// status is the index of status st in the tallies, taken when new.
func (t *tallies) status(st report.Status) int {
	if i, ok := t.statusAt[st]; ok {
		return i
	}
	t.statusAt[st] = len(t.statuses)
	t.statuses = append(t.statuses, st)
	return len(t.statuses) - 1
}

// metric is the index of metric k in the tallies, taken when new.
func (t *tallies) metric(k string) int {
	if i, ok := t.metricAt[k]; ok {
		return i
	}
	t.metricAt[k] = len(t.metrics)
	t.metrics = append(t.metrics, k)
	return len(t.metrics) - 1
}

// NewStream starts a month's план-факт and review of in. The employees'
// Days are not read: the days come through Add.
func NewStream(in Input) *Stream {
	n := len(in.Employees)
	s := &Stream{in: in, upTo: in.asOf(), byID: make(map[string]int, n),
		order: make([][]string, n), actual: make([][]float64, n),
		review: &tallies{of: make([]tally, n), statusAt: map[report.Status]int{}, metricAt: map[string]int{}},
		last:   make([]day.Date, n)}
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
		s.review.of[i] = tally{id: e.ID, name: e.Name}
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
	t := &s.review.of[i]
	if k := s.review.status(d.Status); k < len(t.days) {
		t.days[k]++
	} else {
		t.days = append(t.days, make([]int32, k-len(t.days)+1)...)
		t.days[k] = 1
	}
	for _, f := range d.Flags {
		if t.flags == nil {
			t.flags = map[string]int{}
		}
		t.flags[s.key(f)]++
	}
	if !Counts(d.Status) {
		return nil
	}
	for k, v := range d.Metrics {
		j := s.review.metric(k)
		if j >= len(t.totals) {
			t.totals = append(t.totals, make([]float64, j-len(t.totals)+1)...)
			t.added = append(t.added, make([]bool, j-len(t.added)+1)...)
		}
		t.totals[j] += v
		t.added[j] = true
	}
	if d.Notes != "" || d.LongTerm != "" {
		date := &s.dates[d.Date.Day]
		if *date == "" {
			*date = d.Date.String()
		}
		t.notes = append(t.notes, Note{Date: *date, Notes: d.Notes, LongTerm: d.LongTerm})
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
// Result: ReviewOf's. It hands the stream's tallies over (call it once):
// each employee's review is made when it is read (Review.Employee, or all
// of them by Review.Whole).
func (s *Stream) Review(res *Result) *Review {
	rv := newReview(s.in)
	rv.Employees = nil
	t := s.review
	for i := range t.of {
		if n := &t.of[i].notes; cap(*n) > len(*n) {
			// appended one by one, up to half of them is spare room
			*n = append(make([]Note, 0, len(*n)), *n...)
		}
	}
	t.res, rv.tallies, s.review = res, t, nil
	return rv
}

// employee makes the review of the i-th employee: ReviewOf's.
func (t *tallies) employee(i int) EmployeeReview {
	c := &t.of[i]
	er := EmployeeReview{ID: c.id, Name: c.name, Days: make(map[report.Status]int, len(c.days)),
		Totals: make(map[string]float64, len(c.totals)), Flags: c.flags, Notes: c.notes}
	for k, n := range c.days {
		if n > 0 {
			er.Days[t.statuses[k]] = int(n)
		}
	}
	for k, v := range c.totals {
		if c.added[k] {
			er.Totals[t.metrics[k]] = v
		}
	}
	if er.Flags == nil {
		er.Flags = map[string]int{}
	}
	if er.Notes == nil {
		er.Notes = []Note{}
	}
	er.planOf(t.res, i)
	return er
}
