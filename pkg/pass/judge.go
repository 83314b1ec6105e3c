package pass

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/document"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/verdict"
	"github.com/dayreport/dayreport/pkg/verify"
)

// judgedDay is what the notifications need of an invalid day a pass
// judged: the employee to write to, and the day.
type judgedDay struct {
	emp config.Employee
	dayState
}

// dayState is what the reminders need of an employee's day of today. Kept
// for every employee until the notifications are sent, it holds no copy of
// the employee: at 10 000 employees those copies (over 200 bytes each,
// each entry then too large for the map to hold in place) were some 3 MB
// of a pass's memory while it judged.
type dayState struct {
	date   day.Date
	status report.Status
	errors []report.FieldError
}

// why a day is judged in a pass.
type reason int

const (
	// forDate: the pass date (always judged, reported in Employees).
	forDate reason = iota
	// forLedger: a day the ledger closes.
	forLedger
	// forLookback: a recent day the document may have changed.
	forLookback
)

// judgeEmployee decides and stores the days of one employee the pass must
// judge: the ledger's days, the pass date and the recent days, oldest first
// (so that each day is verified against the days before it as stored).
func (r *run) judgeEmployee(ctx context.Context, fr fetchResult) {
	p, res := fr.plan, r.res
	elog := r.log.With().Str("employee", p.emp.ID).Logger()
	if fr.err != nil && !errors.Is(fr.err, source.ErrNoDocument) {
		// Unreadable: nothing is concluded about this employee (not even
		// absence); the ledger's days stay due for the next pass.
		res.Failed++
		elog.Error().Err(fr.err).Msg("fetch the report")
		prev := r.knownResult(p)
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
		sections, warns = fr.fetched.Doc.Sections(p.date)
		docWarns = report.DocumentWarnings(r.e.Lang(), append(fr.fetched.Warnings, warns...))
	}
	why := map[day.Date]reason{p.date: forDate}
	for _, d := range p.pending {
		if d != p.date {
			why[d] = forLedger
		}
	}
	if !p.skip {
		// An unchanged document has nothing new for the recent days.
		for back := 1; back <= lookbackDays; back++ {
			d := p.date.AddDays(-back)
			if _, ok := why[d]; !ok {
				why[d] = forLookback
			}
		}
	}
	dates := make([]day.Date, 0, len(why))
	for d := range why {
		dates = append(dates, d)
	}
	slices.SortFunc(dates, func(x, y day.Date) int { return x.Compare(y) })
	// The document's revision is remembered (so that an unchanged document
	// is not read again) only once every day it holds was stored and
	// verified against complete CRM facts; otherwise the next pass reads
	// it again.
	complete := true
	shownAt, earlierAt := -1, map[day.Date]int{}
	// verifiedUpTo is the last day whose verification may have been changed
	// by a day judged in this pass (the days after one read it as history).
	var verifiedUpTo day.Date
	judge := func(d day.Date) {
		before := p.stored[d]
		out, shown, err := r.judgeDay(ctx, p, d, why[d], sections, fr.fetched)
		if !sameHistory(before, p.stored[d]) {
			verifiedUpTo = maxDate(verifiedUpTo, r.e.Calendar.WorkdaysAfter(d, historyDays))
		}
		complete = complete && err == nil && !out.factsMissing
		if err != nil {
			res.Failed++
			elog.Error().Err(err).Str("day", d.String()).Msg("store the day")
			out.Error = err.Error()
		}
		if why[d] == forDate {
			if !shown && err == nil {
				return // no day before the employee's start
			}
			out.Warnings = append(out.Warnings, docWarns...)
			if d != r.company {
				out.Date = d.String()
			}
			if shownAt >= 0 { // judged again: the later outcome replaces the first
				out.unchanged = out.unchanged && res.Employees[shownAt].unchanged
				res.Employees[shownAt] = out
				return
			}
			if out.unchanged {
				res.CRM.Unchanged++
			}
			shownAt = len(res.Employees)
			res.Employees = append(res.Employees, out)
			return
		}
		if i, again := earlierAt[d]; again {
			if out.Queued || res.Earlier[i].Queued {
				out.Date, out.Queued = d.String(), true
				res.Earlier[i] = out
			}
			return
		}
		if out.Queued {
			out.Date = d.String()
			earlierAt[d] = len(res.Earlier)
			res.Earlier = append(res.Earlier, out)
		}
	}
	for _, d := range dates {
		judge(d)
	}
	// A day's overstatement may be a carry-over the next working day's
	// report makes up for (verify: the CRM logged it a day later). A day
	// judged before its next day was stored in this pass is judged again,
	// so that its flags do not depend on the order in which the days came:
	// the same reports give the same flags, whether a pass read them one
	// day at a time, all at once, or again after a crash.
	judged := make(map[day.Date]bool, len(dates))
	for _, d := range dates {
		judged[d] = true
	}
	for _, d := range dates {
		if next := r.e.Calendar.NextWorkday(d); judged[next] && hasOverstated(p.stored[d]) && p.stored[next].Metrics != nil {
			judge(d)
		}
	}
	// The later days stored before a day this pass changed were verified
	// without it (a backfill's first pass closes the last days of the
	// ledger before the days between are read; a late report fills a hole
	// in the history of the days after it): they are verified again, so
	// that their flags do not depend on the order in which the days came
	// either. A change among them reaches further in turn.
	if err := r.verifyLater(ctx, p, dates[len(dates)-1], &verifiedUpTo, judge, why); err != nil {
		complete = false
		res.Failed++
		elog.Error().Err(err).Msg("read the later days to verify again")
	}
	if complete && fr.fetched != nil {
		r.rememberDocument(ctx, p, fr.fetched, sections)
	}
	if b := r.e.batch.Load(); b != nil && b.Len() >= dayBatch {
		r.startDays(ctx)
	}
}

