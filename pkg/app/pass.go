package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
)

// Pass kinds, recorded in the pass history.
const (
	KindSync     = "sync"
	KindCloseDay = "close-day"
	KindBackfill = "backfill"
)

// lookbackDays is how many days before the pass date are re-read from the same
// fetched documents, so that a report written the morning after its deadline
// turns absent into late, and an edit of yesterday's numbers reaches the CRM.
// A day the store does not know yet for the employee is taken from the
// document only when it is not older than the first stored day: a first
// install does not quietly import last week (that is what backfill is for).
const lookbackDays = 7

// fetchConcurrency bounds parallel document fetches.
const fetchConcurrency = 4

// fetchAhead bounds the documents read but not yet judged.
const fetchAhead = 4 * fetchConcurrency

// PassOptions tune one pass.
type PassOptions struct {
	Kind string
	// Force closes the day even before an employee's deadline (close-day --force).
	Force bool

	// since is the oldest day a lookback may create from a document.
	since day.Date
	// noSummary leaves the summary to the caller (backfill writes it once).
	noSummary bool
	// facts caches the CRM's facts for the pass.
	facts *factCache
	// revisions are the documents' Drive revisions read for the pass.
	revisions map[string]string
}

// EmployeeResult is one employee-day in a pass result (SPEC §2).
type EmployeeResult struct {
	ID       string              `json:"id"`
	Date     string              `json:"date,omitempty"`
	Status   report.Status       `json:"status"`
	Metrics  map[string]float64  `json:"metrics"`
	Notes    string              `json:"notes,omitempty"`
	Errors   []report.FieldError `json:"errors"`
	Warnings []report.FieldError `json:"warnings,omitempty"`
	Flags    []crm.Flag          `json:"flags"`
	// Error is why the employee's report could not be read at all.
	Error string `json:"error,omitempty"`
	// Queued is set when the day's CRM record changed in this pass.
	Queued bool `json:"queued,omitempty"`

	// unchanged: the day carries a record the CRM already holds (or has queued).
	unchanged bool
	// factsMissing: the CRM's facts for the day could not all be read.
	factsMissing bool
}

// CRMResult counts a pass's CRM work.
type CRMResult struct {
	Adapter string `json:"adapter"`
	// Pushed records were written to the CRM in this pass.
	Pushed int `json:"pushed"`
	// Unchanged records needed no push: the CRM already holds them.
	Unchanged int `json:"unchanged"`
	// Failed records could not be pushed and stay queued for the next pass.
	Failed int `json:"failed"`
	// Queued is the outbox depth after the pass (failed and not yet due).
	Queued int `json:"queued"`
}

// PassResult is the outcome of one pass for a day (the JSON of `sync`).
type PassResult struct {
	Date      string           `json:"date"`
	DryRun    bool             `json:"dry_run,omitempty"`
	Employees []EmployeeResult `json:"employees"`
	// Earlier lists earlier days whose status or record changed in this pass
	// (a late report, an edit of yesterday's numbers).
	Earlier []EmployeeResult `json:"earlier,omitempty"`
	CRM     CRMResult        `json:"crm"`
	// Summary is where the manager summary was written (absent when none is configured).
	Summary *SummaryResult `json:"summary,omitempty"`
	// Failed counts employees whose report could not be read.
	Failed int   `json:"failed"`
	PassID int64 `json:"pass_id,omitempty"`
	// WouldSend lists, in a dry run, the reminders and error lists that
	// are due now given this pass's results (what the daemon would send).
	WouldSend []Sent `json:"would_send,omitempty"`
}

// Partial reports whether the pass ran but something failed (exit status 1).
func (r *PassResult) Partial() bool {
	return r.Failed > 0 || r.CRM.Failed > 0 || r.Summary != nil && r.Summary.Error != ""
}

