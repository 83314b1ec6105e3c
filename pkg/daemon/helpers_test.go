package daemon

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
)

var (
	msk        = apptest.Msk
	newClock   = apptest.NewClock
	reportText = apptest.ReportText
	wednesday  = day.MustParse("2026-11-25")
)

type team = apptest.Team

func newTeam(t testing.TB, yamlText string) *team { return apptest.NewTeam(t, yamlText) }

// testApp is an app wired with the daemon's metrics as its observer.
type testApp struct {
	*app.App
	metrics *Metrics
}

// openApp wires an app with fresh metrics and closes it with the test.
func openApp(t testing.TB, cfg *config.Config, opts app.Options) *testApp {
	t.Helper()
	m := NewMetrics()
	opts.Observer, opts.OnGoogleRequest = m, m.GoogleRequest
	if opts.Sleep == nil {
		opts.Sleep = func(context.Context, time.Duration) error { return nil }
	}
	a, err := app.New(t.Context(), cfg, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return &testApp{App: a, metrics: m}
}

func builtinRecords(t testing.TB, a *testApp) map[string]crm.Record {
	t.Helper()
	return apptest.BuiltinRecords(t, a.Store())
}
