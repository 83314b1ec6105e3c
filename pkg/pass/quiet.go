package pass

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/buildinfo"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/verdict"
)

// A quiet pass is the daemon's usual poll: no report changed, no deadline
// passed and nothing else the pass depends on changed since the previous
// pass, which ran to the end without a failure. Such a pass would judge
// every employee's pass date as the store holds it, write nothing, and
// leave the summary as it is; a quiet pass finds that out without a query
// per employee and without building the summary:
//
//   - the previous pass (the one right before it in the pass history) was
//     a sync that ended "ok", and left a quiet mark: the key of its inputs
//     and its moment;
//   - the key of this pass's inputs is the same: the build, the
//     configuration, the roster, the План and Изменения tabs as read, the template,
//     the CRM adapter, the request, the company's and every time zone's
//     date, and the production calendar over the days the ledger may close;
//   - no working day's deadline, in any employee's time zone, falls between
//     the previous pass's moment and this one's (so the ledger has nothing
//     to close: the previous pass closed everything due at its moment);
//   - every employee's document is the revision last read, and holds
//     nothing new for the pass date (as for a skipped document);
//   - saving each employee's pass date as judged would write nothing: the
//     row is as it would be written and the CRM holds (or the outbox
//     waits with) its record. One query per pass date tells all of it.
//
// Anything else, and the pass runs as usual, from the first employee:
// the quiet check writes nothing and decides for the whole pass.
//
// The summary: a quiet pass changed nothing in the store, so the summary
// the previous pass left (its fingerprint is in the mark) is the one this
// pass would write; it is built only when the target is not as the
// previous pass left it (deleted or edited), as before.

// quietMarkField names the mark in the stored pass result (the passes
// table's summary column); it comes first, so that it is read without
// decoding the employees.
const quietMarkField = "quiet_pass"

// quietMarkHead is how much of the stored result is read for the mark:
// far more than a mark takes (a mark cut short is no mark: the pass runs
// in full).
const quietMarkHead = 4096

// quietMark is what a pass that ended "ok" leaves for the next one.
type quietMark struct {
	// Key digests the inputs of the pass (quietKey).
	Key string `json:"key"`
	// At is the moment the pass judged at.
	At time.Time `json:"at"`
	// Summary is the fingerprint of the summary as the pass left it in
	// every stamped target ("" when unknown: the next pass builds it).
	Summary string `json:"summary,omitempty"`
	// To is the last day of the summary's window.
	To string `json:"to,omitempty"`
}

// markedResult is a pass result as the pass history stores it: the quiet
// mark first, then the result's own fields.
type markedResult struct {
	Quiet *quietMark `json:"quiet_pass,omitempty"`
	*Result
}

// outcome is one employee-day judged in a quiet pass.
type outcome struct {
	p   *plan
	out EmployeeResult
	// shown: the day is the employee's line of the result (the pass date).
	shown bool
	next  store.Day
	// saved: the day is stored as next (the notifications note it).
	saved bool
}