// fetchResult is one employee's fetched document.
type fetchResult struct {
	emp     config.Employee
	fetched *source.Fetched
	err     error
	// unchanged: the document has not changed since it was last read and
	// holds nothing new for the day; it was not read again.
	unchanged bool
	// held: the result holds one of fetchAll's read-ahead slots.
	held bool
}

// Sync runs one pass for date d: roster → fetch → parse → status → store →
// outbox → CRM. One employee's failure never stops the others.
func (a *App) Sync(ctx context.Context, d day.Date, opts PassOptions) (*PassResult, error) {
	if opts.Kind == "" {
		opts.Kind = KindSync
	}
	res := &PassResult{Date: d.String(), DryRun: a.dryRun, Employees: []EmployeeResult{}, CRM: CRMResult{Adapter: a.adapter.Name()}}
	log := a.log.With().Str("kind", opts.Kind).Str("date", d.String()).Logger()
	if !a.dryRun {
		unlock, err := a.store.Lock(ctx, opts.Kind+" "+d.String())
		if err != nil {
			return nil, err
		}
		defer func() {
			if err := unlock(); err != nil {
				log.Error().Err(err).Msg("release the pass lock")
			}
		}()
		id, err := a.store.StartPass(ctx, opts.Kind, d)
		if err != nil {
			return nil, fmt.Errorf("state: %w", err)
		}
		res.PassID = id
		log = log.With().Int64("pass", id).Logger()
	}
	// A backfill's progress is its progress bar; its passes log at debug.
	passLevel := zerolog.InfoLevel
	if opts.Kind == KindBackfill {
		passLevel = zerolog.DebugLevel
	}
	rosterProblems, rerr := a.refreshRoster(ctx)
	log.WithLevel(passLevel).Int("employees", len(a.employees())).Msg("pass started")
	started := a.now()
	finish := func(result string, err error) {
		a.finishPass(res, result, err, log)
		a.metrics.pass(opts.Kind, result, a.now().Sub(started), a.now())
	}

	if rerr != nil {
		finish("failed", rerr)
		return res, rerr
	}
	for _, p := range rosterProblems {
		res.Failed++
		res.Employees = append(res.Employees, EmployeeResult{ID: p.ID, Status: report.Missing, Metrics: map[string]float64{},
			Errors: []report.FieldError{}, Flags: []crm.Flag{}, Error: fmt.Sprintf("roster row %d: %s", p.Row, p.Message)})
		log.Error().Int("row", p.Row).Str("employee", p.ID).Str("problem", p.Message).Msg("roster row skipped")
	}
	first, known, err := a.store.FirstDate(ctx)
	if err != nil {
		err = fmt.Errorf("state: %w", err)
		finish("failed", err)
		return res, err
	}
	opts.since = d
	if known {
		opts.since = first
	}
	opts.facts = &factCache{byDate: map[factKey]map[string]crm.Facts{}}
	skip, revisions := a.unchanged(ctx, d)
	opts.revisions = revisions
	fetchCtx, stopFetching := context.WithCancel(ctx)
	defer stopFetching()
	stopped := false
	for fr := range a.fetchAll(fetchCtx, d, skip) {
		if ctx.Err() != nil {
			break
		}
		// A stop request (SIGTERM) lets the employee being judged finish and
		// takes no more; what is stored stays queued for the next pass.
		if stopped = a.stopRequested(); stopped {
			break
		}
		a.judgeEmployee(ctx, fr, d, opts, res, log)
	}
	stopFetching()
	if err := ctx.Err(); err != nil {
		finish("cancelled", err)
		return res, err
	}
	if stopped {
		log.Warn().Int("judged", len(res.Employees)).Msg("pass stopped on request; the rest waits for the next pass")
		finish("stopped", nil)
		return res, ErrStopped
	}
	if !a.dryRun {
		if err := a.drainOutbox(ctx, res, log); err != nil {
			finish("failed", err)
			return res, err
		}
		a.syncDocComments(ctx, d, log)
	}
	a.metrics.passResult(res)
	if a.dryRun {
		if res.WouldSend, err = a.previewReminders(ctx, d, res); err != nil {
			log.Warn().Err(err).Msg("list the reminders due")
		}
	}
	if !opts.noSummary {
		res.Summary = a.writeSummary(ctx, d)
	}
	result := "ok"
	if res.Partial() {
		result = "partial"
	}
	finish(result, nil)
	log.WithLevel(passLevel).Str("result", result).Dur("took", a.now().Sub(started)).Int("pushed", res.CRM.Pushed).
		Int("unchanged", res.CRM.Unchanged).Int("crm_failed", res.CRM.Failed).Int("failed", res.Failed).Msg("pass finished")
	return res, nil
}

