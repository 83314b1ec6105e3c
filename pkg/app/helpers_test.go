package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/pass"
)

const demoConfig = "../../config/demo.yaml"

var (
	msk        = apptest.Msk
	newClock   = apptest.NewClock
	reportText = apptest.ReportText
	statuses   = apptest.Statuses
)

type team = apptest.Team

func newTeam(t testing.TB, yamlText string) *team { return apptest.NewTeam(t, yamlText) }

func sortedKeys[V any](m map[string]V) []string { return apptest.SortedKeys(m) }

// loadDemo reads config/demo.yaml with its state database moved to dbPath
// and its summary workbook next to it: a test never writes inside the
// repository (the demo's ../out/summary.xlsx was overwritten by every run).
func loadDemo(t testing.TB, dbPath string) *config.Config {
	t.Helper()
	cfg, err := config.Load(demoConfig, os.LookupEnv)
	require.NoError(t, err)
	cfg.State.Path = dbPath
	cfg.Summary.XLSX = filepath.Join(filepath.Dir(dbPath), "summary.xlsx")
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

// builtinRecords reads every record the builtin CRM holds, by key.
func builtinRecords(t testing.TB, a *App) map[string]crm.Record {
	t.Helper()
	return apptest.BuiltinRecords(t, a.Store())
}

// sync runs a pass for d the way `dayreport sync --date d` does.
func (a *App) sync(ctx context.Context, d day.Date) (*pass.Result, error) {
	return a.Run(ctx, pass.Request{Date: d})
}
