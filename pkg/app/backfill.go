package app

import (
	"context"
	"time"

	"github.com/dayreport/dayreport/pkg/day"
)

// BackfillResult is the outcome of `backfill` (one pass per working day).
type BackfillResult struct {
	From string        `json:"from"`
	To   string        `json:"to"`
	Days []*PassResult `json:"days"`
	CRM  CRMResult     `json:"crm"`
	// Summary is where the manager summary of the window ending on `to` was written.
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
	// deadline (never later than now), instead of at the current time. With a
	// source that keeps a document's history (the local source's dated
	// snapshots), this reproduces reports that arrived late.
	Replay bool
	// Progress is called after each day (for a progress bar).
	Progress func(done, total int, d day.Date)
}

// Backfill runs a pass for every working day from..to (company calendar),
// oldest first. It is idempotent: a second run pushes nothing new.
func (a *App) Backfill(ctx context.Context, from, to day.Date, opts BackfillOptions) (*BackfillResult, error) {
	days := a.cal.Workdays(from, to)
	res := &BackfillResult{From: from.String(), To: to.String(), Days: []*PassResult{}, CRM: CRMResult{Adapter: a.adapter.Name()}}
	realNow := a.now
	defer func() { a.now = realNow }()
	byDate := map[string]*PassResult{}
	for i, d := range days {
		var early *PassResult
		if opts.Replay {
			var sent []Sent
			var err error
			early, sent, err = a.replayReminders(ctx, d, realNow())
			res.Sent = append(res.Sent, sent...)
			if err != nil {
				return res, err
			}
		}
		if opts.Replay {
			at := a.closeMoment(d)
			if now := realNow(); at.After(now) {
				at = now
			}
			a.now = func() time.Time { return at }
		}
		pr, err := a.Sync(ctx, d, PassOptions{Kind: KindBackfill, noSummary: true})
		if pr != nil && early != nil {
			// The reminder-time pass is part of the day: what it pushed and
			// the earlier days it changed count with the day's pass.
			pr.Earlier = append(early.Earlier, pr.Earlier...)
			pr.CRM.Pushed += early.CRM.Pushed
			pr.CRM.Failed += early.CRM.Failed
			// Records of the day it pushed are not "unchanged" at the close.
			pr.CRM.Unchanged = max(0, pr.CRM.Unchanged-(early.CRM.Pushed-len(early.Earlier)))
		}
		if pr != nil {
			// A late report found by this pass corrects the earlier day's result.
			for _, e := range pr.Earlier {
				if past, ok := byDate[e.Date]; ok {
					past.replace(e)
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
	if len(days) > 0 {
		last := days[len(days)-1]
		if opts.Replay {
			// The manager's digest of the last day, as close-day sends it.
			at := a.closeMoment(last)
			a.now = func() time.Time { return at }
			sent, err := a.Digest(ctx, last)
			res.Sent = append(res.Sent, sent...)
			if err != nil {
				return res, err
			}
		}
		a.now = realNow
		res.Summary = a.writeSummary(ctx, last)
	}
	return res, nil
}

// replayReminders replays the day's first reminder (in the company time
// zone): a pass at that moment to learn who has reported, then the
// reminders. The pass is not one of the backfill's days.
func (a *App) replayReminders(ctx context.Context, d day.Date, realNow time.Time) (*PassResult, []Sent, error) {
	if a.notifier == nil || len(a.cfg.Reminders) == 0 {
		return nil, nil, nil
	}
	first := a.cfg.Reminders[0].At
	for _, r := range a.cfg.Reminders[1:] {
		if r.At.Hour*60+r.At.Minute < first.Hour*60+first.Minute {
			first = r.At
		}
	}
	midnight := d.Time(a.cfg.CompanyLocation())
	at := time.Date(midnight.Year(), midnight.Month(), midnight.Day(), first.Hour, first.Minute, 0, 0, midnight.Location())
	if at.After(realNow) {
		return nil, nil, nil
	}
	a.now = func() time.Time { return at }
	pr, err := a.Sync(ctx, d, PassOptions{Kind: KindBackfill, noSummary: true})
	if err != nil {
		return pr, nil, err
	}
	sent, err := a.Remind(ctx)
	return pr, sent, err
}

// closeMoment is one minute after the latest deadline of d among the roster's
// time zones: the moment by which every employee's day is due.
func (a *App) closeMoment(d day.Date) time.Time {
	latest := a.deadline.At(d, a.cfg.CompanyLocation())
	for _, e := range a.employees() {
		if t := a.deadline.At(d, a.cfg.EmployeeLocation(e)); t.After(latest) {
			latest = t
		}
	}
	return latest.Add(time.Minute)
}

// replace puts a newer result of an employee in place of the pass's one.
func (r *PassResult) replace(e EmployeeResult) {
	for i := range r.Employees {
		if r.Employees[i].ID == e.ID {
			e.Date = ""
			r.Employees[i] = e
			return
		}
	}
}
