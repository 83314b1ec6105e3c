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
	"time"

	"github.com/rs/zerolog"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/notify"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/store"
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
	// Observer, when set, records passes (the daemon's metrics).
	Observer pass.Observer
	// OnGoogleRequest, when set, counts every Google API request by API and
	// HTTP code (the daemon's metrics).
	OnGoogleRequest func(api string, code int)
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

// App is dayreport wired from one configuration: the pass engine with its
// state database, source, CRM adapter, summary writers and notifier.
type App struct {
	*pass.Engine
	store *store.Store
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

// NewCalendar builds the working-day calendar of the configuration: the
// weekly pattern, the shipped production calendar, the overrides, and the
// years the configuration declares.
func NewCalendar(c config.Calendar) (*calendar.Calendar, error) {
	opts := calendar.Options{Country: c.Country, Holidays: c.Holidays, Workdays: c.Workdays}
	for _, w := range c.Weekdays {
		wd, err := calendar.ParseWeekday(w)
		if err != nil {
			return nil, err
		}
		opts.Weekdays = append(opts.Weekdays, wd)
	}
	for _, y := range c.Years {
		opts.Declared = append(opts.Declared, y.Year)
		opts.Holidays = append(opts.Holidays, y.Holidays...)
		opts.Workdays = append(opts.Workdays, y.Workdays...)
	}
	return calendar.New(opts)
}

// New wires the app: template, calendar, state database, source, adapter,
// summary writers and notifier. Close it when done.
func New(ctx context.Context, cfg *config.Config, opts Options) (a *App, err error) {
	instance, claimTTL := opts.Instance, opts.ClaimTTL
	if instance == "" {
		instance = newInstanceID()
	}
	deps := pass.Deps{Config: cfg, Log: opts.Log, DryRun: opts.DryRun, Clock: pass.NewClock(opts.Now), Sleep: opts.Sleep,
		Observer: opts.Observer, Instance: instance, ClaimTTL: claimTTL}
	if deps.Template, err = LoadTemplate(cfg.Template); err != nil {
		return nil, configError(err)
	}
	if err := CheckChanges(cfg, deps.Template); err != nil {
		return nil, configError(err)
	}
	if deps.Calendar, err = NewCalendar(cfg.Calendar); err != nil {
		return nil, configError(fmt.Errorf("calendar: %w", err))
	}
	// The store and the source follow the engine's clock, even when a
	// replay moves it.
	clock := deps.Clock.Now
	if deps.Store, err = openStore(ctx, cfg, clock, opts.DryRun); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = deps.Store.Close()
		}
	}()
	g := googleWiring{cfg: cfg, onRequest: opts.OnGoogleRequest, tune: opts.Google}.shared()
	// The sources, the summary writers and the commenter are built from
	// the configuration and the credentials file it names; nothing is
	// asked of Google yet.
	if err := wireSources(ctx, &deps, &g, clock, opts.WrapSource); err != nil {
		return nil, configError(err)
	}
	if err := wireSummaries(ctx, &deps, g); err != nil {
		return nil, configError(err)
	}
	if err := wireComments(ctx, &deps, g); err != nil {
		return nil, configError(err)
	}
	deps.Notifier = opts.Notifier
	if deps.Notifier == nil {
		console := opts.Console
		if console == nil {
			console = io.Discard
		}
		if deps.Notifier, err = notify.FromConfig(cfg.Notify, console); err != nil {
			return nil, configError(err)
		}
	}
	deps.Adapter = opts.Adapter
	if deps.Adapter == nil {
		if deps.Adapter, err = newAdapter(cfg, deps.Store, opts.CRMTimeout); err != nil {
			return nil, configError(err)
		}
	}
	if err := loadFacts(ctx, deps); err != nil {
		return nil, err
	}
	if opts.WrapAdapter != nil {
		deps.Adapter = opts.WrapAdapter(deps.Adapter)
	}
	return &App{Engine: pass.New(deps), store: deps.Store}, nil
}

// ConfigError is a failure of New that the configuration causes, or a file
// it names (a template, the facts CSV, Google's credentials): running again
// unchanged fails the same way, so the command exits 2 and a supervisor does
// not restart it. Every other failure of New — the state database, the
// disk, the network — may pass by itself: exit 1, and the unit restarts.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// IsConfigError reports whether err is (or wraps) a ConfigError.
func IsConfigError(err error) bool {
	var c *ConfigError
	return errors.As(err, &c)
}

func configError(err error) error {
	if err == nil || IsConfigError(err) {
		return err
	}
	return &ConfigError{Err: err}
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

// Close releases the state database.
func (a *App) Close() error { return a.store.Close() }

// Store exposes the state database (status pages, tests).
func (a *App) Store() *store.Store { return a.store }

// openStore opens the state database (SQLite or PostgreSQL, by state.driver).
// A dry run opens it read-only (on PostgreSQL the server itself refuses every
// write of the session), or uses an empty in-memory database when there is
// none yet, so that it writes nothing anywhere.
func openStore(ctx context.Context, cfg *config.Config, now func() time.Time, dryRun bool) (*store.Store, error) {
	opts := store.Options{Now: now, ReadOnly: dryRun}
	s, err := store.OpenConfig(ctx, cfg.State, opts)
	if dryRun && errors.Is(err, fs.ErrNotExist) {
		return store.Open(ctx, ":memory:", store.Options{Now: now})
	}
	if errors.Is(err, store.ErrConfig) || errors.Is(err, store.ErrNewerSchema) {
		return nil, configError(fmt.Errorf("state: %w", err))
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
var ErrStopped = pass.ErrStopped

// ErrLocked is wrapped by the error of a pass that found another pass running
// on the same state database.
var ErrLocked = store.ErrLocked
