package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/store"
)

// IdleTimeout closes an HTTP connection idle for this long.
const IdleTimeout = 2 * time.Minute

// Job names of the schedule (SPEC §9).
const (
	JobPoll     = "poll"
	JobCloseDay = "close_day"
	JobSummary  = "summary"
	JobRemind   = "remind"
)

// Options tune `dayreport run`.
type Options struct {
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
	// IdleTimeout closes an idle HTTP connection (default IdleTimeout).
	IdleTimeout time.Duration
}

// Daemon runs the schedule and serves health, readiness, status and metrics.
type Daemon struct {
	e       *pass.Engine
	metrics *Metrics
	log     zerolog.Logger
	opts    Options
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
	// catching counts catch-up jobs running in the background.
	catching sync.WaitGroup
	// skips counts scheduled runs skipped, and says why the last one was
	// (guarded by mu): /status shows it, /readyz fails while the pass lock
	// keeps the schedule from running.
	skips skips
}

// skips are the scheduled runs skipped, for /status.
type skips struct {
	// Busy: the previous run was still going; Locked: another process held
	// the pass lock on the state database.
	Busy   int `json:"busy"`
	Locked int `json:"locked"`
	// Last is the latest skip; LockedNow is set while the latest run of the
	// schedule found the pass lock held (cleared by the next run that ran).
	Last      *skip `json:"last,omitempty"`
	LockedNow bool  `json:"locked_now,omitempty"`
}

