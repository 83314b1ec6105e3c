package pass

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
)

// lookbackDays is how many days before the pass date are re-read from the same
// fetched documents, so that a report written the morning after its deadline
// turns absent into late, and an edit of yesterday's numbers reaches the CRM.
// A day the store does not know yet for the employee is taken from the
// document only when it is not older than the first stored day: a first
// install does not quietly import last week (that is what backfill is for).
const lookbackDays = 7

// Request says what one pass is asked to do.
type Request struct {
	// Kind is recorded in the pass history (default KindSync). A
	// close-day pass also sends the manager's digest of its date.
	Kind string
	// Date is the pass date. Zero: today, in each employee's own time zone
	// (the daemon's passes; the result's date is the company's today).
	Date day.Date
	// Force closes the pass date even before an employee's deadline
	// (close-day --force).
	Force bool
	// NoNotify sends nothing (--no-notify). A dry run sends nothing either
	// and lists under WouldSend what the pass would send.
	NoNotify bool
	// NoSummary leaves the summary to the caller (a backfill writes it once).
	NoSummary bool
}

// run is one pass: what it was asked, the moment it judges at, and what it
// found so far.
type run struct {
	e   *Engine
	req Request
	// now is the moment every verdict of the pass is taken at.
	now time.Time
	log zerolog.Logger
	res *Result
	// company is the pass date of the result (the company's today when
	// the request names no date).
	company day.Date
	// horizon is, per employee, the oldest day the ledger closes.
	horizon map[string]day.Date
	// importFloor is the oldest day a lookback takes from a document that
	// the store does not know yet (the first stored day).
	importFloor day.Date
	// revisions are the documents' revisions from the Watcher.
	revisions map[string]string
	// docStates are the documents' states as the store kept them when the
	// pass started (only when the Watcher gave revisions).
	docStates map[string]store.DocumentState
	// docs are the documents' states read and not stored yet (see
	// flushDocuments).
	docs      map[string]store.DocumentState
	factCache *factCache
	// factsFor, when set, are the employees the pass judges in full (the
	// rest were judged quietly): the CRM's facts are read for them alone.
	factsFor map[string]bool
	// key digests the inputs of the pass (quietKey); quietMark is the
	// previous pass's mark when this pass is a quiet one.
	key       string
	quietMark *quietMark
	// absentDocs are the employees with no document at all (see absent).
	absentDocs map[string]bool
	// reuse is the pass's side of the engine's kept reads (reuse.go).
	reuse passReuse
	// notes collect what the notifications need: invalid days judged, and
	// each employee's day of today as judged.
	invalid []judgedDay
	today   map[string]dayState
	// interns are the strings detachLine interned.
	interns map[string]string
}

// Run runs one pass: it closes what the ledger says is due, reads each
// employee's document, judges the pass date, the days the ledger closes and
// the recent days, stores them, pushes the CRM records, writes the summary
// and sends what is due. One employee's failure never stops the others.
func (e *Engine) Run(ctx context.Context, req Request) (*Result, error) {
	if req.Kind == "" {
		req.Kind = KindSync
	}
	r := &run{e: e, req: req, now: e.Now(), factCache: &factCache{byDate: map[factKey]map[string]crm.Facts{}},
		today: make(map[string]dayState, len(e.Employees()))} // an entry per employee: not grown by doubling
	r.company = req.Date
	if r.company.IsZero() {
		r.company = day.Today(r.now, e.Config.CompanyLocation())
	}
	// A line per employee, made room for at once: grown by appending, the
	// list of 10 000 left a quarter of spare room and four times its size in
	// garbage behind it.
	r.res = &Result{Date: r.company.String(), DryRun: e.DryRun, Employees: make([]EmployeeResult, 0, len(e.Employees())),
		CRM: CRMResult{Adapter: e.Adapter.Name()}}
	r.log = e.Log.With().Str("kind", req.Kind).Str("date", r.company.String()).Logger()
	e.newPoll()
	if !e.DryRun {
		unlock, err := e.Store.Lock(ctx, req.Kind+" "+r.company.String())
		if err != nil {
			return nil, err
		}
		defer func() {
			if err := unlock(); err != nil {
				r.log.Error().Err(err).Msg("release the pass lock")
			}
		}()
		id, err := e.Store.StartPass(ctx, req.Kind, r.company)
		if err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
		r.res.PassID = id
		r.log = r.log.With().Int64("pass", id).Logger()
		// The pass's days are written in batches (flushDays).
		e.batch.Store(e.Store.NewDayBatch())
		defer e.batch.Store(nil)
	}
	return r.do(ctx)
}

