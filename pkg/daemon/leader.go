package app

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dayreport/dayreport/pkg/day"
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
// With SQLite (one host, one process) the daemon always leads.

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
func (d *Daemon) ha() bool { return d.app.store.Driver() == "postgres" }

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
	l.Instance = d.app.instance
	if !d.ha() {
		l.Leading, l.Leader = true, d.app.instance
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
				_ = d.app.store.ReleaseLease(rctx, store.LeaseLeader, d.app.instance)
				cancel()
				d.setLead(leadership{})
			}
			return
		case <-t.C:
		}
	}
}

func (d *Daemon) tryLead(ctx context.Context, renewed *time.Time) {
	log := d.app.log
	actx, cancel := context.WithTimeout(ctx, d.opts.LeaseRenew)
	l, ok, err := d.app.store.AcquireLease(actx, store.LeaseLeader, d.app.instance, d.opts.LeaseTTL)
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
			d.app.metrics.leading(false, false)
		}
	case ok:
		*renewed = time.Now()
		since := l.Since
		d.setLead(leadership{Leading: true, Leader: l.Holder, Since: &since})
		if !was {
			log.Info().Str("instance", d.app.instance).Msg("leading: this replica runs the schedule now")
		}
		d.app.metrics.leading(true, !was)
	default:
		since := l.Since
		d.setLead(leadership{Leader: l.Holder, Since: &since})
		if was {
			log.Warn().Str("leader", l.Holder).Msg("standing by: another replica holds the leader lease")
		}
		d.app.metrics.leading(false, false)
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
	if busy || d.app.stopRequested() {
		return
	}
	ctx, cancel := context.WithTimeout(d.jobCtx, d.opts.LeaseRenew)
	passes, err := d.app.store.LastPasses(ctx, 500)
	cancel()
	if err != nil || len(passes) == 0 {
		return // a fresh database: nothing was missed, the schedule starts now
	}
	// Due times before the oldest pass in view were before dayreport ran.
	oldest := passes[len(passes)-1].StartedAt
	// A due time younger than one renewal is the scheduler's to run.
	now := d.app.now().Add(-d.opts.LeaseRenew)
	if at, ok := d.lastDue(JobCloseDay, now); ok && at.After(oldest) {
		date := day.Today(at, d.app.cfg.CompanyLocation())
		if !finishedSince(passes, at, func(p store.Pass) bool { return p.Kind == KindCloseDay && p.Date == date }) {
			d.app.log.Warn().Time("due", at).Str("date", date.String()).Msg("close-day was due while no replica led: running it now")
			go d.wrap(JobCloseDay, func(ctx context.Context) error { return d.closeDayOf(ctx, date) })()
			return
		}
	}
	if at, ok := d.lastDue(JobPoll, now); ok && at.After(oldest) {
		date := day.Today(at, d.app.cfg.CompanyLocation())
		if !finishedSince(passes, at, func(p store.Pass) bool {
			return (p.Kind == KindSync || p.Kind == KindCloseDay) && p.Date == date
		}) {
			d.app.log.Warn().Time("due", at).Str("date", date.String()).Msg("a poll was due while no replica led: running it now")
			go d.wrap(JobPoll, func(ctx context.Context) error { return d.passOf(ctx, KindSync, date) })()
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
	last, found := prevActivation(e.Schedule, from, now, d.app.cfg.CompanyLocation())
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

// passOf runs one pass of the kind for date.
func (d *Daemon) passOf(ctx context.Context, kind string, date day.Date) error {
	_, err := d.app.Sync(ctx, date, PassOptions{Kind: kind, noSummary: d.app.cfg.Schedule.Summary != ""})
	return err
}

// closeDayOf closes date and sends its digest.
func (d *Daemon) closeDayOf(ctx context.Context, date day.Date) error {
	if err := d.passOf(ctx, KindCloseDay, date); err != nil {
		return err
	}
	if _, err := d.app.Digest(ctx, date); err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	return nil
}
