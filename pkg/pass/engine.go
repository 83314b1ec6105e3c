// Package pass is dayreport's pass engine: one pass reads every employee's
// report document, judges the employee-days it must (the day ledger first:
// every working day past its deadline that no pass closed yet), stores them,
// pushes their CRM records through the outbox, verifies them, writes the
// manager summary and sends what is due (reminders, error lists, the digest).
//
// The data walk, by package: source (documents) → document (day sections) →
// report (Parse) → verdict (the day's status, and the ledger) → store →
// crm (the outbox drained through the adapter) → verify (flags) → funnel →
// summary → notify. The engine sees no API type of Google or a CRM: sources,
// adapters, summary writers and the notifier come in as interfaces, wired by
// pkg/app from the configuration.
//
// An Engine is long-lived (the daemon keeps one); each Run is a run struct of
// its own, so nothing of one pass leaks into the next.
package pass

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/httpkit"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
)

// Pass kinds, recorded in the pass history.
const (
	KindSync     = "sync"
	KindCloseDay = "close-day"
	KindBackfill = "backfill"
)

// DefaultClaimTTL is Deps.ClaimTTL's default.
const DefaultClaimTTL = 30 * time.Second

// DefaultHorizonDays is how far back the ledger closes days when the
// configuration does not say (ledger.horizon).
const DefaultHorizonDays = 31

// ErrStopped is returned by a pass that stopped early on RequestStop.
var ErrStopped = errors.New("pass stopped on request")

// ErrLocked is wrapped by the error of a pass that found another pass running
// on the same state database.
var ErrLocked = store.ErrLocked

// SummaryWriter writes the manager summary somewhere (an xlsx file, the
// manager's Google Sheet).
type SummaryWriter interface {
	// Write writes the model; a failure leaves the previous summary or none.
	Write(ctx context.Context, m *summary.Model) error
}

// Commenter keeps the Doc comment of an employee-day in line with its
// status (feedback.doc_comments).
type Commenter interface {
	Sync(ctx context.Context, r feedback.Report) (feedback.Action, error)
}

// Observer records what passes do (the daemon's Prometheus metrics). A nil
// Observer records nothing.
type Observer interface {
	// PassFinished is called once per pass with its kind, result (ok,
	// partial, failed, cancelled, stopped) and duration.
	PassFinished(kind, result string, took time.Duration, at time.Time)
	// Judged is called with the result of a pass that ran to the end.
	Judged(res *Result)
}

// Deps are what an Engine is built from (pkg/app wires them from the
// configuration).
type Deps struct {
	Config   *config.Config
	Template *report.Template
	Calendar *calendar.Calendar
	Store    *store.Store
	// Source fetches the report documents.
	Source source.Source
	// Watcher, when set, tells unchanged documents (Drive; local files).
	Watcher source.Watcher
	// Strays, when set, lists report documents no employee owns (the
	// local folder): each pass warns about them.
	Strays source.StrayFinder
	// Roster, when set, is where the employees come from (the roster tab);
	// otherwise the configuration's employees.
	Roster source.Roster
	// ChangeLog, when set, is the change log tab of the manager spreadsheet;
	// its changes follow the configuration's.
	ChangeLog source.ChangeLog
	// Plans, when set, adds the plans of the manager sheet's План tab.
	Plans source.Plans
	// Pollers learn what changed in Drive once per pass (the Drive
	// source; the manager spreadsheet's version): each forgets the last
	// pass's answers when a pass starts.
	Pollers []source.Poller
	// Adapter is the CRM; its pushes go through a crm.Retrier.
	Adapter crm.Adapter
	// Sleep is the Retrier's wait (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
	// Notifier sends reminders, error lists and the digest (nil: nothing is sent).
	Notifier notify.Notifier
	// Comments keeps Doc comments on invalid reports (nil: off).
	Comments Commenter
	// DocID names the Google Doc of an employee's report, for Comments.
	DocID func(config.Employee) (string, bool)
	// Summaries write the manager summary after each pass.
	Summaries []SummaryWriter
	// Observer records passes (nil: none).
	Observer Observer
	// Clock is the engine's time (the store and the source follow it too).
	Clock *Clock
	Log   zerolog.Logger
	// DryRun reads and validates only: nothing is written or sent anywhere.
	DryRun bool
	// Instance names this process among replicas: the holder of outbox claims.
	Instance string
	// ClaimTTL bounds the outbox claims of a pass (default DefaultClaimTTL).
	ClaimTTL time.Duration
}

