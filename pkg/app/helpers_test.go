package app

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/builtin"
	"github.com/dayreport/dayreport/pkg/day"
)

const demoConfig = "../../config/demo.yaml"

var moscow = mustLocation("Europe/Moscow")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// msk is a wall-clock time in Moscow.
func msk(date string, hour, minute int) time.Time {
	d := day.MustParse(date)
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, moscow)
}

// loadDemo reads config/demo.yaml with its state database moved to dbPath.
func loadDemo(t testing.TB, dbPath string) *config.Config {
	t.Helper()
	cfg, err := config.Load(demoConfig, os.LookupEnv)
	require.NoError(t, err)
	cfg.State.Path = dbPath
	return cfg
}

// openApp wires an app and closes it with the test.
func openApp(t testing.TB, cfg *config.Config, opts Options) *App {
	t.Helper()
	if opts.Sleep == nil {
		opts.Sleep = func(context.Context, time.Duration) error { return nil }
	}
	a, err := New(t.Context(), cfg, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// builtinRecords reads every record the builtin CRM holds, by key, and fails
// the test on a key stored twice.
func builtinRecords(t testing.TB, a *App) map[string]crm.Record {
	t.Helper()
	list, err := a.Store().BuiltinList(t.Context())
	require.NoError(t, err)
	out := make(map[string]crm.Record, len(list))
	for _, r := range list {
		rec, err := builtin.Decode(r.Record)
		require.NoError(t, err)
		require.Equal(t, r.Key, rec.Key)
		_, dup := out[r.Key]
		require.False(t, dup, "key %s stored twice", r.Key)
		out[r.Key] = rec
	}
	return out
}

// team is a temporary folder of local reports with a config over it.
type team struct {
	dir string
	cfg *config.Config
}

func newTeam(t testing.TB, yamlText string) *team {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "reports")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	full := "local: {dir: reports}\nstate: {path: state.db}\ncrm: {adapter: builtin}\n" + yamlText
	cfg, err := config.Parse([]byte(full), "team.yaml", root, func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	return &team{dir: dir, cfg: cfg}
}

func (tm *team) write(t testing.TB, name, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(tm.dir, name), []byte(text), 0o644))
}

// statuses maps employee id to status in a pass result.
func statuses(res *PassResult) map[string]string {
	out := map[string]string{}
	for _, e := range res.Employees {
		out[e.ID] = string(e.Status)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