func (r *run) do(ctx context.Context) (*Result, error) {
	e, res := r.e, r.res
	// A backfill's progress is its progress bar; its passes log at debug.
	passLevel := zerolog.InfoLevel
	if r.req.Kind == KindBackfill {
		passLevel = zerolog.DebugLevel
	}
	r.startReuse(ctx)
	rosterProblems, rerr := e.refreshRoster(ctx)
	r.log.WithLevel(passLevel).Int("employees", len(e.Employees())).Msg("pass started")
	started := e.Clock.Wall()
	finish := func(result string, err error) {
		r.finishPass(result, err)
		if e.Observer != nil {
			e.Observer.PassFinished(r.req.Kind, result, e.Clock.Wall().Sub(started), e.Now())
		}
	}
	if rerr != nil {
		finish("failed", rerr)
		return res, rerr
	}
	for _, p := range rosterProblems {
		res.Failed++
		res.Employees = append(res.Employees, EmployeeResult{ID: p.ID, Status: report.Missing, Metrics: map[string]float64{},
			Errors: []report.FieldError{}, Flags: []crm.Flag{}, Error: fmt.Sprintf("roster row %d: %s", p.Row, p.Message)})
		r.log.Error().Int("row", p.Row).Str("employee", p.ID).Str("problem", p.Message).Msg("roster row skipped")
	}
	if err := r.prepare(ctx); err != nil {
		finish("failed", err)
		return res, err
	}
	res.PlanProblems = e.refreshPlans(ctx)
	r.findStrays()
	r.key = r.quietKey(ctx)
	stopped := false
	from := len(res.Employees)
	if rest := r.quiet(ctx); len(rest) > 0 {
		if len(rest) < len(e.Employees()) {
			// Only they are judged in full: only their facts are asked for.
			r.factsFor = make(map[string]bool, len(rest))
			for _, emp := range rest {
				r.factsFor[emp.ID] = true
			}
		}
		fetchCtx, stopFetching := context.WithCancel(ctx)
		defer stopFetching()
		for fr := range r.flushWhenIdle(ctx, r.fetchAll(fetchCtx, rest)) {
			if ctx.Err() != nil {
				break
			}
			// A stop request (SIGTERM) lets the employee being judged finish and
			// takes no more; what is stored stays queued for the next pass.
			if stopped = e.StopRequested(); stopped {
				break
			}
			r.judgeEmployee(ctx, fr)
		}
		stopFetching()
		if len(rest) < len(e.Employees()) {
			r.inRosterOrder(from)
		}
	}
	// What was judged is remembered even when the pass was cancelled.
	flushCtx, cancelFlush := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	r.flushDocuments(flushCtx)
	cancelFlush()
	if err := ctx.Err(); err != nil {
		finish("cancelled", err)
		return res, err
	}
	if stopped {
		r.log.Warn().Int("judged", len(res.Employees)).Msg("pass stopped on request; the rest waits for the next pass")
		finish("stopped", nil)
		return res, ErrStopped
	}
	if !e.DryRun {
		if err := r.drainOutbox(ctx); err != nil {
			finish("failed", err)
			return res, err
		}
		if err := r.settleQueued(ctx); err != nil {
			finish("failed", err)
			return res, err
		}
		r.syncDocComments(ctx)
	}
	if e.Observer != nil {
		e.Observer.Judged(res)
	}
	if err := r.notify(ctx); err != nil {
		finish("failed", err)
		return res, err
	}
	// What only the notifications needed (an entry per employee), and what
	// only the judging needed (per employee, or per document), is not held
	// while the summary is built.
	r.invalid, r.today = nil, nil
	r.horizon, r.revisions, r.docStates, r.absentDocs = nil, nil, nil, nil
	r.factCache = &factCache{byDate: map[factKey]map[string]crm.Facts{}}
	if r.reuse.first {
		// An engine's first pass (a cron's sync) judged with the reads the
		// state kept (every employee's pass date's day, documents and first
		// days: some 15 MB at 10 000 employees); it keeps its own from the
		// store at its end (keepReadsInState), so they are not held while
		// the summary is built.
		r.reuse.kept, r.reuse.used = nil, storeReads{}
	}
	if !r.req.NoSummary {
		res.Summary = r.refreshSummary(ctx)
		// The summary leaves its garbage in pages of small objects; the
		// result is encoded next (5 MB for 10 000 employees), in new large
		// ones. Given back first, the freed pages do not add to the peak.
		if len(e.Employees()) >= bigTeam {
			debug.FreeOSMemory()
		}
	}
	result := "ok"
	if res.Partial() {
		result = "partial"
	}
	finish(result, nil)
	r.log.WithLevel(passLevel).Str("result", result).Dur("took_ms", e.Clock.Wall().Sub(started)).Int("closed", res.Closed).
		Int("pushed", res.CRM.Pushed).Int("unchanged", res.CRM.Unchanged).Int("crm_failed", res.CRM.Failed).
		Int("failed", res.Failed).Msg("pass finished")
	return res, nil
}