// Engine runs passes. It is safe for one pass at a time (the store's pass
// lock keeps passes of every process apart); reads (Funnel, Summary) may run
// alongside.
type Engine struct {
	Deps
	pusher   *crm.Retrier
	deadline calendar.Deadline
	// stop asks a running pass to finish the employee at hand and take no more.
	stop atomic.Bool
	// stopped is closed by RequestStop: it cuts the CRM retries' waits short.
	stopped  chan struct{}
	stopOnce sync.Once
	// rosterMu guards roster, the last roster read from the roster tab.
	rosterMu sync.Mutex
	roster   []config.Employee
	// sheetPlans is what the План tab held when last read (planMu guards it).
	sheetPlans sheetPlans
	// overlay holds, in a dry run, the days the engine would have saved, so
	// that a dry backfill sees its earlier days as a real one would.
	overlay *overlay
	// batch, during a pass that writes, stages its days (see days.go).
	batch atomic.Pointer[store.DayBatch]
	// reuse is what the engine read of the store and may use again while
	// the store's change count stays (see reuse.go).
	reuse storeReuse
	// stored are the lines of the result the last pass stored (resultjson.go).
	stored storedLines
}

// New builds an engine.
func New(d Deps) *Engine {
	if d.Clock == nil {
		d.Clock = NewClock(nil)
	}
	if d.ClaimTTL <= 0 {
		d.ClaimTTL = DefaultClaimTTL
	}
	e := &Engine{Deps: d, stopped: make(chan struct{})}
	c := d.Config.Deadline
	e.deadline = calendar.Deadline{Hour: c.Time.Hour, Minute: c.Time.Minute, Grace: c.Grace.D()}
	e.pusher = &crm.Retrier{Adapter: d.Adapter, Sleep: e.stoppableSleep(d.Sleep), OnRetry: func(key string, attempt int, wait time.Duration, err error) {
		e.Log.Warn().Str("key", key).Int("attempt", attempt).Dur("wait_ms", wait).Err(err).Msg("crm push failed; retrying")
	}}
	if d.DryRun {
		e.overlay = newOverlay()
	}
	return e
}

// RequestStop asks the running pass (and every later one) to finish the
// employee at hand and stop: the daemon's answer to SIGTERM.
func (e *Engine) RequestStop() {
	e.stop.Store(true)
	e.stopOnce.Do(func() { close(e.stopped) })
}

// stoppableSleep is the CRM retries' wait (sleep, or a timer when nil),
// ended by RequestStop: after SIGTERM a push waiting to be retried is not
// waited for (it stays queued for the next pass) — the wait used to go on
// for 13 s and more.
func (e *Engine) stoppableSleep(sleep func(context.Context, time.Duration) error) func(context.Context, time.Duration) error {
	if sleep == nil {
		sleep = httpkit.Sleep
	}
	return func(ctx context.Context, d time.Duration) error {
		if e.StopRequested() {
			return ErrStopped
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-e.stopped:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := sleep(ctx, d)
		if e.StopRequested() {
			return ErrStopped
		}
		return err
	}
}

// StopRequested reports whether RequestStop was called.
func (e *Engine) StopRequested() bool { return e.stop.Load() }

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.Clock.Now() }

// Lang is the language of messages and labels (ru or en).
func (e *Engine) Lang() string { return e.Config.Lang() }

// Clock is the engine's time: the wall clock, or a moment a replay pretends
// it is. The store and the local source read it too, so that a replayed
// pass stamps its versions and sees its snapshots as of that moment.
type Clock struct {
	now func() time.Time
	mu  sync.Mutex
	at  time.Time
}

// NewClock is a clock over now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// Now is the pretended moment, or the wall clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	at := c.at
	c.mu.Unlock()
	if !at.IsZero() {
		return at
	}
	return c.now()
}

// Wall is the wall clock, whatever is pretended.
func (c *Clock) Wall() time.Time { return c.now() }

// pretending reports whether a replay pretends a moment now.
func (c *Clock) pretending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.at.IsZero()
}

// pretend makes Now answer t until restore is called.
func (c *Clock) pretend(t time.Time) (restore func()) {
	c.mu.Lock()
	prev := c.at
	c.at = t
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.at = prev
		c.mu.Unlock()
	}
}
