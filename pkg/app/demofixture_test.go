package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/pass"
)

// The replayed demo backfill is the package's most expensive step (a
// fortnight of nine employees, every day judged against its history in
// SQLite; under -race several seconds of CPU) and several tests only read
// what it leaves: its result, the state database, the builtin CRM and the
// workbook. It runs once per package; each test gets its own copy of the
// database and the workbook in its t.TempDir() and opens its own app on it,
// so a test that writes (a second backfill) touches nobody else's files.

var (
	demoOnce    sync.Once
	demoShared  demoFixture
	fixtureRoot string // removed by TestMain
)

type demoFixture struct {
	dir string               // demo.db and summary.xlsx after the backfill
	res *pass.BackfillResult // read-only: shared by parallel tests
	err error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureRoot != "" {
		_ = os.RemoveAll(fixtureRoot)
	}
	os.Exit(code)
}

// replayedDemo returns a fresh copy of the replayed demo fortnight (what
// runDemo leaves on a new database, with demoNow's clock) in the test's own
// folder: its configuration, an app opened on it, and the backfill's result
// (shared: read it, do not change it).
func replayedDemo(t *testing.T) (*config.Config, *App, *pass.BackfillResult) {
	t.Helper()
	demoOnce.Do(func() { demoShared = buildDemoFixture() })
	require.NoError(t, demoShared.err, "the shared demo backfill")
	dir := t.TempDir()
	entries, err := os.ReadDir(demoShared.dir)
	require.NoError(t, err)
	for _, e := range entries {
		copyFile(t, filepath.Join(demoShared.dir, e.Name()), filepath.Join(dir, e.Name()))
	}
	cfg := loadDemo(t, filepath.Join(dir, "demo.db"))
	a := openApp(t, cfg, Options{Now: newClock(demoNow).Now})
	return cfg, a, demoShared.res
}

func buildDemoFixture() (f demoFixture) {
	var err error
	if fixtureRoot, err = os.MkdirTemp("", "dayreport-app-demo-"); err != nil {
		return demoFixture{err: err}
	}
	f.dir = fixtureRoot
	cfg, err := config.Load(demoConfig, os.LookupEnv)
	if err != nil {
		return demoFixture{err: err}
	}
	cfg.State.Path = filepath.Join(f.dir, "demo.db")
	cfg.Summary.XLSX = filepath.Join(f.dir, "summary.xlsx")
	ctx := context.Background()
	a, err := New(ctx, cfg, Options{Now: newClock(demoNow).Now, Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		return demoFixture{err: err}
	}
	f.res, f.err = a.Backfill(ctx, demoFrom, demoTo, pass.BackfillOptions{Replay: true})
	if err := a.Close(); err != nil && f.err == nil {
		f.err = fmt.Errorf("close: %w", err)
	}
	return f
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer func() { _ = in.Close() }()
	out, err := os.Create(to)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}
