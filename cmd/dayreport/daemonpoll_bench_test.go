package main

import (
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app"
	"github.com/dayreport/dayreport/pkg/daemon"
	"github.com/dayreport/dayreport/pkg/pass"
)

// The daemon's unchanged poll, beside the subprocess's: `dayreport run`
// decodes the configuration and opens the state database once, and each
// poll is a pass of the engine it keeps (pkg/daemon: Idle, then Run with
// today's date in each employee's zone). A cron `dayreport sync` pays the
// process's start, the configuration and the store's opening every poll;
// the daemon does not. BenchmarkScale measures both.

// daemonPollsDefault is how many quiet daemon polls BenchmarkScale
// measures when DAYREPORT_SCALE_DAEMON_POLLS does not say.
const daemonPollsDefault = 7

// daemonPolls is how many quiet polls of the in-process daemon
// BenchmarkScale measures (DAYREPORT_SCALE_DAEMON_POLLS; 0: none).
func daemonPolls(b *testing.B) int {
	return envInt(b, "DAYREPORT_SCALE_DAEMON_POLLS", daemonPollsDefault)
}

// runDaemonPolls builds the app from cfg as `dayreport run` does, in this
// process, and runs polls+1 sync passes as the daemon's poll does, the
// moment advancing two minutes a pass from at. The first is the warm-up
// (the subprocess passes before it asked for an explicit date, so it is no
// quiet poll, and it reads what the third pass left changed); the CPU time
// (getrusage of this process, every thread) of each of the others is
// returned. DAYREPORT_SCALE_CPUPROFILE=/tmp/p profiles them into /tmp/p.daemon.
// Then, changedPolls times, change(k) edits a report (the k-th time, after
// a quiet poll) and one more poll's CPU time goes to changed (the daemon's
// poll after one employee corrected a report); the first of them is
// profiled into /tmp/p.daemon-changed.
func runDaemonPolls(b *testing.B, cfgPath string, at time.Time, polls int, change func(k int)) (quiet, changed []time.Duration) {
	b.Helper()
	if polls <= 0 {
		return nil, nil
	}
	var mu sync.Mutex
	now := at
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func() {
		mu.Lock()
		now = now.Add(2 * time.Minute)
		mu.Unlock()
	}
	cfg, err := app.LoadConfig(cfgPath, true)
	require.NoError(b, err)
	log := zerolog.New(io.Discard).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	m := daemon.NewMetrics()
	a, err := app.New(b.Context(), cfg, app.Options{Now: clock, Log: log, Observer: m, Console: io.Discard})
	require.NoError(b, err)
	defer func() { require.NoError(b, a.Close()) }()
	poll := func() {
		idle, err := a.Idle(b.Context())
		require.NoError(b, err)
		require.False(b, idle, "a working day: the daemon polls")
		res, err := a.Run(b.Context(), pass.Request{Kind: pass.KindSync, NoSummary: cfg.Schedule.Summary != ""})
		require.NoError(b, err)
		require.False(b, res.Partial(), "the poll failed someone")
		advance()
	}
	poll()
	cpus := make([]time.Duration, 0, polls)
	func() {
		defer cpuProfile(b, ".daemon")()
		for range polls {
			cpus = append(cpus, cpuOf(b, poll))
		}
	}()
	change(0)
	if path := os.Getenv("DAYREPORT_SCALE_ALLOCPROFILE"); path != "" {
		// What the poll after the change allocates: the heap profiles
		// before and after it (go tool pprof -sample_index=alloc_space
		// -base path.before path.after).
		writeHeap := func(name string) {
			f, err := os.Create(name)
			require.NoError(b, err)
			require.NoError(b, pprof.Lookup("allocs").WriteTo(f, 0))
			require.NoError(b, f.Close())
		}
		writeHeap(path + ".before")
		defer writeHeap(path + ".after")
	}
	func() {
		defer cpuProfile(b, ".daemon-changed")()
		changed = append(changed, cpuOf(b, poll))
	}()
	for k := 1; k < changedPolls; k++ {
		// A quiet poll first, as between two edits in a day: the poll
		// after a change wrote, so the next one reads the state again
		// (reuse.go), which a poll after a quiet one does not.
		poll()
		change(k)
		changed = append(changed, cpuOf(b, poll))
	}
	return cpus, changed
}

// changedPolls is how many of the daemon's polls after one changed report
// BenchmarkScale measures (each after another edit of the same report):
// one poll's CPU time varied by a tenth between runs, about the margin the
// goal is judged by, so it reports their median.
const changedPolls = 3

// cpuProfile profiles this process into DAYREPORT_SCALE_CPUPROFILE+suffix,
// when set, until the function it returns is called.
func cpuProfile(b *testing.B, suffix string) func() {
	path := os.Getenv("DAYREPORT_SCALE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path + suffix)
	require.NoError(b, err)
	require.NoError(b, pprof.StartCPUProfile(f))
	return func() {
		pprof.StopCPUProfile()
		require.NoError(b, f.Close())
	}
}

// reportDaemonPolls reports the CPU time of the daemon's poll after one
// changed report and its ratio to the first pass, the least and the median
// CPU time of the daemon's quiet polls, the least of as many stat floors, and the ratios
// to that floor and to the first pass.
func reportDaemonPolls(b *testing.B, reports string, polls, changed []time.Duration, first time.Duration) {
	if len(polls) == 0 {
		return
	}
	if len(changed) > 0 {
		median := slices.Sorted(slices.Values(changed))[len(changed)/2]
		b.ReportMetric(median.Seconds(), "cpu-s/daemon-one-changed")
		b.ReportMetric(slices.Min(changed).Seconds(), "cpu-s/daemon-one-changed-min")
		b.ReportMetric(median.Seconds()/first.Seconds(), "daemon-one-changed/first-cpu")
		b.Logf("daemon polls after one changed report (CPU): %v", changed)
	}
	floors := make([]time.Duration, len(polls))
	for i := range floors {
		floors[i] = cpuOf(b, func() { statFloor(b, reports) })
	}
	polls = slices.Clone(polls)
	slices.Sort(polls)
	slices.Sort(floors)
	b.ReportMetric(polls[0].Seconds(), "cpu-s/daemon-poll-min")
	b.ReportMetric(polls[len(polls)/2].Seconds(), "cpu-s/daemon-poll-median")
	b.ReportMetric(polls[0].Seconds()/floors[0].Seconds(), "daemon-min/stat-floor-min")
	b.ReportMetric(polls[0].Seconds()/first.Seconds(), "daemon-min/first-cpu")
	b.Logf("daemon polls (CPU): %v; stat floors: %v", polls, floors)
}
