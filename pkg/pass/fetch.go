package pass

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/verdict"
)

// fetchConcurrency bounds parallel document fetches.
const fetchConcurrency = 4

// fetchAhead bounds the documents read but not yet judged.
const fetchAhead = 4 * fetchConcurrency

// plan is what a pass must do for one employee, learnt from the state before
// their document is read.
type plan struct {
	emp config.Employee
	loc *time.Location
	// date is the employee's pass date; today their own today.
	date, today day.Date
	// stored are the employee's stored days the pass may need.
	stored map[day.Date]store.Day
	// held is the pass date's stored day as a quiet poll read it, kept
	// apart from stored (nil: none; a map a day was most of what a quiet
	// poll allocated).
	held *store.Day
	// pending are the days the ledger closes in this pass, oldest first.
	pending []day.Date
	// histFrom..histTo are the days stored holds every stored day of (read
	// for verification, then kept up to date by the judging; zero: none).
	histFrom, histTo day.Date
	// revision is the document's revision from the Watcher ("" when unknown).
	revision string
	// doc is what the store kept of the document's last read (docSeen:
	// it kept anything), when revision is known.
	doc     store.DocumentState
	docSeen bool
	// skip: the document has not changed since it was last read and holds
	// nothing the days to judge need; it is not read again.
	skip bool
	// err: the state could not be read; nothing is concluded.
	err error
}

// fetchResult is one employee's fetched document.
type fetchResult struct {
	plan    *plan
	fetched *source.Fetched
	err     error
	// held: the result holds one of fetchAll's read-ahead slots.
	held bool
}

// planFor reads what the state holds of an employee and decides what the
// pass does for them.
func (r *run) planFor(ctx context.Context, emp config.Employee) *plan {
	e := r.e
	p := &plan{emp: emp, loc: e.Config.EmployeeLocation(emp), today: r.todayOf(emp), date: r.dateOf(emp)}
	horizon := r.horizon[emp.ID]
	// Two stretches: the pass date with its lookback, and the ledger's
	// horizon to today; read as one when they meet.
	spans := [][2]day.Date{{p.date.AddDays(-lookbackDays), p.date}, {horizon, p.today}}
	p.revision = r.revisions[emp.ID]
	if st, seen := r.docStates[emp.ID]; p.revision == "" || !seen || st.Revision != p.revision {
		// The document will be read and its reports verified: the days
		// their verification reads are read with the rest, in one query.
		lo := spans[0][0]
		if !horizon.IsZero() {
			lo = minDate(lo, horizon)
		}
		spans[0][0] = e.historyStart(lo)
	}
	if !spans[1][0].After(spans[0][1].AddDays(1)) && !spans[0][0].After(spans[1][1].AddDays(1)) {
		spans = [][2]day.Date{{minDate(spans[0][0], spans[1][0]), maxDate(spans[0][1], spans[1][1])}}
		if !spans[0][1].Before(p.today) {
			p.histFrom, p.histTo = spans[0][0], spans[0][1]
		}
	}
	p.stored = map[day.Date]store.Day{}
	for _, s := range spans {
		if s[1].Before(s[0]) {
			continue
		}
		days, err := e.daysOf(ctx, emp.ID, s[0], s[1])
		if err != nil {
			p.err = err
			return p
		}
		for _, d := range days {
			p.stored[d.Date] = d
		}
	}
	p.pending = e.pending(p.loc, horizon, p.today, r.now, func(d day.Date) bool { return !p.stored[d].ClosedAt.IsZero() })
	p.skip = r.unchanged(p)
	return p
}

// historyStart is the first day the verification of d (or of a later
// day) reads.
func (e *Engine) historyStart(d day.Date) day.Date {
	if h := e.Calendar.LastWorkdays(d, historyDays); len(h) > 0 {
		return h[0]
	}
	return d
}

// horizonOf is the oldest day the ledger closes for an employee first
// judged on since, whose own today is today.
func (e *Engine) horizonOf(emp config.Employee, since, today day.Date) day.Date {
	return verdict.Horizon(since, emp.Start, today, e.Config.Ledger.Horizon.Days())
}

