package pass

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	planfact "github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
)

// PlanOptions tune Engine.Plan.
type PlanOptions struct {
	// CRM reads the CRM's facts of every elapsed working day for actual_crm
	// (one FactReader call per day and time zone).
	CRM bool
}

// Plan computes the план-факт of month m up to date (SPEC §8): each
// employee's plan (plans in the config), the stored days, and with
// opts.CRM what the CRM recorded.
func (e *Engine) Plan(ctx context.Context, m planfact.Month, date day.Date, opts PlanOptions) (*planfact.Result, error) {
	s, err := e.planStream(ctx, m, date, opts)
	if err != nil {
		return nil, err
	}
	return s.Result(), nil
}

// Review is the month review of m (SPEC §8): days by status, totals, flags,
// the plan figures up to date (zero: the month's end, or today within the
// month), and the free text.
func (e *Engine) Review(ctx context.Context, m planfact.Month, date day.Date) (*planfact.Review, error) {
	if date.IsZero() {
		today := day.Today(e.Now(), e.Config.CompanyLocation())
		date = m.Last()
		if today.Before(date) {
			date = today
		}
	}
	s, err := e.planStream(ctx, m, date, PlanOptions{})
	if err != nil {
		return nil, err
	}
	return s.Review(s.Result()), nil
}