// verifyLater judges again, oldest first, the stored days with a report
// after last up to *upTo (and no later than the employee's today), which a
// day judged since may have changed; judging one moves *upTo on when it
// changes in turn.
func (r *run) verifyLater(ctx context.Context, p *plan, last day.Date, upTo *day.Date, judge func(day.Date), why map[day.Date]reason) error {
	for from := last.AddDays(1); !upTo.IsZero() && !from.After(minDate(*upTo, p.today)); {
		to := minDate(*upTo, p.today)
		later, err := r.e.daysOf(ctx, p.emp.ID, from, to)
		if err != nil {
			return err
		}
		for _, s := range later {
			if s.Metrics == nil || s.Status != report.Submitted && s.Status != report.Late {
				continue // nothing of it is verified
			}
			p.stored[s.Date] = s
			if _, ok := why[s.Date]; !ok {
				why[s.Date] = forLookback
			}
			judge(s.Date)
		}
		from = to.AddDays(1)
	}
	return nil
}

// sameHistory reports whether two versions of a stored day read the same as
// the history of the days after it (historyDay: the numbers, and whether a
// flag put them in doubt).
func sameHistory(a, b store.Day) bool {
	x, y := asHistory(a.Date, a), asHistory(b.Date, b)
	return x.Flagged == y.Flagged && maps.Equal(x.Metrics, y.Metrics)
}

// dayBatch is how many judged days a pass stages before it writes them, in
// one transaction (store.DayBatch).
const dayBatch = 500

// idleFlush is how long the judging waits for the next document before it
// writes the days staged so far: a pass held up by a slow document stores
// what it judged meanwhile, as it did when each day was written at once.
const idleFlush = 50 * time.Millisecond

// flushWhenIdle yields the fetched documents of in, and writes the staged
// days (flushDays, on the judging goroutine) whenever the next document
// keeps the judging waiting longer than idleFlush.
func (r *run) flushWhenIdle(ctx context.Context, in <-chan fetchResult) iter.Seq[fetchResult] {
	return func(yield func(fetchResult) bool) {
		t := time.NewTimer(idleFlush)
		t.Stop()
		for {
			var (
				fr fetchResult
				ok bool
			)
			select {
			case fr, ok = <-in:
			default:
				t.Reset(idleFlush)
				select {
				case fr, ok = <-in:
				case <-t.C:
					r.startDays(ctx)
					fr, ok = <-in
				}
				t.Stop()
			}
			if !ok || !yield(fr) {
				return
			}
		}
	}
}

// flushDays writes the days staged so far. The flush is not cut short by
// the pass's cancellation: what was judged is kept, as when each day was
// written at once. When it fails nothing of it was written: its employees
// are failed in the result, their documents are not remembered (they are
// read and judged again next pass), and false is returned.
func (r *run) flushDays(ctx context.Context) bool {
	b := r.e.batch.Load()
	if b == nil {
		return true
	}
	_, err := b.Flush(context.WithoutCancel(ctx))
	return r.keptDays(err)
}

// startDays starts writing the days staged so far in the background
// (store.DayBatch.Start): the judging goes on while the server works. What
// a background write lost is learnt, and handled as flushDays does, at the
// next start or flush (the documents are remembered only after a flush).
func (r *run) startDays(ctx context.Context) {
	if b := r.e.batch.Load(); b != nil {
		r.keptDays(b.Start(context.WithoutCancel(ctx)))
	}
}

