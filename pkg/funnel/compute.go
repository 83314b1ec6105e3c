package funnel

import (
	"maps"
	"math"
	"slices"

	"github.com/dayreport/dayreport/pkg/report"
)

// Options tune Compute.
type Options struct {
	// Lang picks the stage labels: "ru" (default) or "en".
	Lang string
	// MinBase is the smallest previous-stage count a transition needs to be
	// judged (0: DefaultMinBase).
	MinBase float64
	// Order lists employee ids in the order to report them (the roster);
	// employees not listed follow in id order.
	Order []string
}

// Add adds one day with data to the totals.
func (t *Totals) Add(metrics map[string]float64, rating report.RatingSpec) {
	if t.Metrics == nil {
		t.Metrics = map[string]float64{}
	}
	t.Days++
	for k, v := range metrics {
		t.Metrics[k] += v
	}
	if rating.Metric == "" {
		return
	}
	r, ok := metrics[rating.Metric]
	if !ok {
		return
	}
	w := 1.0
	if rating.Weight != "" {
		w = metrics[rating.Weight]
	}
	if w > 0 {
		t.RatingSum += r * w
		t.RatingWeight += w
	}
}

// Merge adds o to t.
func (t *Totals) Merge(o Totals) {
	if t.Metrics == nil {
		t.Metrics = map[string]float64{}
	}
	if t.Statuses == nil {
		t.Statuses = map[report.Status]int{}
	}
	t.Days += o.Days
	for k, v := range o.Metrics {
		t.Metrics[k] += v
	}
	for k, v := range o.Statuses {
		t.Statuses[k] += v
	}
	t.RatingSum += o.RatingSum
	t.RatingWeight += o.RatingWeight
}

// Team adds up every employee of the window.
func (w Window) Team() Totals {
	var team Totals
	for _, id := range slices.Sorted(maps.Keys(w.Employees)) {
		team.Merge(w.Employees[id])
	}
	return team
}

// Compute builds the funnel of the window cur for the team and each
// employee, and, when prev has employees, the previous window and the trend.
func Compute(t *report.Template, cur, prev Window, opts Options) *Result {
	return Stream(t, cur, prev, opts).Whole()
}

// Stream is Compute for a reader that goes through the employees one at a
// time (Len, Employee): the team's funnel, the previous window and the
// trend are built, and each employee's funnel is built from the windows'
// totals when it is read. Employees is nil until Whole (so is the JSON's
// "employees": encode a streamed result made whole). The manager
// summary's Воронка tab reads it so: for 10 000 employees their funnels
// were some 6 MiB, all held while the tab was laid out, and that tab was
// the highest point of a first pass's memory.
func Stream(t *report.Template, cur, prev Window, opts Options) *Result {
	if opts.MinBase <= 0 {
		opts.MinBase = DefaultMinBase
	}
	team := cur.Team()
	res := &Result{From: cur.From.String(), To: cur.To.String(), Funnel: build(t, team, opts), Statuses: team.Statuses}
	l := &lazy{t: t, cur: cur, prev: prev, opts: opts, team: res.Stages, ids: order(cur.Employees, opts.Order)}
	if len(prev.Employees) > 0 {
		p := build(t, prev.Team(), opts)
		l.withPrev = true
		res.Previous = &Previous{From: prev.From.String(), To: prev.To.String(), Funnel: p}
		res.Trend = trend(res.Stages, p.Stages)
	}
	res.lazy = l
	return res
}

// lazy is what a streamed result builds its employees' funnels from.
type lazy struct {
	t         *report.Template
	cur, prev Window
	opts      Options
	team      []Stage // the team's stages, which each employee is held against
	withPrev  bool    // the previous window has employees: each has a trend
	ids       []string
	observe   func(i int, e *Employee)
}

// employee builds the funnel of the i-th employee.
func (l *lazy) employee(i int) Employee {
	id := l.ids[i]
	tot := l.cur.Employees[id]
	e := Employee{ID: id, Funnel: build(l.t, tot, l.opts), Statuses: tot.Statuses}
	e.Behind = behind(e.Stages, l.team, l.opts.MinBase)
	if l.withPrev {
		if pt, ok := l.prev.Employees[id]; ok {
			e.Trend = trend(e.Stages, build(l.t, pt, l.opts).Stages)
		}
	}
	if l.observe != nil {
		l.observe(i, &e)
	}
	return e
}

// Observe has fn called with each employee's funnel a streamed result
// builds (Employee, Slice, Whole), as it is built: the summary's
// fingerprint digests the funnels the Воронка tab builds, instead of
// building each twice. fn must not keep e. Nil stops it; a result made
// whole calls nothing.
func (r *Result) Observe(fn func(i int, e *Employee)) {
	if r.lazy != nil {
		r.lazy.observe = fn
	}
}

