package daemon

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/store"
)

// Leadership among replicas (state.driver: postgres).
//
// Any number of `dayreport run` replicas may share one PostgreSQL database;
// exactly one leads: it holds the "leader" lease (a row of the leases table)
// and renews it every LeaseRenew; the others stand by, serve HTTP, and ask
// for the lease at the same rate. A leader that dies stops renewing, and one
// of the others takes the lease when it expires (LeaseTTL after the last
// renewal): with the defaults, 15 to 20 s after the death. A leader that
// cannot renew steps down itself before its lease runs out, so two replicas
// never both believe they lead (clocks agreeing within a few seconds).
//
// Only the leader runs scheduled jobs. While it leads, every LeaseRenew it
// compares each pass job's schedule with the pass history, and runs the job
// whose latest due time has no finished pass after it: a poll or a close-day
// due while nobody led (the old leader died mid-pass, or before the time) is
// run on takeover, for the day it was due. The pass lock and outbox claims
// stay underneath: even a leader that lost its lease mid-pass never overlaps
// the next one's pass nor pushes a record twice.
//
// With SQLite (one host, one process) the daemon always leads, and runs the
// same catch-up once when it starts: a close-day (and its digest) due while
// the process was down runs then. Either way the days themselves need no
// catch-up of their own: every pass first closes, through the day ledger,
// every day whose deadline passed while no pass ran (pkg/verdict).

// Lease timing defaults (DaemonOptions).
const (
	DefaultLeaseTTL   = 15 * time.Second
	DefaultLeaseRenew = 5 * time.Second
)

// catchUpLookback bounds how far back a takeover looks for a missed run.
const catchUpLookback = 26 * time.Hour

// leadership is what /readyz and /status say of it.
type leadership struct {
	Instance string     `json:"instance"`
	Leading  bool       `json:"leading"`
	Leader   string     `json:"leader"` // "" when nobody leads
	Since    *time.Time `json:"leader_since,omitempty"`
}

// ha reports whether replicas may share the database (PostgreSQL).
func (d *Daemon) ha() bool { return d.e.Store.Driver() == "postgres" }

func (d *Daemon) leading() bool {
	if !d.ha() {
		return true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lead.Leading
}

func (d *Daemon) leadership() leadership {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.lead
	l.Instance = d.e.Instance
	if !d.ha() {
		l.Leading, l.Leader = true, d.e.Instance
	}
	return l
}

// leadLoop asks for (or renews) the lease every LeaseRenew until ctx ends,
// then gives it up.
func (d *Daemon) leadLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(d.opts.LeaseRenew)
	defer t.Stop()
	var renewed time.Time
	for {
		d.tryLead(ctx, &renewed)
		if d.leading() {
			d.catchUp()
		}
		select {
		case <-ctx.Done():
			if d.leading() {
				rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = d.e.Store.ReleaseLease(rctx, store.LeaseLeader, d.e.Instance)
				cancel()
				d.setLead(leadership{})
			}
			return
		case <-t.C:
		}
	}
}

func (d *Daemon) tryLead(ctx context.Context, renewed *time.Time) {
	log := d.log
	actx, cancel := context.WithTimeout(ctx, d.opts.LeaseRenew)
	l, ok, err := d.e.Store.AcquireLease(actx, store.LeaseLeader, d.e.Instance, d.opts.LeaseTTL)
	cancel()
	was := d.leading()
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return
		}
		log.Warn().Err(err).Msg("leader lease: the state database did not answer")
		// Step down before the lease can have passed to another replica.
		if was && time.Since(*renewed) >= d.opts.LeaseTTL-d.opts.LeaseRenew {
			log.Error().Msg("stepping down: the leader lease could not be renewed in time")
			d.setLead(leadership{})
			d.metrics.leading(false, false)
		}
	case ok:
		*renewed = time.Now()
		since := l.Since
		d.setLead(leadership{Leading: true, Leader: l.Holder, Since: &since})
		if !was {
			log.Info().Str("instance", d.e.Instance).Msg("leading: this replica runs the schedule now")
		}
		d.metrics.leading(true, !was)
	default:
		since := l.Since
		d.setLead(leadership{Leader: l.Holder, Since: &since})
		if was {
			log.Warn().Str("leader", l.Holder).Msg("standing by: another replica holds the leader lease")
		}
		d.metrics.leading(false, false)
	}
}

func (d *Daemon) setLead(l leadership) {
	d.mu.Lock()
	d.lead = l
	d.mu.Unlock()
}

