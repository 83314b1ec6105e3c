package pass

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/verify"
)

// historyDays is how many working days before a day verification reads:
// the outlier window and the stretches of the pipeline balance.
const historyDays = verify.HistoryDays

// factCache holds the CRM's facts of one pass, read once per date for the
// whole roster (one FactReader call instead of one per employee), or for
// those the pass judges in full when it judged the others quietly.
type factCache struct {
	mu     sync.Mutex
	byDate map[factKey]map[string]crm.Facts
	failed map[factKey]bool // the CRM did not answer fully for that day
}

// factKey is a day in a time zone.
type factKey struct {
	d   day.Date
	loc string
}

// crmUser is the id an employee has in the CRM (their dayreport id when the
// roster names none).
func crmUser(e config.Employee) string {
	if e.CRMUserID != "" {
		return e.CRMUserID
	}
	return e.ID
}

// defaultFactMetrics maps the fact kinds a CRM records to the sales-ru
// metrics they check (config verify.facts overrides): the telephony's calls
// are whichever calls the employee reports, new (a junior), primary (a
// senior) or both, summed.
var defaultFactMetrics = config.DefaultFactMetrics

// facts returns the CRM's facts of emp on d by metric key; nil when the
// adapter reads none or could not (the day is then verified without them,
// and incomplete is true so that the day is verified again next pass).
// The CRM is asked once per date and time zone for the whole roster.
func (r *run) facts(ctx context.Context, emp config.Employee, d day.Date) (_ map[string]float64, incomplete bool) {
	a, fc := r.e, r.factCache
	fr, ok := crm.AsFactReader(a.Adapter)
	if !ok || fc == nil {
		return nil, false
	}
	loc := a.Config.EmployeeLocation(emp)
	key := factKey{d, loc.String()}
	fc.mu.Lock()
	defer fc.mu.Unlock()
	all, done := fc.byDate[key]
	if !done {
		var users []string
		for _, e := range a.Employees() {
			if r.factsFor != nil && !r.factsFor[e.ID] {
				continue
			}
			if a.Config.EmployeeLocation(e).String() == loc.String() {
				users = append(users, crmUser(e))
			}
		}
		var err error
		if all, err = fr.Facts(ctx, users, d, loc); err != nil {
			a.Log.Warn().Err(err).Str("day", d.String()).Msg("read the CRM's facts; the day is verified without what is missing, and again next pass")
			if fc.failed == nil {
				fc.failed = map[factKey]bool{}
			}
			fc.failed[key] = true
		}
		fc.byDate[key] = all
	}
	incomplete = fc.failed[key]
	raw := all[crmUser(emp)]
	if raw == nil {
		return nil, incomplete
	}
	mapping := a.Config.Verify.Facts
	if len(mapping) == 0 {
		mapping = defaultFactMetrics
	}
	out := make(map[string]float64, len(raw))
	for k, v := range raw {
		if m, ok := mapping[k]; ok {
			out[m] += v
		} else if _, isMetric := a.Template.Metric(k); isMetric {
			out[k] += v // already a metric key (the builtin CRM's CSV)
		}
	}
	return out, incomplete
}

// flags verifies an employee-day with a report: against the CRM's facts
// (of the day and its neighbours, for carry-overs), the employee's history,
// and the report's own versions. closing says this pass closes the day with
// version. factsMissing says the CRM's facts could not all be read.
func (r *run) flags(ctx context.Context, p *plan, next store.Day, version *store.Version, closing bool) (_ []crm.Flag, factsMissing bool, _ error) {
	a, emp := r.e, p.emp
	if next.Status != report.Submitted && next.Status != report.Late {
		return nil, false, nil // an invalid report's numbers are not to be trusted either way
	}
	d := next.Date
	in := verify.Input{Today: verify.Day{Date: d, Metrics: next.Metrics}}
	in.Facts, factsMissing = r.facts(ctx, emp, d)
	dates := a.Calendar.LastWorkdays(d, historyDays)
	after := a.Calendar.NextWorkday(d)
	to := d.AddDays(-1)
	if !after.IsZero() && !after.After(r.todayOf(emp)) {
		to = after
	}
	if len(dates) > 0 {
		byDate, err := r.history(ctx, p, dates[0], to)
		if err != nil {
			return nil, factsMissing, err
		}
		for _, wd := range dates {
			in.History = append(in.History, historyDay(byDate, wd))
		}
		// The CRM's facts of the last days: overstated sums a small excess
		// over them and forgives a carry-over from the day before.
		for k := len(in.History) - 1; k >= 0 && k >= len(in.History)-(verify.DefaultOverstatedWindow-1); k-- {
			if in.History[k].Metrics == nil {
				break
			}
			var missing bool
			in.History[k].Facts, missing = r.facts(ctx, emp, in.History[k].Date)
			factsMissing = factsMissing || missing
		}
		if to == after {
			if nd := historyDay(byDate, after); nd.Metrics != nil {
				var missing bool
				nd.Facts, missing = r.facts(ctx, emp, after)
				factsMissing = factsMissing || missing
				in.Next = &nd
			}
		}
	}
	edit, err := r.lateEdit(ctx, p, next, version, closing)
	if err != nil {
		return nil, factsMissing, err
	}
	in.LateEdit = edit
	return verify.Check(a.Template, in, verify.Options{Lang: a.Lang(),
		ToleranceAbs: float64(a.Config.Verify.ToleranceAbs), TolerancePct: float64(a.Config.Verify.TolerancePct)}), factsMissing, nil
}