// planStream computes a month's план-факт and review from its stored days
// (and with opts.CRM the CRM's facts), read one at a time: a month of every
// employee's days is the largest thing a pass reads, and only their sums,
// counts and notes are kept.
func (e *Engine) planStream(ctx context.Context, m planfact.Month, date day.Date, opts PlanOptions) (*planfact.Stream, error) {
	if e.Roster != nil && !e.rosterRead() {
		// A command without a pass before it: the roster tab first.
		if _, err := e.refreshRoster(ctx); err != nil {
			return nil, err
		}
	}
	if e.Plans != nil && !e.plansRead() {
		e.refreshPlans(ctx)
	}
	in := planfact.Input{Month: m, Date: date, Calendar: e.Calendar}
	for _, mt := range e.Template.Metrics {
		if mt.Type == report.Count || mt.Type == report.Rating {
			in.Metrics = append(in.Metrics, mt.Key)
		}
	}
	emps := e.Employees()
	in.Employees = make([]planfact.Employee, 0, len(emps))
	// The team's plan is merged once and held once for everyone without a
	// plan of their own (the stream's figures only read it).
	var team map[string]float64
	teamMade := false
	for _, emp := range emps {
		var p map[string]float64
		if e.ownPlan(m, emp.ID) {
			p = e.planOf(m, emp.ID)
		} else {
			if !teamMade {
				team, teamMade = e.planOf(m, ""), true
			}
			p = team
		}
		in.Employees = append(in.Employees, planfact.Employee{ID: emp.ID, Name: emp.Name, Start: emp.Start,
			OnLeave: emp.Leave(), Plan: p})
	}
	to := m.Last()
	if date.Before(to) {
		to = date
	}
	if opts.CRM {
		// The facts do not depend on the days: read before them, they are
		// part of the stream's input.
		e.planFacts(ctx, &in, emps, m.First(), to)
	}
	s := planfact.NewStream(in)
	err := e.Store.EachShownDay(ctx, m.First(), m.Last(), func(d store.Day) error {
		return s.Add(d.Employee, planfact.Day{Date: d.Date, Status: d.Status, Metrics: d.Metrics,
			Notes: d.Notes, LongTerm: d.LongTerm, Flags: flagCodes(d.Flags)})
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// planOf is an employee's plan for the month: the configuration's plans,
// with the manager sheet's План tab over them. A plan of 0 takes the metric
// out of the employee's plan (a senior's new calls under a team default).
func (e *Engine) planOf(m planfact.Month, id string) map[string]float64 {
	p := e.Config.Plans.For(m.String(), id)
	for k, v := range e.sheetPlanOf(m, id) {
		p[k] = v
	}
	for k, v := range p {
		if v == 0 {
			delete(p, k)
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// ownPlan reports whether employee id's plan for m is not the team's: the
// configuration or the План tab has an entry of theirs.
func (e *Engine) ownPlan(m planfact.Month, id string) bool {
	if e.Config.Plans.Own(m.String(), id) {
		return true
	}
	sp := &e.sheetPlans
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return len(sp.byID[id]) > 0
}

// planFacts adds up what the CRM recorded from..to for every employee, by
// metric key. A day the CRM does not answer for leaves actual_crm out
// rather than showing a short sum.
func (e *Engine) planFacts(ctx context.Context, in *planfact.Input, emps []config.Employee, from, to day.Date) {
	fr, ok := crm.AsFactReader(e.Adapter)
	if !ok || to.Before(from) {
		return
	}
	mapping := e.Config.Verify.Facts
	if len(mapping) == 0 {
		mapping = defaultFactMetrics
	}
	groups := map[string][]int{} // time zone → employees
	locs := map[string]*time.Location{}
	for i, emp := range emps {
		loc := e.Config.EmployeeLocation(emp)
		groups[loc.String()] = append(groups[loc.String()], i)
		locs[loc.String()] = loc
	}
	sums := make([]map[string]float64, len(emps))
	for name, idx := range groups {
		users := make([]string, 0, len(idx))
		for _, i := range idx {
			users = append(users, crmUser(emps[i]))
		}
		for _, d := range e.Calendar.Workdays(from, to) {
			all, err := fr.Facts(ctx, users, d, locs[name])
			if err != nil {
				e.Log.Warn().Err(err).Str("day", d.String()).Msg("read the CRM's facts for the plan; actual_crm is left out")
				return
			}
			for _, i := range idx {
				raw := all[crmUser(emps[i])]
				if sums[i] == nil {
					sums[i] = map[string]float64{}
				}
				for k, v := range raw {
					if mk, ok := mapping[k]; ok {
						sums[i][mk] += v
					} else if _, isMetric := e.Template.Metric(k); isMetric {
						sums[i][k] += v
					}
				}
			}
		}
	}
	for i := range in.Employees {
		if sums[i] != nil {
			in.Employees[i].CRM = sums[i]
		}
	}
}

// planModel is what the summary's План-факт and Итоги месяца tabs show as
// of to: the month's план-факт (without the CRM's facts: a pass does not
// ask the CRM for a whole month) and the reviews of that month and the one
// before.
func (e *Engine) planModel(ctx context.Context, to day.Date) (*summary.PlanModel, error) {
	m := planfact.MonthOf(to)
	// The план-факт and the review of the month are of the same days: read
	// once, a day at a time.
	s, err := e.planStream(ctx, m, to, PlanOptions{})
	if err != nil {
		return nil, err
	}
	cur := s.Result()
	pm := &summary.PlanModel{Current: cur, Reviews: []*planfact.Review{s.Review(cur)}}
	prev := m.Prev()
	rv, err := e.Review(ctx, prev, prev.Last())
	if err != nil {
		return nil, err
	}
	pm.Reviews = append(pm.Reviews, rv)
	for _, mt := range e.Template.Metrics {
		if mt.Type != report.Text {
			continue
		}
		if mt.Key == report.LongTermKey {
			pm.LongTermLabel = mt.Label(e.Lang())
		} else if pm.NotesLabel == "" {
			pm.NotesLabel = mt.Label(e.Lang())
		}
	}
	return pm, nil
}

// behindLine is the digest's line of who is behind the plan's pace on which
// metric, as of d; "" without plans or when nobody is.
func (e *Engine) behindLine(ctx context.Context, d day.Date) (string, error) {
	if e.Config.Plans.IsZero() {
		return "", nil
	}
	res, err := e.Plan(ctx, planfact.MonthOf(d), d, PlanOptions{})
	if err != nil {
		return "", err
	}
	return res.BehindLine(e.metricLabel, e.Lang()), nil
}

// metricLabel is a metric's display label in the company's language.
func (e *Engine) metricLabel(key string) string {
	if mt, ok := e.Template.Metric(key); ok {
		return mt.Label(e.Lang())
	}
	return key
}

func flagCodes(flags []crm.Flag) []string {
	out := make([]string, 0, len(flags))
	for _, f := range flags {
		out = append(out, f.Code)
	}
	return out
}

// sheetPlans is the last read of the manager sheet's План tab.
type sheetPlans struct {
	mu   sync.Mutex
	rows []source.PlanRow
	// byID indexes rows by employee, in the tab's order: the plan of
	// each of 10 000 employees looked through every row of the tab.
	byID     map[string][]int
	problems []source.PlanProblem
	read     bool
}

// refreshPlans reads the План tab when there is one to read, logs each
// problem with its cell and returns them. A tab that cannot be read keeps
// the plans last read (logged as a warning).
func (e *Engine) refreshPlans(ctx context.Context) []source.PlanProblem {
	if e.Plans == nil {
		return nil
	}
	var known []string
	for _, mt := range e.Template.Metrics {
		if mt.Type == report.Count || mt.Type == report.Rating {
			known = append(known, mt.Key)
		}
	}
	rows, probs, err := e.Plans.Plans(ctx, known)
	if err != nil {
		e.Log.Warn().Err(err).Msg("the План tab could not be read; the plans last read are used")
		return nil
	}
	ids := map[string]bool{}
	for _, emp := range e.Employees() {
		ids[emp.ID] = true
	}
	kept := rows[:0]
	for _, r := range rows {
		if !ids[r.Employee] {
			probs = append(probs, source.PlanProblem{Cell: r.Cell, Employee: r.Employee,
				Message: fmt.Sprintf("no employee %q in the roster; the row is not read", r.Employee)})
			continue
		}
		kept = append(kept, r)
	}
	for _, p := range probs {
		e.Log.Error().Str("cell", p.Cell).Str("employee", p.Employee).Str("problem", p.Message).Msg("plan cell not used")
	}
	sp := &e.sheetPlans
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.rows, sp.problems, sp.read = kept, probs, true
	sp.byID = make(map[string][]int, len(kept))
	for i, r := range kept {
		sp.byID[r.Employee] = append(sp.byID[r.Employee], i)
	}
	return probs
}

func (e *Engine) rosterRead() bool {
	e.rosterMu.Lock()
	defer e.rosterMu.Unlock()
	return e.roster != nil
}

func (e *Engine) plansRead() bool {
	e.sheetPlans.mu.Lock()
	defer e.sheetPlans.mu.Unlock()
	return e.sheetPlans.read
}

// PlanProblems are the problems of the План tab as last read (for /status).
func (e *Engine) PlanProblems() []source.PlanProblem {
	sp := &e.sheetPlans
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return append([]source.PlanProblem(nil), sp.problems...)
}

// sheetPlanOf is the План tab's plan of employee id for month m: the row
// for every month, then the month's own row over it.
func (e *Engine) sheetPlanOf(m planfact.Month, id string) map[string]float64 {
	sp := &e.sheetPlans
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var out map[string]float64
	for _, month := range []string{"", m.String()} {
		for _, i := range sp.byID[id] {
			if r := sp.rows[i]; r.Month == month {
				if out == nil {
					out = map[string]float64{}
				}
				for k, v := range r.Metrics {
					out[k] = v
				}
			}
		}
	}
	return out
}
