package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dayreport/dayreport/pkg/day"
)

// Job names of the schedule (SPEC §9).
const (
	JobPoll     = "poll"
	JobCloseDay = "close_day"
	JobSummary  = "summary"
	JobRemind   = "remind"
)

// DaemonOptions tune `dayreport run`.
type DaemonOptions struct {
	// Parser reads the schedule; default: standard five-field cron (tests pass
	// one with seconds).
	Parser cron.ScheduleParser
	// ShutdownTimeout bounds how long a stop waits for the running pass
	// (default 30 s); after it the pass is cancelled.
	ShutdownTimeout time.Duration
	// Listener serves HTTP; default: listen on http.listen.
	Listener net.Listener
	// LeaseTTL and LeaseRenew time the leader lease among replicas on
	// PostgreSQL (defaults DefaultLeaseTTL, DefaultLeaseRenew; see leader.go).
	LeaseTTL, LeaseRenew time.Duration
}

// Daemon runs the schedule and serves health, readiness, status and metrics.
type Daemon struct {
	app     *App
	opts    DaemonOptions
	cron    *cron.Cron
	entries map[string]cron.EntryID
	// busy is held by the running job: runs never overlap.
	busy sync.Mutex
	// running names the job holding busy ("" when idle).
	mu      sync.Mutex
	running string
	// jobCtx is the context of jobs: not the signal's, so that a stop lets the
	// employee at hand finish; cancelled only when the shutdown times out.
	jobCtx    context.Context
	cancelJob context.CancelFunc
	listener  net.Listener
	// lead is this replica's view of the leadership (guarded by mu).
	lead leadership
	// due caches each job's last due time found (catch-up after a takeover).
	dueMu sync.Mutex
	due   map[string]time.Time
}

// NewDaemon builds the daemon of an app; the app needs Options.Metrics.
func NewDaemon(a *App, opts DaemonOptions) (*Daemon, error) {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.LeaseRenew <= 0 || opts.LeaseRenew >= opts.LeaseTTL {
		opts.LeaseRenew = min(DefaultLeaseRenew, opts.LeaseTTL/3)
	}
	if opts.Parser == nil {
		opts.Parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	}
	if a.metrics == nil {
		a.metrics = NewMetrics()
	}
	d := &Daemon{app: a, opts: opts, entries: map[string]cron.EntryID{}, due: map[string]time.Time{}}
	d.jobCtx, d.cancelJob = context.WithCancel(context.Background())
	d.cron = cron.New(cron.WithLocation(a.cfg.CompanyLocation()), cron.WithParser(opts.Parser))
	sched := a.cfg.Schedule
	jobs := []struct {
		name, spec string
		run        func(ctx context.Context) error
	}{
		{JobPoll, sched.Poll, func(ctx context.Context) error { return d.pass(ctx, KindSync) }},
		{JobCloseDay, sched.CloseDay, d.closeDay},
		{JobSummary, sched.Summary, d.summary},
	}
	if len(a.cfg.Reminders) > 0 && a.notifier != nil {
		// Reminders are due at local times in every employee's zone: a
		// check each minute sends what has come due.
		jobs = append(jobs, struct {
			name, spec string
			run        func(ctx context.Context) error
		}{JobRemind, "@every 1m", d.remind})
	}
	for _, j := range jobs {
		if j.spec == "" {
			continue
		}
		id, err := d.cron.AddFunc(j.spec, d.wrap(j.name, j.run))
		if err != nil {
			return nil, fmt.Errorf("schedule.%s %q: %w", j.name, j.spec, err)
		}
		d.entries[j.name] = id
	}
	return d, nil
}

// today is the pass date of a scheduled run: today in the company time zone.
func (d *Daemon) today() day.Date { return day.Today(d.app.now(), d.app.cfg.CompanyLocation()) }

// pass runs one pass for today. With a summary schedule of its own the pass
// leaves the summary to it.
func (d *Daemon) pass(ctx context.Context, kind string) error {
	_, err := d.app.Sync(ctx, d.today(), PassOptions{Kind: kind, noSummary: d.app.cfg.Schedule.Summary != ""})
	return err
}

// closeDay closes today and sends the manager's digest.
func (d *Daemon) closeDay(ctx context.Context) error {
	if err := d.pass(ctx, KindCloseDay); err != nil {
		return err
	}
	_, err := d.app.Digest(ctx, d.today())
	return err
}