// history returns the employee's stored days by date, every one of
// from..to among them (the plan's days: only those are to be looked up). The first
// call of a pass reads from the store every day from `from` to the
// employee's today (staged days of the employee are written first) into the
// plan, which judgeDay keeps up to date from then on: the days an employee's
// pass verifies are read in one query, not one per day, and a read does not
// commit the pass's batch of judged days each time.
func (r *run) history(ctx context.Context, p *plan, from, to day.Date) (map[day.Date]store.Day, error) {
	if p.histFrom.IsZero() || from.Before(p.histFrom) || to.After(p.histTo) {
		hi := maxDate(to, p.today)
		stored, err := r.e.daysOf(ctx, p.emp.ID, from, hi)
		if err != nil {
			return nil, err
		}
		for _, s := range stored {
			p.stored[s.Date] = s
		}
		if p.histFrom.IsZero() || p.histTo.Before(from.AddDays(-1)) || hi.Before(p.histFrom.AddDays(-1)) {
			p.histFrom, p.histTo = from, hi
		} else {
			p.histFrom, p.histTo = minDate(p.histFrom, from), maxDate(p.histTo, hi)
		}
	}
	return p.stored, nil
}

// historyDay is a stored day as verification sees it: its numbers when it
// had a report to trust, and whether a flag put them in doubt.
func historyDay(byDate map[day.Date]store.Day, d day.Date) verify.Day {
	return asHistory(d, byDate[d])
}

// asHistory is s, the stored day d (the zero Day: none), as verification
// sees it.
func asHistory(d day.Date, s store.Day) verify.Day {
	h := verify.Day{Date: d}
	if s.Status != report.Submitted && s.Status != report.Late {
		return h
	}
	h.Metrics = s.Metrics
	for _, f := range s.Flags {
		h.Flagged = h.Flagged || f.Code != verify.EditedLate
	}
	return h
}

// lateEdit finds a change of the day's numbers after its deadline
// (verify.LateEdit): measured from the version seen by the deadline, else
// the version the day was closed with, else the first version seen after a
// close without a report.
func (r *run) lateEdit(ctx context.Context, p *plan, next store.Day, current *store.Version, closing bool) (*verify.Edit, error) {
	a, emp := r.e, p.emp
	if current == nil {
		return nil, nil
	}
	var stored []store.Version
	if _, known := p.stored[next.Date]; known {
		// (A day the store does not hold has no versions either: they are
		// written with the day.)
		var err error
		if stored, err = a.versions(ctx, emp.ID, next.Date); err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
	}
	loc := a.Config.EmployeeLocation(emp)
	vs := verify.Versions{Deadline: a.deadline.At(next.Date, loc), ClosedAt: next.ClosedAt}
	// Who last modified the document and when are the source's word at the
	// version's first sighting (the stored one, once it is stored).
	cur := verify.Version{Hash: current.ContentHash, Seen: r.now, Metrics: current.Metrics, By: current.EditedBy, Edited: current.EditedAt}
	for _, v := range stored {
		sv := verify.Version{Hash: v.ContentHash, Seen: v.FirstSeen, Metrics: v.Metrics, By: v.EditedBy, Edited: v.EditedAt}
		vs.All = append(vs.All, sv)
		if v.ContentHash == current.ContentHash {
			cur = sv
		}
	}
	if !slices.ContainsFunc(vs.All, func(v verify.Version) bool { return v.Hash == cur.Hash }) {
		vs.All = append(vs.All, cur)
	}
	switch {
	case closing:
		vs.Closed = &cur
	case !next.ClosedAt.IsZero():
		hash, closedAt, ok, err := a.closedVersion(ctx, emp.ID, next.Date)
		if err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
		if i := slices.IndexFunc(vs.All, func(v verify.Version) bool { return v.Hash == hash }); ok && i >= 0 {
			vs.Closed, vs.ClosedAt = &vs.All[i], closedAt
		}
	}
	edit := verify.LateEdit(vs, cur)
	if edit != nil {
		edit.At, edit.BaselineAt = edit.At.In(loc), edit.BaselineAt.In(loc)
	}
	return edit, nil
}

// noteClosed records the version a pass closed a day with: later changes
// are measured from it.
func (r *run) noteClosed(ctx context.Context, d store.Day, version *store.Version) {
	if r.e.DryRun || version == nil || d.ClosedAt.IsZero() {
		return
	}
	if err := r.e.noteClosedVersion(ctx, d.Employee, d.Date, version.ContentHash, d.ClosedAt); err != nil {
		r.log.Warn().Err(err).Str("employee", d.Employee).Str("day", d.Date.String()).Msg("record the version the day was closed with")
	}
}
