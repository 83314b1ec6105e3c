package pass

import (
	"context"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// BackfillResult is the outcome of `backfill` (one pass per working day).
type BackfillResult struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	DryRun bool      `json:"dry_run,omitempty"`
	Days   []*Result `json:"days"`
	CRM    CRMResult `json:"crm"`
	// Records counts, by final status, the CRM records the backfill queued
	// (in a dry run: would queue): each employee-day once.
	Records map[report.Status]int `json:"records"`
	// Summary is where the manager summary was written.
	Summary *SummaryResult `json:"summary,omitempty"`
	// Sent are the reminders and digests a replay sent.
	Sent   []Sent `json:"sent,omitempty"`
	Failed int    `json:"failed"`
}

// Partial reports whether some day's pass was partial.
func (r *BackfillResult) Partial() bool {
	return r.Failed > 0 || r.CRM.Failed > 0 || r.Summary != nil && r.Summary.Error != ""
}

// BackfillOptions tune a backfill.
type BackfillOptions struct {
	// Replay runs each day's pass as it would have run just after that day's
	// deadline (never later than now), instead of at the current time, and
	// sends what those passes would have sent. With a source that keeps a
	// document's history (the local source's dated snapshots), this
	// reproduces reports that arrived late.
	Replay bool
	// NoNotify keeps a replay from sending anything.
	NoNotify bool
	// Progress is called after each day (for a progress bar).
	Progress func(done, total int, d day.Date)
}

// Backfill runs a pass for every working day from..to (company calendar),
// oldest first. It is idempotent: a second run pushes nothing new. Without
// Replay it sends nothing; an engine built for a dry run writes nothing and
// counts what it would push.
func (e *Engine) Backfill(ctx context.Context, from, to day.Date, opts BackfillOptions) (*BackfillResult, error) {
	res := &BackfillResult{From: from.String(), To: to.String(), DryRun: e.DryRun, Days: []*Result{},
		CRM: CRMResult{Adapter: e.Adapter.Name()}, Records: map[report.Status]int{}}
	if err := e.Calendar.Check(from, to); err != nil {
		return res, err
	}
	days := e.Calendar.Workdays(from, to)
	wall := e.Now()
	byDate := map[string]*Result{}
	queued := map[string]report.Status{} // record key → its latest status
	count := func(pr *Result) {
		for _, x := range append(append([]EmployeeResult{}, pr.Employees...), pr.Earlier...) {
			if x.Queued {
				date := x.Date
				if date == "" {
					date = pr.Date
				}
				queued[x.ID+"/"+date] = x.Status
			}
		}
	}
	for i, d := range days {
		var early *Result
		if opts.Replay {
			var err error
			early, err = e.replayReminders(ctx, d, wall, opts.NoNotify)
			if early != nil {
				res.Sent = append(res.Sent, early.Sent...)
				count(early)
			}
			if err != nil {
				return res, err
			}
		}
		req := Request{Kind: KindBackfill, Date: d, NoSummary: true, NoNotify: !opts.Replay || opts.NoNotify}
		var (
			pr  *Result
			err error
		)
		if opts.Replay {
			at := e.closeMoment(d)
			if at.After(wall) {
				at = wall
			}
			restore := e.Clock.pretend(at)
			pr, err = e.Run(ctx, req)
			restore()
		} else {
			pr, err = e.Run(ctx, req)
		}
		if pr != nil {
			count(pr)
			res.Sent = append(res.Sent, pr.Sent...)
			if early != nil {
				// The reminder-time pass is part of the day: what it pushed and
				// the earlier days it changed count with the day's pass.
				pr.Earlier = append(early.Earlier, pr.Earlier...)
				pr.CRM.Pushed += early.CRM.Pushed
				pr.CRM.Failed += early.CRM.Failed
				pr.Closed += early.Closed
				// Records of the day it pushed are not "unchanged" at the close.
				pr.CRM.Unchanged = max(0, pr.CRM.Unchanged-(early.CRM.Pushed-len(early.Earlier)))
			}
			// A late report found by this pass corrects the earlier day's result.
			for _, x := range pr.Earlier {
				if past, ok := byDate[x.Date]; ok {
					past.replace(x)
				}
			}
			byDate[pr.Date] = pr
			res.Days = append(res.Days, pr)
			res.CRM.Pushed += pr.CRM.Pushed
			res.CRM.Unchanged += pr.CRM.Unchanged
			res.CRM.Failed += pr.CRM.Failed
			res.CRM.Queued = pr.CRM.Queued
			res.Failed += pr.Failed
		}
		if err != nil {
			return res, err
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(days), d)
		}
	}
	for _, st := range queued {
		res.Records[st]++
	}
	if len(days) > 0 {
		last := days[len(days)-1]
		if opts.Replay && !opts.NoNotify {
			// The manager's digest of the last day, as close-day sends it.
			restore := e.Clock.pretend(e.closeMoment(last))
			sent, err := e.Digest(ctx, last)
			restore()
			res.Sent = append(res.Sent, sent...)
			if err != nil {
				return res, err
			}
		}
		res.Summary = e.RefreshSummary(ctx)
	}
	return res, nil
}

// replayReminders replays the day's first reminder (in the company time
// zone): a pass at that moment, which learns who has reported and sends
// what is due then. The pass is not one of the backfill's days.
func (e *Engine) replayReminders(ctx context.Context, d day.Date, wall time.Time, noNotify bool) (*Result, error) {
	if e.Notifier == nil || len(e.Config.Reminders) == 0 {
		return nil, nil
	}
	first := e.Config.Reminders[0].At
	for _, r := range e.Config.Reminders[1:] {
		if r.At.Hour*60+r.At.Minute < first.Hour*60+first.Minute {
			first = r.At
		}
	}
	midnight := d.Time(e.Config.CompanyLocation())
	at := time.Date(midnight.Year(), midnight.Month(), midnight.Day(), first.Hour, first.Minute, 0, 0, midnight.Location())
	if at.After(wall) {
		return nil, nil
	}
	restore := e.Clock.pretend(at)
	defer restore()
	return e.Run(ctx, Request{Kind: KindBackfill, Date: d, NoSummary: true, NoNotify: noNotify})
}

// closeMoment is one minute after the latest deadline of d among the roster's
// time zones: the moment by which every employee's day is due.
func (e *Engine) closeMoment(d day.Date) time.Time {
	latest := e.deadline.At(d, e.Config.CompanyLocation())
	for _, emp := range e.Employees() {
		if t := e.deadline.At(d, e.Config.EmployeeLocation(emp)); t.After(latest) {
			latest = t
		}
	}
	return latest.Add(time.Minute)
}

// replace puts a newer result of an employee in place of the pass's one.
func (r *Result) replace(x EmployeeResult) {
	for i := range r.Employees {
		if r.Employees[i].ID == x.ID {
			x.Date = ""
			r.Employees[i] = x
			return
		}
	}
}