// remind sends the reminders that have come due; when some are, a pass runs
// first so that a report written minutes ago is not reminded about.
func (d *Daemon) remind(ctx context.Context) error {
	if !d.app.remindersDue(ctx) {
		return nil
	}
	if err := d.pass(ctx, KindSync); err != nil && !errors.Is(err, ErrLocked) {
		return err
	}
	_, err := d.app.Remind(ctx)
	return err
}

// summary writes the summary of today's window.
func (d *Daemon) summary(ctx context.Context) error {
	if res := d.app.writeSummary(ctx, d.today()); res != nil && res.Error != "" {
		return errors.New(res.Error)
	}
	return nil
}

// wrap makes a scheduled job skip when another is running, recover from a
// panic, and log its outcome.
func (d *Daemon) wrap(name string, run func(ctx context.Context) error) func() {
	log := d.app.log.With().Str("job", name).Logger()
	return func() {
		if !d.leading() {
			log.Debug().Msg("skipped: another replica leads")
			return
		}
		if !d.busy.TryLock() {
			d.mu.Lock()
			other := d.running
			d.mu.Unlock()
			log.Warn().Str("running", other).Msg("skipped: the previous run is still going")
			d.app.metrics.skip(name)
			return
		}
		defer d.busy.Unlock()
		d.setRunning(name)
		defer d.setRunning("")
		defer func() {
			if r := recover(); r != nil {
				d.app.metrics.panicked()
				log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("job panicked; the daemon goes on")
			}
		}()
		if d.app.stopRequested() {
			return
		}
		switch err := run(d.jobCtx); {
		case err == nil:
		case errors.Is(err, ErrLocked):
			log.Warn().Err(err).Msg("skipped: another process is running a pass on this database")
		case errors.Is(err, ErrStopped), errors.Is(err, context.Canceled):
			log.Warn().Err(err).Msg("run stopped")
		default:
			log.Error().Err(err).Msg("run failed")
		}
	}
}

func (d *Daemon) setRunning(name string) {
	d.mu.Lock()
	d.running = name
	d.mu.Unlock()
}

// Addr is the address the HTTP server listens on (after Run started it).
func (d *Daemon) Addr() string {
	if d.listener == nil {
		return ""
	}
	return d.listener.Addr().String()
}

// Listen opens the HTTP listener (Run does it when not done before).
func (d *Daemon) Listen() error {
	if d.listener != nil {
		return nil
	}
	if d.opts.Listener != nil {
		d.listener = d.opts.Listener
		return nil
	}
	l, err := net.Listen("tcp", d.app.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen: %w", err)
	}
	d.listener = l
	return nil
}

// Run runs the schedule and the HTTP server until ctx ends (SIGINT/SIGTERM),
// then stops: no new runs, the running pass finishes the employee at hand
// (its records stay in the outbox for the next pass), and Run returns within
// ShutdownTimeout plus a moment.
func (d *Daemon) Run(ctx context.Context) error {
	if err := d.Listen(); err != nil {
		return err
	}
	srv := &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(d.listener) }()
	leadCtx, stopLeading := context.WithCancel(context.Background())
	defer stopLeading()
	led := make(chan struct{})
	if d.ha() {
		// Ask for the lease before the first scheduled run can come due.
		go d.leadLoop(leadCtx, led)
	} else {
		close(led)
	}
	d.cron.Start()
	log := d.app.log
	log.Info().Str("listen", d.Addr()).Str("instance", d.app.instance).Interface("next", d.nextRuns()).Msg("daemon started")

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("http: %w", err)
	}
	log.Info().Msg("stopping: no new runs; the running pass finishes its employee")
	d.app.RequestStop()
	stopped := d.cron.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(d.opts.ShutdownTimeout):
		log.Warn().Dur("after", d.opts.ShutdownTimeout).Msg("the running pass did not stop in time; cancelling it")
		d.cancelJob()
		<-stopped.Done()
	}
	d.cancelJob()
	// Give the lease up: another replica takes over at its next renewal.
	stopLeading()
	<-led
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shut); serr != nil && err == nil {
		err = fmt.Errorf("http: %w", serr)
	}
	log.Info().Msg("daemon stopped")
	return err
}

// nextRuns is when each job runs next.
func (d *Daemon) nextRuns() map[string]time.Time {
	out := map[string]time.Time{}
	for name, id := range d.entries {
		if e := d.cron.Entry(id); e.Valid() {
			out[name] = e.Schedule.Next(d.app.now().In(d.app.cfg.CompanyLocation()))
		}
	}
	return out
}
