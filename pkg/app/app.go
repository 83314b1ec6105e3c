package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/feedback"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
	sheetsummary "github.com/dayreport/dayreport/pkg/summary/gsheet"
)

// DefaultConfigPath is read when --config and $DAYREPORT_CONFIG are not given.
const DefaultConfigPath = "dayreport.yaml"

// Options are what the command line (or a test) adds to the configuration.
type Options struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Log receives the structured log; default: discarded.
	Log zerolog.Logger
	// DryRun reads and validates only: nothing is written anywhere.
	DryRun bool
	// Adapter replaces the configured CRM adapter (tests).
	Adapter crm.Adapter
	// WrapSource, when set, wraps the report source (instrumentation, tests).
	WrapSource func(source.Source) source.Source
	// WrapAdapter, when set, wraps the adapter in use (instrumentation, fault
	// injection in tests).
	WrapAdapter func(crm.Adapter) crm.Adapter
	// Google, when set, adjusts the Google clients' options (tests: fast
	// backoff, the fake's HTTP client).
	Google func(*google.Options)
	// CRMTimeout bounds one CRM request (0: each adapter's default).
	CRMTimeout time.Duration
	// Notifier, when set, replaces the channels of notify: (tests).
	Notifier notify.Notifier
	// Console receives the console channel's messages (notify.console).
	Console io.Writer
	// Metrics, when set, records passes, reports and pushes (the daemon's /metrics).
	Metrics *Metrics
	// Sleep is the Retrier's wait (tests make it instant).
	Sleep func(ctx context.Context, d time.Duration) error
	// ClaimTTL is how long a pass's claim on the outbox records it is pushing
	// keeps other pushers off them without being extended (default 30 s; the
	// pass extends its claims every third of it while it pushes). On
	// PostgreSQL a pass that dies holding claims delays those records by at
	// most this much; on SQLite the next pass frees them at once.
	ClaimTTL time.Duration
	// Instance names this process among replicas (default host/pid/random):
	// the holder of outbox claims and of the leader lease.
	Instance string
}

// DefaultClaimTTL is Options.ClaimTTL's default.
const DefaultClaimTTL = 30 * time.Second

// App is dayreport wired from one configuration.
type App struct {
	cfg      *config.Config
	tmpl     *report.Template
	cal      *calendar.Calendar
	deadline calendar.Deadline
	store    *store.Store
	source   source.Source
	adapter  crm.Adapter
	pusher   *crm.Retrier
	now      func() time.Time
	log      zerolog.Logger
	dryRun   bool
	lang     string
	metrics  *Metrics
	// watch tells unchanged Google documents (nil for local files).
	watch *watcher
	// rosterSrc reads the roster tab (roster: sheet); roster is the last read.
	rosterSrc *rosterReader
	rosterMu  sync.Mutex
	roster    []config.Employee
	// sheetWriter writes the summary into summary.spreadsheet (nil: none).
	sheetWriter *sheetsummary.Writer
	// notifier sends reminders and the digest (nil: nothing to send).
	notifier notify.Notifier
	// comments keeps Doc comments on invalid reports (nil: feedback.doc_comments off).
	comments *feedback.Commenter
	// stop asks a running pass to finish the employee at hand and take no more.
	stop atomic.Bool
	// instance names this process among replicas; claimTTL bounds its outbox
	// claims (see Options).
	instance string
	claimTTL time.Duration
}