type skip struct {
	Job    string    `json:"job"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

func (d *Daemon) skipped(job, reason string, locked bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if locked {
		d.skips.Locked++
		d.skips.LockedNow = true
	} else {
		d.skips.Busy++
	}
	d.skips.Last = &skip{Job: job, At: d.e.Now(), Reason: reason}
}

// New builds the daemon of a pass engine; its metrics are the engine's
// Observer (pkg/app wires both).
func New(e *pass.Engine, m *Metrics, opts Options) (*Daemon, error) {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = IdleTimeout
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.LeaseRenew <= 0 || opts.LeaseRenew >= opts.LeaseTTL {
		opts.LeaseRenew = min(DefaultLeaseRenew, opts.LeaseTTL/3)
	}
	fields := 5
	if opts.Parser == nil {
		opts.Parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	} else if _, err := opts.Parser.Parse("* * * * * *"); err == nil {
		fields = 6 // a parser with seconds (tests)
	}
	if m == nil {
		m = NewMetrics()
	}
	d := &Daemon{e: e, metrics: m, log: e.Log, opts: opts, entries: map[string]cron.EntryID{}, due: map[string]time.Time{}}
	d.jobCtx, d.cancelJob = context.WithCancel(context.Background())
	d.cron = cron.New(cron.WithLocation(e.Config.CompanyLocation()), cron.WithParser(opts.Parser))
	sched := e.Config.Schedule
	type job struct {
		name, spec string
		run        func(ctx context.Context) error
	}
	jobs := []job{
		{JobPoll, sched.Poll, func(ctx context.Context) error { return d.pass(ctx, pass.KindSync) }},
		{JobCloseDay, sched.CloseDay, func(ctx context.Context) error { return d.pass(ctx, pass.KindCloseDay) }},
		{JobSummary, sched.Summary, d.summary},
	}
	if len(e.Config.Reminders) > 0 && e.Notifier != nil {
		// Reminders are due at local times in every employee's zone: a
		// check each minute runs a pass (which sends them) when one is due.
		jobs = append(jobs, job{JobRemind, "@every 1m", d.remind})
	}
	var names []string
	for _, j := range jobs {
		names = append(names, j.name)
	}
	adapter := ""
	if e.Adapter != nil {
		adapter = e.Adapter.Name()
	}
	m.start(adapter, names)
	for _, j := range jobs {
		if j.spec == "" {
			continue
		}
		id, err := d.cron.AddFunc(anyWeekday(j.spec, fields), d.wrap(j.name, j.run))
		if err != nil {
			return nil, fmt.Errorf("schedule.%s %q: %w", j.name, j.spec, err)
		}
		d.entries[j.name] = id
	}
	return d, nil
}

// cronFields splits a cron expression into its time zone prefix ("TZ=…
// " or "CRON_TZ=… ", "" when none) and its fields; fields is nil for a
// descriptor (@daily, @every 1m).
func cronFields(spec string) (prefix string, fields []string) {
	s := strings.TrimSpace(spec)
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		tz, rest, _ := strings.Cut(s, " ")
		prefix, s = tz+" ", strings.TrimSpace(rest)
	}
	if strings.HasPrefix(s, "@") {
		return prefix, nil
	}
	return prefix, strings.Fields(s)
}

// anyWeekday replaces the day-of-week field of a cron expression of n
// fields (5, or 6 with seconds) with "*": the production calendar, not the
// cron field, decides which days are working days, so a transferred working
// Saturday is polled and closed (and a pass on a holiday finds nothing due
// and does not run). Descriptors (@daily, @every 1m) are returned as they are.
func anyWeekday(spec string, n int) string {
	prefix, f := cronFields(spec)
	if len(f) != n {
		return spec
	}
	f[n-1] = "*"
	return prefix + strings.Join(f, " ")
}

// HasWeekdayField reports whether a five-field cron expression restricts
// the day of the week (config check warns: the calendar decides).
func HasWeekdayField(spec string) bool {
	_, f := cronFields(spec)
	return len(f) == 5 && f[4] != "*" && f[4] != "?"
}

// pass runs one pass of the kind for today, in each employee's own zone,
// unless nothing is due (a holiday with every past day closed). With a
// summary schedule of its own the pass leaves the summary to it.
func (d *Daemon) pass(ctx context.Context, kind string) error {
	idle, err := d.e.Idle(ctx)
	if err != nil {
		return err
	}
	if idle {
		d.log.Debug().Str("kind", kind).Msg("skipped: no working day and nothing to close")
		return nil
	}
	_, err = d.e.Run(ctx, pass.Request{Kind: kind, NoSummary: d.e.Config.Schedule.Summary != ""})
	return err
}

// remind runs a pass when a reminder has come due; the pass sends it (after
// reading the documents, so that a report written minutes ago is not
// reminded about).
func (d *Daemon) remind(ctx context.Context) error {
	if !d.e.RemindersDue(ctx) {
		return nil
	}
	_, err := d.e.Run(ctx, pass.Request{Kind: pass.KindSync, NoSummary: d.e.Config.Schedule.Summary != ""})
	return err
}

// summary writes the summary of the newest window.
func (d *Daemon) summary(ctx context.Context) error {
	if res := d.e.RefreshSummary(ctx); res != nil && res.Error != "" {
		return errors.New(res.Error)
	}
	return nil
}

// wrap makes a scheduled job skip when another is running, recover from a
// panic, and log its outcome.
func (d *Daemon) wrap(name string, run func(ctx context.Context) error) func() {
	log := d.log.With().Str("job", name).Logger()
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
			d.metrics.skip(name)
			d.skipped(name, "the previous run ("+other+") was still going", false)
			return
		}
		defer d.busy.Unlock()
		d.setRunning(name)
		defer d.setRunning("")
		defer func() {
			if r := recover(); r != nil {
				d.metrics.panicked()
				log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("job panicked; the daemon goes on")
			}
		}()
		if d.e.StopRequested() {
			return
		}
		err := run(d.jobCtx)
		if !errors.Is(err, store.ErrLocked) {
			d.mu.Lock()
			d.skips.LockedNow = false
			d.mu.Unlock()
		}
		switch {
		case err == nil:
		case errors.Is(err, store.ErrLocked):
			log.Warn().Err(err).Msg("skipped: another process is running a pass on this database")
			d.metrics.lockedOut(name)
			d.skipped(name, err.Error(), true)
		case errors.Is(err, pass.ErrStopped), errors.Is(err, context.Canceled):
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
	l, err := net.Listen("tcp", d.e.Config.HTTP.Listen)
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
	// A client that keeps a connection open and idle (a scraper gone
	// quiet) does not hold it for ever.
	srv := &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: d.opts.IdleTimeout}
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
		// One process on one database always leads (/status says so too).
		d.metrics.leading(true, false)
		// One process on one database: what was due while it was down
		// (a close-day and its digest) runs now.
		d.catchUp()
	}
	d.cron.Start()
	d.log.Info().Str("listen", d.Addr()).Str("instance", d.e.Instance).Interface("next", d.nextRuns()).Msg("daemon started")

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		err = fmt.Errorf("http: %w", err)
	}
	d.log.Info().Msg("stopping: no new runs; the running pass finishes its employee")
	d.e.RequestStop()
	stopped := d.cron.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(d.opts.ShutdownTimeout):
		d.log.Warn().Dur("after_ms", d.opts.ShutdownTimeout).Msg("the running pass did not stop in time; cancelling it")
		d.cancelJob()
		<-stopped.Done()
	}
	d.waitCatchUp()
	d.cancelJob()
	// Give the lease up: another replica takes over at its next renewal.
	stopLeading()
	<-led
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shut); serr != nil && err == nil {
		err = fmt.Errorf("http: %w", serr)
	}
	d.log.Info().Msg("daemon stopped")
	return err
}

// nextRuns is when each job runs next.
func (d *Daemon) nextRuns() map[string]time.Time {
	out := map[string]time.Time{}
	for name, id := range d.entries {
		if e := d.cron.Entry(id); e.Valid() {
			out[name] = e.Schedule.Next(d.e.Now().In(d.e.Config.CompanyLocation()))
		}
	}
	return out
}