// bigTeam is the team from which a pass gives the memory its summary freed
// back to the system before it stores its result (a collection: some tens
// of milliseconds for such a team).
const bigTeam = 1000

func (r *run) finishPass(result string, err error) {
	if r.e.DryRun || r.res.PassID == 0 {
		return
	}
	text := ""
	if err != nil {
		text = err.Error()
	}
	// The pass history is written even when the pass's context was cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.keepReuse(ctx)
	// The pass history keeps the result, with the quiet mark before it
	// (the next pass reads the mark alone).
	stored := r.e.storedResult(markedResult{Quiet: r.mark(result), Result: r.res})
	if ferr := r.e.Store.FinishPass(ctx, r.res.PassID, result, stored, text); ferr != nil {
		r.log.Error().Err(ferr).Msg("record the pass")
	}
	// After the result's text is stored (garbage by then, not beside it).
	r.keepReadsInState(ctx, result)
}

// prepare learns what the pass needs before it reads anything: since when
// each employee is judged (noting newcomers), whether the production
// calendar knows every day the pass may judge, and which documents changed.
func (r *run) prepare(ctx context.Context) error {
	e := r.e
	stored, err := r.storedSince(ctx)
	if err != nil {
		return err
	}
	r.horizon = make(map[string]day.Date, len(e.Employees()))
	news := map[string]day.Date{}
	lo, hi := r.company, r.company
	companyToday := day.Today(r.now, e.Config.CompanyLocation())
	for _, emp := range e.Employees() {
		today := r.todayOf(emp)
		// The first pass that sees an employee starts their ledger on its
		// own day (the company's, or theirs when it is earlier); a replay
		// of earlier days moves that back.
		first := minDate(today, companyToday)
		since, ok := stored[emp.ID]
		if !ok || first.Before(since) {
			since = first
			news[emp.ID] = since
		}
		from := e.horizonOf(emp, since, today)
		r.horizon[emp.ID] = from
		lo, hi = minDate(lo, minDate(from, r.dateOf(emp))), maxDate(hi, maxDate(today, r.dateOf(emp)))
	}
	if err := e.Calendar.Check(lo, hi); err != nil {
		return fmt.Errorf("%s..%s: %w", lo, hi, err)
	}
	if err := e.noteSince(ctx, news); err != nil {
		return err
	}
	first, known, err := e.firstDate(ctx)
	if err != nil {
		return err
	}
	r.importFloor = r.company
	if known {
		r.importFloor = first
	}
	if e.Watcher != nil {
		refs := make([]source.Ref, 0, len(e.Employees()))
		for _, emp := range e.Employees() {
			refs = append(refs, source.Ref{Employee: emp.ID, Report: emp.Report})
		}
		if r.revisions, err = e.Watcher.Revisions(ctx, refs); err != nil {
			r.log.Warn().Err(err).Msg("Drive metadata unavailable; every report is read")
			r.revisions = nil
		}
		if len(r.revisions) > 0 {
			// What the last reads were, for every employee in one query.
			if r.docStates, err = r.documents(ctx); err != nil {
				r.log.Warn().Err(err).Msg("the documents' last reads are unknown; every report is read")
				r.revisions = nil
			}
		}
	}
	return nil
}

// findStrays lists the report documents no employee owns: a report nobody
// reads leaves its writer absent, so each is a warning with the id it most
// likely meant.
func (r *run) findStrays() {
	if r.e.Strays == nil {
		return
	}
	emps := r.e.Employees()
	ids := make([]string, 0, len(emps))
	for _, emp := range emps {
		ids = append(ids, emp.ID)
	}
	strays, err := r.e.Strays.Strays(ids)
	if err != nil {
		r.log.Warn().Err(err).Msg("list the report folder for files nobody reads")
		return
	}
	for _, s := range strays {
		r.log.Warn().Str("file", s.File).Str("closest", s.Closest).Msg(s.String())
	}
	r.res.Strays = strays
}

// todayOf is the date on the employee's own wall clock at the pass's moment.
func (r *run) todayOf(emp config.Employee) day.Date {
	return day.Today(r.now, r.e.Config.EmployeeLocation(emp))
}

// dateOf is the employee's pass date: the one asked for, or their today.
func (r *run) dateOf(emp config.Employee) day.Date {
	if !r.req.Date.IsZero() {
		return r.req.Date
	}
	return r.todayOf(emp)
}

func minDate(a, b day.Date) day.Date {
	if b.Before(a) {
		return b
	}
	return a
}

func maxDate(a, b day.Date) day.Date {
	if b.After(a) {
		return b
	}
	return a
}