// LoadTemplate returns the template a config names: a built-in name or a file.
func LoadTemplate(ref string) (*report.Template, error) {
	if !config.IsTemplatePath(ref) {
		return report.Builtin(ref)
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	t, err := report.ParseTemplate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return t, nil
}

// NewCalendar builds the working-day calendar of the configuration.
func NewCalendar(c config.Calendar) (*calendar.Calendar, error) {
	opts := calendar.Options{Country: c.Country, Holidays: c.Holidays, Workdays: c.Workdays}
	for _, w := range c.Weekdays {
		wd, err := calendar.ParseWeekday(w)
		if err != nil {
			return nil, err
		}
		opts.Weekdays = append(opts.Weekdays, wd)
	}
	return calendar.New(opts)
}

// New wires the app: template, calendar, state database, source and adapter.
// Close it when done.
func New(ctx context.Context, cfg *config.Config, opts Options) (*App, error) {
	a := &App{cfg: cfg, now: opts.Now, log: opts.Log, dryRun: opts.DryRun, lang: cfg.Lang(), metrics: opts.Metrics}
	if a.now == nil {
		a.now = time.Now
	}
	a.instance, a.claimTTL = opts.Instance, opts.ClaimTTL
	if a.instance == "" {
		a.instance = newInstanceID()
	}
	if a.claimTTL <= 0 {
		a.claimTTL = DefaultClaimTTL
	}
	var err error
	if a.tmpl, err = LoadTemplate(cfg.Template); err != nil {
		return nil, err
	}
	if a.cal, err = NewCalendar(cfg.Calendar); err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	a.deadline = calendar.Deadline{Hour: cfg.Deadline.Time.Hour, Minute: cfg.Deadline.Time.Minute, Grace: cfg.Deadline.Grace.D()}
	// The store and the source follow a.now even when a replay moves it.
	clock := func() time.Time { return a.now() }
	if a.store, err = openStore(ctx, cfg, clock, opts.DryRun); err != nil {
		return nil, err
	}
	if a.source, a.watch, err = newSource(ctx, cfg, clock, a.metrics, opts.Google); err != nil {
		_ = a.store.Close()
		return nil, err
	}
	if opts.WrapSource != nil {
		a.source = opts.WrapSource(a.source)
	}
	if cfg.Summary.Spreadsheet != "" && !opts.DryRun {
		if a.sheetWriter, err = newSheetWriter(ctx, cfg, a.metrics, opts.Google); err != nil {
			_ = a.store.Close()
			return nil, err
		}
	}
	if cfg.Feedback.DocComments && !opts.DryRun {
		if a.watch == nil {
			a.log.Warn().Msg("feedback.doc_comments: the reports are local files, not Google Docs; no comments")
		} else if a.comments, err = newCommenter(ctx, cfg, a.metrics, opts.Google); err != nil {
			_ = a.store.Close()
			return nil, err
		} else {
			a.comments.Ledger = a.store
		}
	}
	a.notifier = opts.Notifier
	if a.notifier == nil {
		console := opts.Console
		if console == nil {
			console = io.Discard
		}
		if a.notifier, err = notify.FromConfig(cfg.Notify, console); err != nil {
			_ = a.store.Close()
			return nil, err
		}
	}
	if cfg.Roster == config.RosterSheet {
		if a.rosterSrc, err = newRosterReader(ctx, cfg, a.metrics, opts.Google); err != nil {
			_ = a.store.Close()
			return nil, err
		}
	}
	a.adapter = opts.Adapter
	if a.adapter == nil {
		if a.adapter, err = newAdapter(cfg, a.store, opts.CRMTimeout); err != nil {
			_ = a.store.Close()
			return nil, err
		}
	}
	if err := a.loadFacts(ctx); err != nil {
		_ = a.store.Close()
		return nil, err
	}
	if opts.WrapAdapter != nil {
		a.adapter = opts.WrapAdapter(a.adapter)
	}
	a.pusher = &crm.Retrier{Adapter: a.adapter, Sleep: opts.Sleep, OnRetry: func(key string, attempt int, wait time.Duration, err error) {
		a.log.Warn().Str("key", key).Int("attempt", attempt).Dur("wait", wait).Err(err).Msg("crm push failed; retrying")
	}}
	return a, nil
}

// newInstanceID is host/pid/random: unique among replicas and restarts.
func newInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", strings.Join(strings.Fields(host), "_"), os.Getpid(), hex.EncodeToString(b))
}

// Instance names this process among replicas (leader lease, outbox claims).
func (a *App) Instance() string { return a.instance }

// Close releases the state database.
func (a *App) Close() error { return a.store.Close() }

// Store exposes the state database (status pages, tests).
func (a *App) Store() *store.Store { return a.store }

// Template is the report template in use.
func (a *App) Template() *report.Template { return a.tmpl }

// openStore opens the state database (SQLite or PostgreSQL, by state.driver).
// A dry run opens it read-only (on PostgreSQL the server itself refuses every
// write of the session), or uses an empty in-memory SQLite database when there
// is none yet, so that it writes nothing anywhere.
func openStore(ctx context.Context, cfg *config.Config, now func() time.Time, dryRun bool) (*store.Store, error) {
	opts := store.Options{Now: now, ReadOnly: dryRun}
	s, err := store.OpenConfig(ctx, cfg.State, opts)
	if dryRun && errors.Is(err, fs.ErrNotExist) {
		return store.Open(ctx, ":memory:", store.Options{Now: now})
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return s, nil
}

// LoadConfig reads the configuration for a command. When the path was not
// given explicitly and the default file does not exist, the built-in defaults
// are used (so `dayreport check --file` works anywhere).
func LoadConfig(path string, explicit bool) (*config.Config, error) {
	cfg, err := config.Load(path, os.LookupEnv)
	if err == nil || explicit || !errors.Is(err, fs.ErrNotExist) {
		return cfg, err
	}
	dir, _ := filepath.Abs(".")
	return config.Parse([]byte("{}"), "(defaults)", dir, os.LookupEnv)
}

// ErrStopped is returned by a pass that stopped early on RequestStop.
var ErrStopped = errors.New("pass stopped on request")

// RequestStop asks the running pass (and every later one) to finish the
// employee at hand and stop: the daemon's answer to SIGTERM.
func (a *App) RequestStop() { a.stop.Store(true) }

func (a *App) stopRequested() bool { return a.stop.Load() }

// Config is the configuration the app was built from.
func (a *App) Config() *config.Config { return a.cfg }

// ErrLocked is wrapped by the error of a pass that found another pass running
// on the same state database.
var ErrLocked = store.ErrLocked
