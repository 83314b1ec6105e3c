package app

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
)

// The crash child is this test binary re-executed: it runs the demo backfill
// on the database named by crashDBEnv and, when crashAfterEnv is set, kills
// itself with SIGKILL right after the adapter's n-th Upsert call returned
// (the CRM holds the records, the outbox does not know yet) or, with
// crashBeforeEnv, right before the n-th call.
const (
	crashChildEnv  = "DAYREPORT_CRASH_CHILD"
	crashDBEnv     = "DAYREPORT_CRASH_DB"
	crashAfterEnv  = "DAYREPORT_CRASH_AFTER_UPSERT"
	crashBeforeEnv = "DAYREPORT_CRASH_BEFORE_UPSERT"
)

// killingAdapter SIGKILLs the process around its n-th Upsert.
type killingAdapter struct {
	crm.Adapter
	calls         atomic.Int64
	before, after int64
}

func (k *killingAdapter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	n := k.calls.Add(1)
	if n == k.before {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	res := k.Adapter.Upsert(ctx, pushes)
	if n == k.after {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	return res
}

func envInt(name string) int64 {
	n, _ := strconv.ParseInt(os.Getenv(name), 10, 64)
	return n
}

// TestCrashChild is not a test by itself: it is the body of the subprocess.
func TestCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) != "1" {
		t.Skip("the body of TestCrashAndRerun's subprocess")
	}
	cfg := loadDemo(t, os.Getenv(crashDBEnv))
	wrap := func(a crm.Adapter) crm.Adapter {
		return &killingAdapter{Adapter: a, before: envInt(crashBeforeEnv), after: envInt(crashAfterEnv)}
	}
	a := openApp(t, cfg, Options{Now: newClock(demoNow).Now, WrapAdapter: wrap})
	runDemo(t, a)
}

// TestCrashAndRerun kills a real subprocess with SIGKILL in the middle of the
// demo backfill, at fixed points around CRM pushes and at timed moments, then
// reruns it: the builtin CRM must end with exactly one record per
// employee-day, each with the latest values, and a further rerun pushes nothing.
func TestCrashAndRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	t.Parallel()
	golden, err := os.ReadFile(demoGolden)
	require.NoError(t, err)
	var want map[string]goldenRecord
	require.NoError(t, json.Unmarshal(golden, &want))

	type point struct {
		name string
		env  []string
		kill time.Duration // SIGKILL from outside after this long; 0 = none
	}
	points := []point{
		{name: "before-first-push", env: []string{crashBeforeEnv + "=1"}},
		{name: "after-first-push", env: []string{crashAfterEnv + "=1"}},
		{name: "after-third-push", env: []string{crashAfterEnv + "=3"}},
		{name: "before-late-update", env: []string{crashBeforeEnv + "=9"}},
		{name: "after-last-push", env: []string{crashAfterEnv + "=9"}},
	}
	for _, ms := range []int{30, 80, 150, 300} {
		points = append(points, point{name: "timed-" + strconv.Itoa(ms) + "ms", kill: time.Duration(ms) * time.Millisecond})
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "demo.db")
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashDBEnv+"="+db)
			cmd.Env = append(cmd.Env, p.env...)
			require.NoError(t, cmd.Start())
			if p.kill > 0 {
				timer := time.AfterFunc(p.kill, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
				defer timer.Stop()
			}
			err := cmd.Wait()
			if p.kill == 0 {
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, "the child must have been killed")
				status, ok := exit.Sys().(syscall.WaitStatus)
				require.True(t, ok)
				require.Equal(t, syscall.SIGKILL, status.Signal())
			}

			// Rerun to completion in-process on what the crash left behind.
			cfg := loadDemo(t, db)
			a := openApp(t, cfg, Options{Now: newClock(demoNow).Now})
			if _, err := os.Stat(db); err == nil {
				passes, err := a.Store().LastPasses(t.Context(), 100)
				require.NoError(t, err)
				t.Logf("the crash left %d passes and %d records", len(passes), len(builtinRecords(t, a)))
			}
			runDemo(t, a)
			got := map[string]goldenRecord{}
			for k, r := range builtinRecords(t, a) {
				got[k] = goldenRecord{Status: r.Status, Metrics: r.Metrics, Notes: r.Notes, LongTerm: r.LongTerm, Errors: r.Errors, Flags: r.Flags}
			}
			require.Equal(t, want, got)
			depth, err := a.Store().OutboxDepth(t.Context(), "builtin")
			require.NoError(t, err)
			require.Zero(t, depth)

			again := runDemo(t, a)
			require.Zero(t, again.CRM.Pushed)
		})
	}
}