// pending are the days the ledger closes for an employee in loc at now.
func (e *Engine) pending(loc *time.Location, horizon, today day.Date, now time.Time, closed func(day.Date) bool) []day.Date {
	return verdict.Pending(verdict.Employee{Horizon: horizon, Today: today, Workday: e.Calendar.IsWorkday,
		Deadline: func(d day.Date) time.Time { return e.deadline.At(d, loc) }, Closed: closed}, now)
}

// unchanged reports whether the employee's document is the revision last
// read and holds nothing new for the days the pass must judge: each of them
// has its report stored already, or is newer than the newest day the
// document held.
//
// A replayed pass never skips: the state it would compare with was left by
// a pass at another moment (a later one, when a backfill is run again after
// a crash), and the replay is there to judge each day as of its own moment.
func (r *run) unchanged(p *plan) bool {
	if p.revision == "" || r.e.Clock.pretending() {
		return false
	}
	st, seen := r.docStates[p.emp.ID]
	p.doc, p.docSeen = st, seen
	if !seen || st.Revision != p.revision {
		return false
	}
	fresh := func(d day.Date) bool {
		if s, ok := p.storedOn(d); ok && !s.FirstSeen.IsZero() {
			return true // its report is stored
		}
		return st.Newest.Before(d) // the document held nothing that new when it was read
	}
	if !fresh(p.date) {
		return false
	}
	for _, d := range p.pending {
		if !fresh(d) {
			return false
		}
	}
	return true
}

// storedOn is the employee's stored day d, when the plan holds it.
func (p *plan) storedOn(d day.Date) (store.Day, bool) {
	if p.held != nil && p.held.Date == d {
		return *p.held, true
	}
	s, ok := p.stored[d]
	return s, ok
}

// fetchAll plans the employees and fetches their documents with bounded
// concurrency, yielding the results in roster order; a skipped document is
// not read.
//
// At most fetchAhead documents are held at a time, fetched or being fetched
// but not yet taken by the caller: documents are dispatched in roster order
// and a slot is freed only when its result is taken, so memory does not grow
// with the team when judging is slower than reading.
func (r *run) fetchAll(ctx context.Context, emps []config.Employee) <-chan fetchResult {
	e := r.e
	if pf, ok := e.Source.(source.Prefetcher); ok {
		// Only the documents the source reads ahead and the pass will
		// read: those employees are planned once more when dispatched
		// (plans hold stored days, so they are not kept in between).
		refs := make([]source.Ref, 0, len(emps))
		for _, emp := range emps {
			ref := source.Ref{Employee: emp.ID, Report: emp.Report}
			if !pf.Prefetches(ref) {
				continue
			}
			if p := r.planFor(ctx, emp); p.err == nil && !p.skip {
				refs = append(refs, ref)
			}
		}
		if err := pf.Prefetch(ctx, refs, r.company); err != nil {
			r.log.Warn().Err(err).Msg("prefetch the reports; each is read on its own")
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
		for i, emp := range emps {
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				slots[i] <- fetchResult{plan: &plan{emp: emp}, err: ctx.Err()}
				continue
			}
			select {
			case busy <- struct{}{}:
			case <-ctx.Done():
				slots[i] <- fetchResult{plan: &plan{emp: emp}, err: ctx.Err(), held: true}
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-busy }()
				// The plan reads the state (a round trip to PostgreSQL):
				// planned side by side, as the documents are read.
				p := r.planFor(ctx, emp)
				if p.err != nil || p.skip {
					slots[i] <- fetchResult{plan: p, err: p.err, held: true}
					return
				}
				// A source that panics on one document fails that employee only.
				defer func() {
					if v := recover(); v != nil {
						slots[i] <- fetchResult{plan: p, err: fmt.Errorf("reading the report panicked: %v", v), held: true}
					}
				}()
				f, err := e.Source.Fetch(ctx, source.Ref{Employee: emp.ID, Report: emp.Report}, p.date)
				slots[i] <- fetchResult{plan: p, fetched: f, err: err, held: true}
			}()
		}
	}()
	out := make(chan fetchResult)
	go func() {
		defer close(out)
		defer wg.Wait()
		for _, s := range slots {
			select {
			case res := <-s:
				if res.held {
					<-ahead
				}
				select {
				case out <- res:
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