func (a *App) finishPass(res *PassResult, result string, err error, log zerolog.Logger) {
	if a.dryRun || res.PassID == 0 {
		return
	}
	text := ""
	if err != nil {
		text = err.Error()
	}
	// The pass history is written even when the pass's context was cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ferr := a.store.FinishPass(ctx, res.PassID, result, res, text); ferr != nil {
		log.Error().Err(ferr).Msg("record the pass")
	}
}

// fetchAll fetches every employee's document with bounded concurrency and
// yields the results in roster order; employees in skip are not read.
//
// At most fetchAhead documents are held at a time, fetched or being fetched
// but not yet taken by the caller: documents are dispatched in roster order
// and a slot is freed only when its result is taken, so memory does not grow
// with the team when judging is slower than reading.
func (a *App) fetchAll(ctx context.Context, d day.Date, skip map[string]bool) <-chan fetchResult {
	emps := a.employees()
	if p, ok := a.source.(prefetcher); ok {
		refs := make([]source.Ref, 0, len(emps))
		for _, e := range emps {
			if !skip[e.ID] {
				refs = append(refs, source.Ref{Employee: e.ID, Report: e.Report})
			}
		}
		if err := p.Prefetch(ctx, refs, d); err != nil {
			a.log.Warn().Err(err).Msg("prefetch the reports; each is read on its own")
		}
	}
	slots := make([]chan fetchResult, len(emps))
	for i := range slots {
		slots[i] = make(chan fetchResult, 1)
	}
	ahead := make(chan struct{}, fetchAhead)      // documents dispatched and not yet taken
	busy := make(chan struct{}, fetchConcurrency) // fetches in flight
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the dispatcher, in roster order
		defer wg.Done()
		for i, e := range emps {
			if skip[e.ID] {
				slots[i] <- fetchResult{emp: e, unchanged: true}
				continue
			}
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				slots[i] <- fetchResult{emp: e, err: ctx.Err()}
				continue
			}
			select {
			case busy <- struct{}{}:
			case <-ctx.Done():
				slots[i] <- fetchResult{emp: e, err: ctx.Err(), held: true}
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-busy }()
				// A source that panics on one document fails that employee only.
				defer func() {
					if r := recover(); r != nil {
						slots[i] <- fetchResult{emp: e, err: fmt.Errorf("reading the report panicked: %v", r), held: true}
					}
				}()
				f, err := a.source.Fetch(ctx, source.Ref{Employee: e.ID, Report: e.Report}, d)
				slots[i] <- fetchResult{emp: e, fetched: f, err: err, held: true}
			}()
		}
	}()
	out := make(chan fetchResult)
	go func() {
		defer close(out)
		defer wg.Wait()
		for _, s := range slots {
			select {
			case r := <-s:
				if r.held {
					<-ahead
				}
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// judgeEmployee decides and stores the pass date and the recent days of one employee.
func (a *App) judgeEmployee(ctx context.Context, fr fetchResult, d day.Date, opts PassOptions, res *PassResult, log zerolog.Logger) {
	emp := fr.emp
	elog := log.With().Str("employee", emp.ID).Logger()
	if fr.err != nil && !errors.Is(fr.err, source.ErrNoDocument) {
		// Unreadable: nothing is concluded about this employee (not even absence).
		res.Failed++
		elog.Error().Err(fr.err).Msg("fetch the report")
		prev := a.knownResult(ctx, emp, d)
		prev.Error = fr.err.Error()
		res.Employees = append(res.Employees, prev)
		return
	}
	var (
		sections []document.Section
		docWarns []report.FieldError
	)
	if fr.fetched != nil {
		var warns []document.Warning
		sections, warns = fr.fetched.Doc.Sections(d)
		for _, w := range append(fr.fetched.Warnings, warns...) {
			if w.Code == document.WarnBadDate {
				docWarns = append(docWarns, report.FieldError{Code: report.CodeBadDate, Location: w.Loc, Value: w.Value, Message: report.BadDateMessage(a.lang, w.Value)})
			}
		}
	}
	// The document's revision is remembered (so that an unchanged document
	// is not read again) only once every day it holds was stored and
	// verified against complete CRM facts; otherwise the next pass reads
	// it again.
	complete := true
	defer func() {
		if complete && fr.fetched != nil {
			a.rememberDocument(ctx, emp.ID, fr.fetched, opts.revisions[emp.ID], sections)
		}
	}()
	// The pass date first, then earlier days that are already known (an
	// unchanged document has nothing new for them).
	r, err := a.judgeDay(ctx, emp, d, sections, fr.fetched, opts, false)
	if err != nil {
		res.Failed++
		elog.Error().Err(err).Msg("store the day")
		r.Error = err.Error()
	}
	complete = err == nil && !r.factsMissing
	r.Warnings = append(r.Warnings, docWarns...)
	if r.unchanged {
		res.CRM.Unchanged++
	}
	res.Employees = append(res.Employees, r)
	if fr.unchanged {
		return
	}
	for back := 1; back <= lookbackDays; back++ {
		past := d.AddDays(-back)
		r, err := a.judgeDay(ctx, emp, past, sections, fr.fetched, opts, true)
		complete = complete && err == nil && !r.factsMissing
		if err != nil {
			res.Failed++
			elog.Error().Err(err).Str("day", past.String()).Msg("store an earlier day")
			continue
		}
		if r.Queued {
			r.Date = past.String()
			res.Earlier = append(res.Earlier, r)
		}
	}
}

// knownResult is what the store knows of an employee-day (for an employee whose
// document could not be read in this pass).
func (a *App) knownResult(ctx context.Context, emp config.Employee, d day.Date) EmployeeResult {
	r := EmployeeResult{ID: emp.ID, Status: report.Missing, Metrics: map[string]float64{}, Errors: []report.FieldError{}, Flags: []crm.Flag{}}
	if prior, ok, err := a.store.Day(ctx, emp.ID, d); err == nil && ok {
		r.Status, r.Metrics, r.Notes = prior.Status, nonNil(prior.Metrics), prior.Notes
	}
	return r
}

func nonNil(m map[string]float64) map[string]float64 {
	if m == nil {
		return map[string]float64{}
	}
	return m
}

// judgeDay decides one employee-day, stores it and queues its CRM record.
// For an earlier day (lookback) nothing is created for a day the store does
// not know and the document does not mention.
func (a *App) judgeDay(ctx context.Context, emp config.Employee, d day.Date, sections []document.Section,
	fetched *source.Fetched, opts PassOptions, lookback bool,
) (EmployeeResult, error) {
	res := EmployeeResult{ID: emp.ID, Metrics: map[string]float64{}, Errors: []report.FieldError{}, Flags: []crm.Flag{}}
	prior, known, err := a.store.Day(ctx, emp.ID, d)
	if err != nil {
		return res, fmt.Errorf("state: %w", err)
	}
	sec, hasReport := document.Find(sections, d)
	if lookback && !known && (!hasReport || d.Before(opts.since)) {
		return res, nil
	}
	now := a.now()
	loc := a.cfg.EmployeeLocation(emp)
	due := a.cal.IsWorkday(d) && !emp.OnLeave(d)
	closing := due && (opts.Force || a.deadline.Passed(d, loc, now))

	next := store.Day{Employee: emp.ID, Date: d, ClosedAt: prior.ClosedAt, FirstSeen: prior.FirstSeen, Late: prior.Late,
		SourceURL: prior.SourceURL}
	if next.ClosedAt.IsZero() && closing {
		next.ClosedAt = now
	}
	var (
		rep     *report.Report
		version *store.Version
	)
	switch {
	case hasReport:
		rep = report.Parse(a.tmpl, sec, report.Options{Lang: a.lang})
		if next.FirstSeen.IsZero() {
			next.FirstSeen = now
			// First seen after an earlier pass closed the day without it: late.
			next.Late = due && !prior.ClosedAt.IsZero()
		}
		next.Status = rep.Status()
		if next.Status == report.Submitted && next.Late {
			next.Status = report.Late
		}
		next.Metrics, next.Notes, next.Errors = rep.Metrics, rep.Notes, rep.Errors
		text := sectionText(sec)
		version = &store.Version{Employee: emp.ID, Date: d, ContentHash: hashText(text), Valid: rep.Valid(),
			Metrics: rep.Metrics, Notes: rep.Notes, Errors: rep.Errors, Text: text}
		if fetched != nil {
			version.Revision, next.SourceURL = fetched.Revision, fetched.URL
		}
		res.Warnings = rep.Warnings
	case known && !prior.FirstSeen.IsZero():
		// A report was seen before and is gone now: keep what was reported.
		next = prior
	case !a.cal.IsWorkday(d):
		next.Status = report.DayOff
	case emp.OnLeave(d):
		next.Status = report.OnLeave
	case !next.ClosedAt.IsZero():
		next.Status = report.Absent
	default:
		next.Status = report.Missing
	}
	if fetched != nil && (next.SourceURL == "" || !hasReport) {
		next.SourceURL = fetched.URL
	}
	if hasReport {
		if next.Flags, res.factsMissing, err = a.flags(ctx, opts.facts, emp, next, version); err != nil {
			return res, err
		}
	}
	res.Status, res.Metrics, res.Notes = next.Status, nonNil(next.Metrics), next.Notes
	if next.Flags != nil {
		res.Flags = next.Flags
	}
	if next.Errors != nil {
		res.Errors = next.Errors
	}
	var record *crm.Record
	if carriesRecord(next.Status) {
		rec := a.record(emp, next)
		record = &rec
	}
	if a.dryRun {
		res.Queued = record != nil && (!known || prior.RecordHash != record.Hash())
		res.unchanged = record != nil && !res.Queued
		return res, nil
	}
	if next.Status == report.Missing && !known {
		return res, nil // nothing to remember yet
	}
	saved, err := a.store.SaveDay(ctx, store.DayUpdate{Adapter: a.adapter.Name(), Day: next, Version: version, Record: record})
	if err != nil {
		return res, fmt.Errorf("state: %w", err)
	}
	res.Queued, res.unchanged = saved.Enqueued, saved.Unchanged
	return res, nil
}

// carriesRecord reports whether a status is written to the CRM: day_off and
// missing (not yet due) are not.
func carriesRecord(s report.Status) bool {
	return s != report.DayOff && s != report.Missing
}

// record builds the CRM record of an employee-day.
func (a *App) record(emp config.Employee, d store.Day) crm.Record {
	rec := crm.Record{
		Key: crm.Key(emp.ID, d.Date), Employee: emp.ID, EmployeeName: emp.Name, CRMUserID: emp.CRMUserID,
		Date: d.Date, Status: d.Status, Metrics: nonNil(d.Metrics), Notes: d.Notes, Flags: d.Flags, SourceURL: d.SourceURL,
	}
	for _, e := range d.Errors {
		rec.Errors = append(rec.Errors, e.Location.Format(a.lang)+": "+e.Message)
	}
	return rec
}

// sectionText is the raw text of a day section: what the audit trail keeps and hashes.
func sectionText(sec document.Section) string {
	var b strings.Builder
	b.WriteString(sec.Date.String())
	for _, blk := range sec.Blocks {
		b.WriteByte('\n')
		if blk.Kind == document.Row {
			cells := make([]string, len(blk.Cells))
			for i, c := range blk.Cells {
				cells[i] = c.Text
			}
			b.WriteString(strings.Join(cells, " | "))
			continue
		}
		b.WriteString(blk.Text)
	}
	return b.String()
}

func hashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// outboxBatch bounds how many queued records one pass pushes per round.
const outboxBatch = 1000

// drainOutbox pushes every due queued record through the retrying adapter and
// records each outcome. A record that still fails stays queued for the next pass.
func (a *App) drainOutbox(ctx context.Context, res *PassResult, log zerolog.Logger) error {
	name := a.adapter.Name()
	tried := map[string]bool{}
	// Claims keep every other pusher (another replica's pass) off the records
	// this one pushes; what this pass claimed and did not mark is freed at
	// the end.
	defer func() {
		if err := a.store.ReleaseClaims(context.WithoutCancel(ctx), name, a.instance); err != nil {
			log.Warn().Err(err).Msg("could not release outbox claims; they expire by themselves")
		}
	}()
	// While a batch is pushed (minutes under a CRM's rate limit), keep its
	// claims alive; if this process dies they expire within claimTTL.
	extend, stopExtending := context.WithCancel(ctx)
	defer stopExtending()
	go func() {
		t := time.NewTicker(a.claimTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-extend.Done():
				return
			case <-t.C:
				if err := a.store.ExtendClaims(extend, name, a.instance, a.claimTTL); err != nil && extend.Err() == nil {
					log.Warn().Err(err).Msg("could not extend outbox claims")
				}
			}
		}
	}()
	for {
		items, err := a.store.ClaimOutbox(ctx, name, a.instance, outboxBatch, a.claimTTL)
		if err != nil {
			return fmt.Errorf("state: %w", err)
		}
		pushes := make([]crm.Push, 0, len(items))
		hashes := make([]string, 0, len(items))
		for _, it := range items {
			if tried[it.Key] {
				continue
			}
			tried[it.Key] = true
			pushes = append(pushes, crm.Push{Record: it.Record, ObjectID: it.ObjectID})
			hashes = append(hashes, it.Hash)
		}
		if len(pushes) == 0 {
			break
		}
		results := a.pusher.Upsert(ctx, pushes)
		for i, r := range results {
			p, hash := pushes[i], hashes[i]
			if r.Err == nil {
				if err := a.store.MarkPushed(ctx, name, p.Record.Key, hash, r.ObjectID); err != nil {
					return fmt.Errorf("state: %w", err)
				}
				res.CRM.Pushed++
				continue
			}
			res.CRM.Failed++
			next := a.now().Add(retryDelay(r.Err))
			log.Error().Str("key", p.Record.Key).Err(r.Err).Time("next_attempt", next).Msg("crm push failed; kept in the outbox")
			if err := a.store.MarkFailed(ctx, name, p.Record.Key, hash, r.Err.Error(), next); err != nil {
				return fmt.Errorf("state: %w", err)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	depth, err := a.store.OutboxDepth(ctx, name)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	res.CRM.Queued = depth
	return nil
}

// retryDelay is when a failed push is tried again: at the next pass, or later
// when the CRM asked for more time, or when the failure is permanent.
func retryDelay(err error) time.Duration {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0
	}
	if !crm.IsRetryable(err) {
		return time.Hour
	}
	return max(crm.RetryAfter(err), 0)
}
