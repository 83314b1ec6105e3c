package pass

import (
	"context"
	"fmt"
	"sync"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/verify"
)

// historyDays is how many working days before a day verification reads.
const historyDays = 20

// factCache holds the CRM's facts of one pass, read once per date for the
// whole roster (one FactReader call instead of one per employee).
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
// metrics they check (config verify.facts overrides).
var defaultFactMetrics = map[string]string{
	crm.FactCalls: "new_calls", crm.FactProposals: "proposals_sent", crm.FactInvoices: "invoices_issued",
	crm.FactWon: "contracts_signed", crm.FactPayments: "payments",
}

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

// flags verifies an employee-day with a report: against the CRM's facts, the
// employee's recent history, and the report's own versions. factsMissing
// says the CRM's facts could not all be read.
func (r *run) flags(ctx context.Context, emp config.Employee, next store.Day, version *store.Version) (_ []crm.Flag, factsMissing bool, _ error) {
	a := r.e
	if next.Status != report.Submitted && next.Status != report.Late {
		return nil, false, nil // an invalid report's numbers are not to be trusted either way
	}
	d := next.Date
	in := verify.Input{Today: verify.Day{Date: d, Metrics: next.Metrics}}
	in.Facts, factsMissing = r.facts(ctx, emp, d)
	dates := a.Calendar.LastWorkdays(d, historyDays)
	if len(dates) > 0 {
		stored, err := a.daysOf(ctx, emp.ID, dates[0], d.AddDays(-1))
		if err != nil {
			return nil, factsMissing, err
		}
		byDate := make(map[day.Date]store.Day, len(stored))
		for _, s := range stored {
			byDate[s.Date] = s
		}
		for _, wd := range dates {
			h := verify.Day{Date: wd}
			if s, ok := byDate[wd]; ok && (s.Status == report.Submitted || s.Status == report.Late) {
				h.Metrics = s.Metrics
			}
			in.History = append(in.History, h)
		}
	}
	edit, err := r.lateEdit(ctx, emp, next, version)
	if err != nil {
		return nil, factsMissing, err
	}
	in.LateEdit = edit
	return verify.Check(a.Template, in, verify.Options{Lang: a.Lang(),
		ToleranceAbs: float64(a.Config.Verify.ToleranceAbs), TolerancePct: float64(a.Config.Verify.TolerancePct)}), factsMissing, nil
}

// lateEdit finds a change of the day's numbers after its deadline: the
// current version first seen after the deadline, and a version seen before it
// with other numbers. A report first written after the deadline is late, not
// edited.
func (r *run) lateEdit(ctx context.Context, emp config.Employee, next store.Day, current *store.Version) (*verify.Edit, error) {
	a := r.e
	if current == nil {
		return nil, nil
	}
	versions, err := a.Store.Versions(ctx, emp.ID, next.Date)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	deadline := a.deadline.At(next.Date, a.Config.EmployeeLocation(emp))
	seenAt := r.now
	for _, v := range versions {
		if v.ContentHash == current.ContentHash {
			seenAt = v.FirstSeen
		}
	}
	if !seenAt.After(deadline) {
		return nil, nil
	}
	var before *store.Version
	for i := range versions {
		if !versions[i].FirstSeen.After(deadline) {
			before = &versions[i]
		}
	}
	if before == nil || sameNumbers(before.Metrics, current.Metrics) {
		return nil, nil
	}
	return &verify.Edit{At: seenAt.In(a.Config.EmployeeLocation(emp)), Before: before.Metrics, After: current.Metrics}, nil
}

func sameNumbers(x, y map[string]float64) bool {
	if len(x) != len(y) {
		return false
	}
	for k, v := range x {
		if w, ok := y[k]; !ok || w != v {
			return false
		}
	}
	return true
}