// Len is the number of employees with a funnel.
func (r *Result) Len() int {
	if r.lazy != nil {
		return len(r.lazy.ids)
	}
	return len(r.Employees)
}

// Employee is the funnel of the i-th employee. A streamed result builds it
// anew at each call: a reader that goes through the employees holds one of
// them at a time.
func (r *Result) Employee(i int) Employee {
	if r.lazy != nil {
		return r.lazy.employee(i)
	}
	return r.Employees[i]
}

// Slice is r with the employees from i to j alone, built (the rest of r
// as it is).
func (r *Result) Slice(i, j int) *Result {
	c := *r
	c.lazy = nil
	if r.lazy == nil {
		c.Employees = r.Employees[i:j]
		return &c
	}
	c.Employees = make([]Employee, j-i)
	for k := range c.Employees {
		c.Employees[k] = r.lazy.employee(i + k)
	}
	return &c
}

// Whole builds every employee's funnel into Employees, once, and returns
// r: for a reader of Employees (and of the JSON, which encodes the
// fields).
func (r *Result) Whole() *Result {
	if l := r.lazy; l != nil {
		r.Employees = make([]Employee, len(l.ids))
		for i := range r.Employees {
			r.Employees[i] = l.employee(i)
		}
		r.lazy = nil
	}
	return r
}

// build is the funnel of one set of totals.
func build(t *report.Template, tot Totals, opts Options) Funnel {
	f := Funnel{Stages: make([]Stage, 0, len(t.Funnel)), Days: tot.Days}
	for i, s := range t.Funnel {
		st := Stage{Key: s.Key, Label: s.DisplayLabel(opts.Lang)}
		for _, m := range s.Metrics {
			st.Count += tot.Metrics[m]
		}
		if i > 0 {
			st.Conversion = ratio(st.Count, f.Stages[i-1].Count)
		}
		f.Stages = append(f.Stages, st)
	}
	f.Weakest = weakest(f.Stages, opts.MinBase)
	if tot.RatingWeight > 0 {
		r := round(tot.RatingSum/tot.RatingWeight, 2)
		f.Rating = &r
	}
	return f
}

// weakest is the lowest conversion among the transitions whose previous
// stage has at least minBase; the first one wins a tie.
func weakest(stages []Stage, minBase float64) *Transition {
	var w *Transition
	for i := 1; i < len(stages); i++ {
		from, to := stages[i-1], stages[i]
		if to.Conversion == nil || from.Count < minBase {
			continue
		}
		if w == nil || *to.Conversion < w.Conversion {
			w = &Transition{From: from.Key, To: to.Key, FromLabel: from.Label, ToLabel: to.Label, Conversion: *to.Conversion}
		}
	}
	return w
}

// behind finds the transition where an employee's conversion is furthest
// below the team's, among those with enough data on the employee's side.
func behind(emp, team []Stage, minBase float64) *Gap {
	var g *Gap
	for i := 1; i < len(emp) && i < len(team); i++ {
		e, tm := emp[i].Conversion, team[i].Conversion
		if e == nil || tm == nil || emp[i-1].Count < minBase {
			continue
		}
		gap := *e - *tm
		if gap < 0 && (g == nil || gap < g.Gap) {
			g = &Gap{
				Transition: Transition{From: emp[i-1].Key, To: emp[i].Key, FromLabel: emp[i-1].Label, ToLabel: emp[i].Label, Conversion: *e},
				Team:       *tm, Gap: gap,
			}
		}
	}
	return g
}

// trend compares each stage's conversion with the previous window's.
func trend(cur, prev []Stage) []Change {
	out := make([]Change, 0, len(cur))
	for i := 1; i < len(cur) && i < len(prev); i++ {
		c := Change{Key: cur[i].Key, Label: cur[i].Label, Conversion: cur[i].Conversion, Previous: prev[i].Conversion}
		if c.Conversion != nil && c.Previous != nil {
			d := *c.Conversion - *c.Previous
			c.Delta = &d
		}
		out = append(out, c)
	}
	return out
}

// ratio is n/d, exact (each medium rounds it once: json.go), nil when d is 0.
func ratio(n, d float64) *float64 {
	if d == 0 {
		return nil
	}
	r := n / d
	return &r
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// order lists the employees of a window: the given order first, the rest by id.
func order(emps map[string]Totals, first []string) []string {
	out := make([]string, 0, len(emps))
	seen := map[string]bool{}
	for _, id := range first {
		if _, ok := emps[id]; ok && !seen[id] {
			out = append(out, id)
			seen[id] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(emps)) {
		if !seen[id] {
			out = append(out, id)
		}
	}
	return out
}