// keptDays handles the error of a flush: false when days were lost.
func (r *run) keptDays(err error) bool {
	if err == nil {
		return true
	}
	lost := map[string]bool{}
	if fe, ok := errors.AsType[*store.FlushError](err); ok {
		for _, id := range fe.Employees {
			lost[id] = true
		}
	}
	r.log.Error().Err(err).Int("employees", len(lost)).Msg("store the judged days; they are judged again next pass")
	// Each employee counts once among the failed: those already failed
	// (a day that could not be staged) are not counted again.
	unseen := maps.Clone(lost)
	for i, out := range r.res.Employees {
		if !lost[out.ID] {
			continue
		}
		delete(unseen, out.ID)
		if out.Error == "" {
			r.res.Employees[i].Error = "state: " + err.Error()
			r.res.Failed++
		}
	}
	r.res.Failed += len(unseen)
	for id := range lost {
		delete(r.docs, id)
	}
	return false
}

// hasOverstated reports whether a stored day carries an overstated flag.
func hasOverstated(d store.Day) bool {
	return slices.ContainsFunc(d.Flags, func(f crm.Flag) bool { return f.Code == verify.Overstated })
}

// knownResult is what the store knows of an employee's pass date (for an
// employee whose document could not be read in this pass).
func (r *run) knownResult(p *plan) EmployeeResult {
	out := EmployeeResult{ID: p.emp.ID, Status: report.Missing, Metrics: map[string]float64{}, Errors: []report.FieldError{}, Flags: []crm.Flag{}}
	if prior, ok := p.stored[p.date]; ok {
		out.Status, out.Metrics, out.Notes, out.LongTerm = prior.Status, nonNil(prior.Metrics), prior.Notes, prior.LongTerm
	}
	if p.date != r.company && !p.date.IsZero() {
		out.Date = p.date.String()
	}
	return out
}

// judgeDay decides one employee-day (verdict.Decide), stores it and queues
// its CRM record. shown is false when there is no day to show: before the
// employee's start, or a recent day the store does not know and the
// document does not mention (a day not due yet with no report is shown as
// missing, and not stored).
func (r *run) judgeDay(ctx context.Context, p *plan, d day.Date, why reason, sections []document.Section,
	fetched *source.Fetched,
) (out EmployeeResult, shown bool, err error) {
	e := r.e
	out = EmployeeResult{ID: p.emp.ID, Metrics: map[string]float64{}, Errors: []report.FieldError{}, Flags: []crm.Flag{}}
	prior, known := p.stored[d]
	sec, hasReport := document.Find(sections, d)
	if why == forLookback && !known && (!hasReport || d.Before(r.importFloor)) {
		return out, false, nil
	}
	var rep *report.Report
	in := verdict.Input{Day: d, Workday: e.Calendar.IsWorkday(d), OnLeave: p.emp.OnLeave(d), Start: p.emp.Start,
		Deadline: e.deadline.At(d, p.loc), Now: r.now, Force: r.req.Force && why == forDate,
		Stored: verdict.Stored{Known: known, Status: prior.Status, ClosedAt: prior.ClosedAt, FirstSeen: prior.FirstSeen, Late: prior.Late}}
	if hasReport {
		rep = report.Parse(e.Template, sec, report.Options{Lang: e.Lang()})
		in.Document = verdict.Valid
		if !rep.Valid() {
			in.Document = verdict.Invalid
		}
	}
	st := verdict.Decide(in)
	if !st.Exists {
		out.Status = st.Status
		return out, st.Status == report.Missing || st.Status == report.DayOff, nil
	}
	if st.Closes {
		r.res.Closed++
	}
	next := store.Day{Employee: p.emp.ID, Date: d, Status: st.Status, ClosedAt: st.ClosedAt, FirstSeen: st.FirstSeen, Late: st.Late,
		SourceURL: prior.SourceURL, VersionID: prior.VersionID}
	var version *store.Version
	switch {
	case rep != nil:
		next.Metrics, next.Notes, next.LongTerm, next.Errors = rep.Metrics, rep.Notes, rep.LongTerm, rep.Errors
		text := sectionText(sec)
		version = &store.Version{Employee: p.emp.ID, Date: d, ContentHash: hashText(text), Valid: rep.Valid(),
			Metrics: rep.Metrics, Notes: rep.Notes, Errors: rep.Errors, Text: text}
		if fetched != nil {
			version.Revision, next.SourceURL = fetched.Revision, fetched.URL
			version.EditedBy, version.EditedAt = fetched.EditedBy, fetched.EditedAt
		}
		out.Warnings = rep.Warnings
	case st.Kept:
		// The report is gone from the document: what was reported stays.
		next.Metrics, next.Notes, next.LongTerm, next.Errors, next.Flags = prior.Metrics, prior.Notes, prior.LongTerm, prior.Errors, prior.Flags
	}
	if fetched != nil && (next.SourceURL == "" || rep == nil) {
		next.SourceURL = fetched.URL
	}
	if rep != nil {
		if next.Flags, out.factsMissing, err = r.flags(ctx, p, next, version, st.Closes); err != nil {
			return out, true, err
		}
	}
	out.Status, out.Metrics, out.Notes, out.LongTerm = next.Status, nonNil(next.Metrics), next.Notes, next.LongTerm
	if next.Flags != nil {
		out.Flags = next.Flags
	}
	if next.Errors != nil {
		out.Errors = next.Errors
	}
	var record *crm.Record
	if st.Record {
		rec := r.record(p.emp, next)
		record = &rec
	}
	u := store.DayUpdate{Adapter: e.Adapter.Name(), Day: next, Version: version, Record: record}
	if known {
		u.Prior = &prior // a day judged as it was is not written again
	} else {
		u.New = true // nothing of it is stored: nothing to read before the write
	}
	saved, err := e.saveDay(ctx, u, prior, known)
	if err != nil {
		return out, true, err
	}
	if st.Closes {
		r.noteClosed(ctx, next, version)
	}
	next.RecordHash = prior.RecordHash
	if record != nil {
		next.RecordHash = record.Hash()
	}
	p.stored[d] = next
	out.Queued, out.unchanged = saved.Enqueued, saved.Unchanged
	r.noteJudged(p, next)
	return out, true, nil
}