// quietKey digests what a pass's verdicts and summary depend on besides
// the store and the documents ("" when it cannot be digested: no pass is
// quiet).
func (r *run) quietKey(ctx context.Context) string {
	e := r.e
	h := sha256.New()
	buildStamp(h)
	enc := json.NewEncoder(h)
	emps := e.Employees()
	var plans any
	e.sheetPlans.mu.Lock()
	plans = e.sheetPlans.rows
	err := enc.Encode(plans)
	e.sheetPlans.mu.Unlock()
	if err != nil {
		return ""
	}
	// The roster, unless it is the configuration's own (encoded with it
	// just before: a second time was 10 000 employees more to encode).
	var roster any = emps
	if len(emps) > 0 && len(emps) == len(e.Config.Employees) && &emps[0] == &e.Config.Employees[0] {
		roster = "the configuration's employees"
	}
	for _, v := range []any{e.Config, roster, e.Template, e.Adapter.Name(), r.req.Kind, r.req.Date.String(), r.req.Force,
		r.company.String(), e.Lang()} {
		if err := enc.Encode(v); err != nil {
			return ""
		}
	}
	if e.Deps.ChangeLog != nil && !e.DryRun {
		// The change log tab, as the summary's Динамика will read it (the
		// same read: a tab is read once a pass, and not at all when Drive
		// says the spreadsheet did not change).
		logged, probs, err := e.Deps.ChangeLog.Changes(ctx)
		if err != nil || enc.Encode(logged) != nil || enc.Encode(probs) != nil {
			return ""
		}
	}
	lo, hi := r.span()
	seen := map[string]bool{}
	for _, emp := range emps {
		loc := e.Config.EmployeeLocation(emp)
		if seen[loc.String()] {
			continue
		}
		seen[loc.String()] = true
		fmt.Fprintln(h, loc.String(), day.Today(r.now, loc))
	}
	for d := lo; !d.After(hi); d = d.AddDays(1) {
		if e.Calendar.IsWorkday(d) {
			fmt.Fprint(h, d.String(), "w")
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// span is the days a pass may judge: from the oldest horizon to the latest
// pass date or today.
func (r *run) span() (lo, hi day.Date) {
	lo, hi = r.company, r.company
	for _, emp := range r.e.Employees() {
		lo = minDate(lo, minDate(r.horizon[emp.ID], r.dateOf(emp)))
		hi = maxDate(hi, maxDate(r.todayOf(emp), r.dateOf(emp)))
	}
	return lo, hi
}

// buildStamp writes the build of dayreport (buildinfo.Stamp).
func buildStamp(w io.Writer) { _, _ = io.WriteString(w, buildinfo.Stamp()) }

// previousMark is the quiet mark of the pass right before this one, when
// that pass was a sync that ended "ok" and left one.
func (r *run) previousMark(ctx context.Context) (quietMark, bool) {
	// The mark comes first in the stored result: its head is enough (the
	// rest is every employee's line).
	passes, err := r.e.Store.LastPassHeads(ctx, 2, quietMarkHead)
	if err != nil || len(passes) < 2 || passes[0].ID != r.res.PassID {
		return quietMark{}, false
	}
	prev := passes[1]
	if prev.Kind != KindSync || prev.Result != "ok" || prev.FinishedAt.IsZero() || len(prev.Summary) == 0 {
		return quietMark{}, false
	}
	dec := json.NewDecoder(bytes.NewReader(prev.Summary))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return quietMark{}, false
	}
	if tok, err := dec.Token(); err != nil || tok != quietMarkField {
		return quietMark{}, false
	}
	var m quietMark
	if err := dec.Decode(&m); err != nil || m.Key == "" {
		return quietMark{}, false
	}
	return m, true
}

// deadlineBetween reports whether a working day's deadline in some
// employee's time zone falls in [from, to].
func (r *run) deadlineBetween(from, to time.Time) bool {
	e := r.e
	lo, hi := r.span()
	seen := map[string]bool{}
	for _, emp := range e.Employees() {
		loc := e.Config.EmployeeLocation(emp)
		if seen[loc.String()] {
			continue
		}
		seen[loc.String()] = true
		for d := lo; !d.After(hi); d = d.AddDays(1) {
			if !e.Calendar.IsWorkday(d) {
				continue
			}
			if t := e.deadline.At(d, loc); !t.Before(from) && !t.After(to) {
				return true
			}
		}
	}
	return false
}

// quiet judges, as a quiet pass would, every employee it can: when the
// pass-wide conditions hold (see above), each employee whose document is
// unchanged and whose pass date saving would not write goes into the
// result as the store holds the day, without a query of their own. It
// returns the employees left to judge in full, in roster order: all of
// them (nothing judged) when the pass-wide conditions do not hold, none
// when the pass is wholly quiet.
func (r *run) quiet(ctx context.Context) []config.Employee {
	e := r.e
	emps := e.Employees()
	if e.DryRun || e.Clock.pretending() || r.req.Kind != KindSync || r.req.Force || r.key == "" ||
		len(r.revisions) == 0 || r.docStates == nil {
		return emps
	}
	mark, ok := r.previousMark(ctx)
	if !ok || mark.Key != r.key || r.now.Before(mark.At) || r.deadlineBetween(mark.At, r.now) {
		return emps
	}
	// The pass dates' days are read before anyone is judged: a read that
	// fails leaves everyone to the full judge, with nothing recorded.
	held := map[day.Date]map[string]*store.HeldDay{}
	for _, emp := range emps {
		d := r.dateOf(emp)
		if _, ok := held[d]; ok {
			continue
		}
		byEmp, err := r.daysHeldOn(ctx, e.Adapter.Name(), d)
		if err != nil {
			r.log.Debug().Err(err).Msg("not a quiet pass: the pass date's days could not be read")
			return emps
		}
		held[d] = byEmp
	}
	// Each employee's outcomes are recorded as they come, as judgeEmployee
	// would have recorded them for skipped documents (the caller puts the
	// result's lines in roster order once the rest are judged): kept for
	// all 10 000 until the end, with their plans and stored days, they were
	// the peak of a quiet poll.
	r.res.Employees = slices.Grow(r.res.Employees, len(emps))
	var rest []config.Employee
	var outs []outcome // each employee's, in the same room
	for _, emp := range emps {
		p := &plan{emp: emp, loc: e.Config.EmployeeLocation(emp), today: r.todayOf(emp), date: r.dateOf(emp)}
		var h store.HeldDay
		hp, known := held[p.date][emp.ID]
		if known {
			h, p.held = *hp, &hp.Day
		}
		p.revision = r.revisions[emp.ID]
		var ok bool
		outs, ok = r.quietEmployee(ctx, p, h, known, outs[:0])
		if !ok {
			rest = append(rest, emp)
			continue
		}
		for _, o := range outs {
			if o.saved {
				r.noteJudged(o.p, o.next)
			}
			if !o.shown {
				continue
			}
			if o.out.unchanged {
				r.res.CRM.Unchanged++
			}
			r.res.Employees = append(r.res.Employees, o.out)
		}
	}
	if len(rest) == 0 {
		r.quietMark = &mark
	}
	if len(rest) == 0 {
		r.log.Debug().Int("employees", len(emps)).Msg("quiet pass: nothing changed since the previous pass")
	} else {
		r.log.Debug().Int("employees", len(emps)).Int("judged", len(rest)).Msg("only the employees whose documents changed are judged in full")
	}
	return rest
}

// quietEmployee judges one employee as a quiet pass does, appending the
// outcomes to outs; ok is false when the employee must be judged in full.
func (r *run) quietEmployee(ctx context.Context, p *plan, h store.HeldDay, known bool, outs []outcome) ([]outcome, bool) {
	if p.revision == "" {
		// No revision: quiet only when there is no document at all, as at
		// the last read (none was ever read). A full pass judges the
		// recent days too: they must stay as they are.
		if _, read := r.docStates[p.emp.ID]; read || !r.absent(ctx)[p.emp.ID] {
			return nil, false
		}
		earlier, ok := r.quietEarlier(ctx, p)
		if !ok {
			return nil, false
		}
		outs = append(outs, earlier...)
	} else if !r.unchanged(p) {
		return nil, false
	}
	o := outcome{p: p}
	var ok bool
	if o.out, o.shown, o.next, o.saved, ok = r.quietDay(p, p.date, h, known); !ok {
		return nil, false
	}
	return append(outs, o), true
}

// inRosterOrder puts the result's lines from index `from` on, and the
// invalid days noted, in roster order, keeping each employee's own order:
// a pass that judged some employees quietly and the rest in full reports
// as one that judged them all in turn.
func (r *run) inRosterOrder(from int) {
	rank := map[string]int{}
	for i, emp := range r.e.Employees() {
		rank[emp.ID] = i
	}
	by := func(id string) int {
		if i, ok := rank[id]; ok {
			return i
		}
		return len(rank)
	}
	slices.SortStableFunc(r.res.Employees[from:], func(a, b EmployeeResult) int { return cmp.Compare(by(a.ID), by(b.ID)) })
	slices.SortStableFunc(r.res.Earlier, func(a, b EmployeeResult) int { return cmp.Compare(by(a.ID), by(b.ID)) })
	slices.SortStableFunc(r.invalid, func(a, b judgedDay) int { return cmp.Compare(by(a.emp.ID), by(b.emp.ID)) })
}

// quietDay is judgeDay for the pass date of a skipped document, when
// saving it would write nothing; ok is false when it would write (or
// close the day).
func (r *run) quietDay(p *plan, d day.Date, h store.HeldDay, known bool) (out EmployeeResult, shown bool, next store.Day, saved, ok bool) {
	e := r.e
	// The numbers are the stored day's, or none (a map made only then).
	out = EmployeeResult{ID: p.emp.ID, Errors: []report.FieldError{}, Flags: []crm.Flag{}}
	if d != r.company {
		out.Date = d.String()
	}
	prior := h.Day
	st := verdict.Decide(verdict.Input{Day: d, Workday: e.Calendar.IsWorkday(d), OnLeave: p.emp.OnLeave(d), Start: p.emp.Start,
		Deadline: e.deadline.At(d, p.loc), Now: r.now,
		Stored: verdict.Stored{Known: known, Status: prior.Status, ClosedAt: prior.ClosedAt, FirstSeen: prior.FirstSeen, Late: prior.Late}})
	if !st.Exists {
		out.Status, out.Metrics = st.Status, map[string]float64{}
		return out, st.Status == report.Missing || st.Status == report.DayOff, next, false, true
	}
	if st.Closes || !known {
		return out, false, next, false, false
	}
	next = store.Day{Employee: p.emp.ID, Date: d, Status: st.Status, ClosedAt: st.ClosedAt, FirstSeen: st.FirstSeen, Late: st.Late,
		SourceURL: prior.SourceURL, VersionID: prior.VersionID}
	same := false
	if st.Kept {
		// What was reported stays: the row's own values, compared by
		// their scalars.
		next.Metrics, next.Notes, next.LongTerm, next.Errors, next.Flags = prior.Metrics, prior.Notes, prior.LongTerm, prior.Errors, prior.Flags
		a, b := prior, next
		a.Metrics, a.Errors, a.Flags, b.Metrics, b.Errors, b.Flags = nil, nil, nil, nil, nil, nil
		same = store.SameDay(a, b)
	} else {
		same = store.SameDay(prior, next)
	}
	if !same {
		return out, false, next, false, false
	}
	if st.Record {
		// The record is built from the row and the configuration, both as
		// the previous pass had them (the key): its hash is the row's.
		if prior.RecordHash == "" || !h.Held(prior.RecordHash) {
			return out, false, next, false, false
		}
		out.unchanged = true
	} else if prior.RecordHash != "" {
		return out, false, next, false, false
	}
	next.RecordHash = prior.RecordHash
	out.Status, out.Metrics, out.Notes, out.LongTerm = next.Status, nonNil(next.Metrics), next.Notes, next.LongTerm
	out.kept = r.reuse.fromState
	if next.Flags != nil {
		out.Flags = next.Flags
	}
	if next.Errors != nil {
		out.Errors = next.Errors
	}
	return out, true, next, true, true
}

// detachLine gives a result line made from a day of the reads the state
// kept its own copies of what it shares with them: the status, the notes
// and the numbers' keys are pieces of one buffer holding every employee's
// reads (store.KeptReads: some 7 MB at 10 000 employees), which the lines
// kept whole until the pass printed them, after the summary: a cron
// `sync` after one changed report peaked 12 MiB higher for it. Errors and
// flags are decoded into strings of their own.
func (r *run) detachLine(out *EmployeeResult) {
	out.kept = false
	out.Status = report.Status(r.interned(string(out.Status)))
	out.Notes, out.LongTerm = strings.Clone(out.Notes), strings.Clone(out.LongTerm)
	if len(out.Metrics) > 0 {
		m := make(map[string]float64, len(out.Metrics))
		for k, v := range out.Metrics {
			m[r.interned(k)] = v
		}
		out.Metrics = m
	}
}

// interned is a copy of s, one per pass for each distinct s.
func (r *run) interned(s string) string {
	if c, ok := r.interns[s]; ok {
		return c
	}
	if r.interns == nil {
		r.interns = map[string]string{}
	}
	c := strings.Clone(s)
	r.interns[c] = c
	return c
}

// refreshSummary is RefreshSummary, but for a quiet pass whose previous
// pass left the summary in every target (each a StampedWriter, each as
// that pass left it): the summary's inputs did not change, so it is not
// built again.
func (r *run) refreshSummary(ctx context.Context) *SummaryResult {
	e := r.e
	if m := r.quietMark; m != nil && m.Summary != "" && m.To != "" && !e.DryRun &&
		len(e.Summaries) > 0 && r.res.CRM.Pushed == 0 && r.res.CRM.Failed == 0 {
		if res, ok := r.summaryAsLeft(ctx, *m); ok {
			return res
		}
	}
	r.detachLines()
	return e.summaryNow(ctx)
}

// detachLines gives the result lines made from the reads the state kept
// their own copies of what they share with them (detachLine) before the
// summary is built: a pass that builds none frees the reads at its end.
func (r *run) detachLines() {
	for _, lines := range [][]EmployeeResult{r.res.Employees, r.res.Earlier} {
		for i := range lines {
			if lines[i].kept {
				r.detachLine(&lines[i])
			}
		}
	}
}

// summaryAsLeft is the summary result when every target holds the summary
// of mark as its writer left it.
func (r *run) summaryAsLeft(ctx context.Context, m quietMark) (*SummaryResult, bool) {
	e := r.e
	to, ok, err := e.LastDay(ctx)
	if err != nil || !ok || to.String() != m.To {
		return nil, false
	}
	for _, w := range e.Summaries {
		sw, stamped := w.(StampedWriter)
		if !stamped {
			return nil, false
		}
		st, ok, err := e.Store.SummaryStamp(ctx, sw.Target())
		if err != nil || !ok || st.Fingerprint != m.Summary {
			return nil, false
		}
		if now, err := sw.State(ctx, false); err != nil || now == "" || now != st.State {
			return nil, false
		}
	}
	e.Log.Debug().Msg("summary unchanged since the previous pass; not built again")
	return &SummaryResult{Path: e.Config.Summary.XLSX, Spreadsheet: e.Config.Summary.Spreadsheet,
		From: e.WindowEnding(to).String(), To: to.String(), fingerprint: m.Summary}, true
}

// mark is the quiet mark a pass that ended "ok" leaves (nil: none).
func (r *run) mark(result string) *quietMark {
	if result != "ok" || r.key == "" || r.req.Kind != KindSync || r.e.DryRun || r.e.Clock.pretending() {
		return nil
	}
	m := &quietMark{Key: r.key, At: r.now}
	if s := r.res.Summary; s != nil && s.Error == "" {
		m.Summary, m.To = s.fingerprint, s.To
	}
	return m
}

// absent are the employees without any report document (asked once per
// pass, of a source that can tell; none otherwise).
func (r *run) absent(ctx context.Context) map[string]bool {
	if r.absentDocs != nil {
		return r.absentDocs
	}
	r.absentDocs = map[string]bool{}
	lister, ok := r.e.Watcher.(interface {
		Absent(ctx context.Context, refs []source.Ref) (map[string]bool, error)
	})
	if !ok {
		return r.absentDocs
	}
	emps := r.e.Employees()
	refs := make([]source.Ref, 0, len(emps))
	for _, emp := range emps {
		refs = append(refs, source.Ref{Employee: emp.ID, Report: emp.Report})
	}
	if got, err := lister.Absent(ctx, refs); err == nil && got != nil {
		r.absentDocs = got
	}
	return r.absentDocs
}

// quietEarlier judges the recent days of an employee without a document,
// as a full pass does (oldest first): quiet only when none of them would be
// written, queued, closed or judged twice.
func (r *run) quietEarlier(ctx context.Context, p *plan) ([]outcome, bool) {
	from := p.date.AddDays(-lookbackDays)
	days, err := r.e.Store.DaysHeldOf(ctx, r.e.Adapter.Name(), p.emp.ID, from, p.date.AddDays(-1))
	if err != nil {
		return nil, false
	}
	var outs []outcome
	if p.stored == nil {
		p.stored = map[day.Date]store.Day{}
	}
	for _, h := range days {
		d := h.Day
		if hasOverstated(d) {
			return nil, false // judged twice in a full pass
		}
		p.stored[d.Date] = d
		o := outcome{p: p}
		var ok bool
		if o.out, _, o.next, o.saved, ok = r.quietDay(p, d.Date, h, true); !ok {
			return nil, false
		}
		outs = append(outs, o)
	}
	return outs, true
}