// catchUp runs, in the background, the pass jobs whose latest due time has
// no finished pass after it. Nothing is started while a job runs.
func (d *Daemon) catchUp() {
	d.mu.Lock()
	busy := d.running != ""
	d.mu.Unlock()
	if busy || d.e.StopRequested() {
		return
	}
	ctx, cancel := context.WithTimeout(d.jobCtx, d.opts.LeaseRenew)
	passes, err := d.e.Store.PassHistory(ctx, 500)
	cancel()
	if err != nil || len(passes) == 0 {
		return // a fresh database: nothing was missed, the schedule starts now
	}
	// Due times before the oldest pass in view were before dayreport ran.
	oldest := passes[len(passes)-1].StartedAt
	// A due time younger than one renewal is the scheduler's to run.
	now := d.e.Now().Add(-d.opts.LeaseRenew)
	if at, ok := d.lastDue(JobCloseDay, now); ok && at.After(oldest) {
		date := day.Today(at, d.e.Config.CompanyLocation())
		if !finishedSince(passes, at, func(p store.Pass) bool { return p.Kind == pass.KindCloseDay && p.Date == date }) {
			d.log.Warn().Time("due", at).Str("date", date.String()).Msg("close-day was due while no replica led: running it now")
			d.background(d.wrap(JobCloseDay, func(ctx context.Context) error { return d.passOf(ctx, pass.KindCloseDay, date) }))
			return
		}
	}
	if at, ok := d.lastDue(JobPoll, now); ok && at.After(oldest) {
		date := day.Today(at, d.e.Config.CompanyLocation())
		if !finishedSince(passes, at, func(p store.Pass) bool {
			return (p.Kind == pass.KindSync || p.Kind == pass.KindCloseDay) && p.Date == date
		}) {
			d.log.Warn().Time("due", at).Str("date", date.String()).Msg("a poll was due while no replica led: running it now")
			d.background(d.wrap(JobPoll, func(ctx context.Context) error { return d.passOf(ctx, pass.KindSync, date) }))
		}
	}
}

// finishedSince reports whether a pass matching ok started at or after at
// and finished (a pass killed midway does not count).
func finishedSince(passes []store.Pass, at time.Time, ok func(store.Pass) bool) bool {
	for _, p := range passes {
		if !p.StartedAt.Before(at) && !p.FinishedAt.IsZero() && p.Result != "failed" && p.Result != "cancelled" && ok(p) {
			return true
		}
	}
	return false
}

// lastDue is the latest time at or before now the job was due, within
// catchUpLookback; ok is false when it was not due in that window.
func (d *Daemon) lastDue(job string, now time.Time) (time.Time, bool) {
	id, ok := d.entries[job]
	if !ok {
		return time.Time{}, false
	}
	e := d.cron.Entry(id)
	if !e.Valid() {
		return time.Time{}, false
	}
	d.dueMu.Lock()
	defer d.dueMu.Unlock()
	from := now.Add(-catchUpLookback)
	if prev, ok := d.due[job]; ok && prev.After(from) {
		from = prev.Add(-time.Nanosecond)
	}
	last, found := prevActivation(e.Schedule, from, now, d.e.Config.CompanyLocation())
	if found {
		d.due[job] = last
	}
	return last, found
}

// prevActivation walks the schedule from `from` and returns its last
// activation at or before now.
func prevActivation(s cron.Schedule, from, now time.Time, loc *time.Location) (time.Time, bool) {
	var (
		last  time.Time
		found bool
	)
	for t, n := s.Next(from.In(loc)), 0; !t.IsZero() && !t.After(now) && n < 1_000_000; t, n = s.Next(t), n+1 {
		last, found = t, true
	}
	return last, found
}

// passOf runs one pass of the kind for date (a close-day pass sends the
// date's digest).
func (d *Daemon) passOf(ctx context.Context, kind string, date day.Date) error {
	_, err := d.e.Run(ctx, pass.Request{Kind: kind, Date: date, NoSummary: d.e.Config.Schedule.Summary != ""})
	return err
}

// background runs a catch-up job beside the schedule; Run waits for it.
func (d *Daemon) background(job func()) {
	d.catching.Add(1)
	go func() {
		defer d.catching.Done()
		job()
	}()
}

// waitCatchUp waits for the catch-up jobs started in the background.
func (d *Daemon) waitCatchUp() { d.catching.Wait() }