// noteJudged keeps what the notifications of the pass need.
func (r *run) noteJudged(p *plan, d store.Day) {
	st := dayState{date: d.Date, status: d.Status, errors: d.Errors}
	if d.Date == p.today {
		r.today[p.emp.ID] = st
	}
	if d.Status == report.Invalid && !d.Date.Before(p.today.AddDays(-lookbackDays)) {
		r.invalid = append(r.invalid, judgedDay{emp: p.emp, dayState: st})
	}
}

// record builds the CRM record of an employee-day.
func (r *run) record(emp config.Employee, d store.Day) crm.Record {
	rec := crm.Record{
		Key: crm.Key(emp.ID, d.Date), Employee: emp.ID, EmployeeName: emp.Name, CRMUserID: emp.CRMUserID,
		Date: d.Date, Status: d.Status, Metrics: nonNil(d.Metrics), Notes: d.Notes, LongTerm: d.LongTerm, Flags: d.Flags, SourceURL: d.SourceURL,
	}
	for _, fe := range d.Errors {
		rec.Errors = append(rec.Errors, fe.Location.Format(r.e.Lang())+": "+fe.Message)
	}
	return rec
}

// rememberDocument records what a pass read of a document: the revision to
// compare next time and the newest day it held.
func (r *run) rememberDocument(ctx context.Context, p *plan, f *source.Fetched, sections []document.Section) {
	if r.e.DryRun || f == nil {
		return
	}
	st := store.DocumentState{Revision: f.Revision, ContentHash: f.Revision}
	if p.revision != "" {
		st.Revision = p.revision
	}
	for _, s := range sections {
		if s.Date.After(st.Newest) {
			st.Newest = s.Date
		}
	}
	if p.docSeen && p.doc == st {
		return // read again as it was: nothing to remember anew
	}
	if r.docs == nil {
		r.docs = map[string]store.DocumentState{}
	}
	r.docs[p.emp.ID] = st
	if len(r.docs) >= docBatch {
		r.flushDocuments(ctx)
	}
}

// docBatch is how many documents' states a pass remembers per transaction.
const docBatch = 500

// flushDocuments writes the documents' states remembered so far in one
// transaction. Until it commits, a document is read again by the next
// pass, as after a crash: never skipped on a state not stored.
func (r *run) flushDocuments(ctx context.Context) {
	// A document is remembered only once its days are stored: flushed first.
	r.flushDays(ctx)
	if len(r.docs) == 0 {
		return
	}
	if err := r.e.Store.SaveDocuments(ctx, r.docs); err != nil {
		r.log.Warn().Err(err).Int("documents", len(r.docs)).Msg("remember the documents' revisions; they are read again next pass")
	}
	r.docs = nil
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
