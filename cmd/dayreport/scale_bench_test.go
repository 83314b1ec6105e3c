package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/store/storetest"
)

// scaleDays is how many working days of reports each employee's document
// holds in the scale benchmark (a month: documents grow).
const scaleDays = 20

// scaleEmployees is the team size of BenchmarkScale: 10 000, or
// DAYREPORT_SCALE_EMPLOYEES.
func scaleEmployees(b *testing.B) int { return envInt(b, "DAYREPORT_SCALE_EMPLOYEES", 10000) }

// envInt is the integer the environment variable name holds, or def when
// it is not set.
func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, name)
	return n
}

// scaleReport is a month of one employee's reports, newest first, ending on
// the pass date.
func scaleReport(i int, last day.Date) []string {
	var lines []string
	d := last
	for k := range scaleDays {
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDays(-1)
		}
		calls := 20 + (i*7+k*3)%30
		lines = append(lines, d.Russian(),
			fmt.Sprintf("Новые звонки: %d", calls),
			fmt.Sprintf("Звонки клиентам после продажи: %d", 2+k%3),
			fmt.Sprintf("Повторные звонки: %d", calls/3),
			fmt.Sprintf("Отправлено КП: %d", calls/6),
			fmt.Sprintf("Выставлено счетов и договоров: %d", calls/10),
			fmt.Sprintf("Подписано договоров: %d", calls/20),
			"Оплаты: 1",
			"Звонки по обратной связи: 2",
			"Оценка работы компании: 4,5",
			"Решённые задачи: договорился о пилоте с новым клиентом; это даёт рост повторных продаж",
			"")
		d = d.AddDays(-1)
	}
	return lines
}

// BenchmarkScale runs `dayreport sync` as a subprocess over a team of 10 000
// employees, each with a month of reports, and reports the wall time and the
// peak resident memory of the process for the first pass (every day new:
// parsed, stored, pushed to the builtin CRM, the xlsx summary written) and
// for a second, unchanged pass. Sources: local files, and Google Docs served
// by pkg/googlefake from this process (its memory is not the child's).
// Stores: SQLite, and PostgreSQL when DAYREPORT_TEST_PG_DSN names a server
// (a fresh schema per run).
//
//	go test ./cmd/dayreport -run '^$' -bench Scale -benchtime 1x -timeout 60m
func BenchmarkScale(b *testing.B) {
	n := scaleEmployees(b)
	last := day.MustParse("2026-11-26")
	for _, src := range []string{"local", "gdoc"} {
		for _, driver := range []string{"sqlite", "postgres"} {
			b.Run(fmt.Sprintf("%s/%s/%d", src, driver, n), func(b *testing.B) {
				scale(b, src, driver, n, last)
			})
		}
	}
}

// scale is one BenchmarkScale case: a source kind and a store driver.
func scale(b *testing.B, src, driver string, n int, last day.Date) {
	{
		{
			dir := b.TempDir()
			var roster strings.Builder
			srcConf := ""
			var fake *googlefake.Server // the gdoc cases'
			switch src {
			case "local":
				reports := filepath.Join(dir, "reports")
				require.NoError(b, os.MkdirAll(reports, 0o755))
				for i := range n {
					id := fmt.Sprintf("e%05d", i)
					text := strings.Join(scaleReport(i, last), "\n")
					path := filepath.Join(reports, id+".txt")
					require.NoError(b, os.WriteFile(path, []byte(text), 0o644))
					// Saved during the day, as a poll finds them (a file
					// saved in the last seconds is read again anyway).
					require.NoError(b, os.Chtimes(path, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)))
					fmt.Fprintf(&roster, "  - {id: %s, name: Сотрудник %d, crm_user_id: \"%d\"}\n", id, i, 1000+i)
				}
				srcConf = fmt.Sprintf("source: {kind: local}\nlocal: {dir: %q}\n", reports)
			case "gdoc":
				fake = googlefake.New(b, googlefake.Options{Quotas: googlefake.Quotas{DocsReadPerMinute: -1, SheetsReadPerMinute: -1, DriveQueriesPerMinute: -1}})
				for i := range n {
					id := fmt.Sprintf("1e%05d", i)
					fake.PutDoc(id, linesDoc(id, scaleReport(i, last)))
					fake.SetFileParent(id, "folder1") // one Drive listing per 1000 documents tells what changed
					fmt.Fprintf(&roster, "  - {id: e%05d, name: Сотрудник %d, crm_user_id: \"%d\", report: %q}\n", i, i, 1000+i, id)
				}
				// The client's Docs limiter is lifted: at Google's default
				// 300 reads a minute the pass would only measure the quota
				// (n/300 minutes, reported as quota-floor-min).
				srcConf = fmt.Sprintf("source: {kind: gdoc}\ngoogle: {endpoint: %q, folder: folder1, docs_reads_per_minute: 1000000, reads_per_minute: 1000000}\n", fake.URL)
				b.ReportMetric(float64(n)/config.DefaultDocsReadsPerMinute, "quota-floor-min")
			}
			cfg := filepath.Join(dir, "dayreport.yaml")
			writeConfig := func() {
				state := fmt.Sprintf("{path: %q}", filepath.Join(dir, "state.db"))
				if driver == "postgres" {
					state = fmt.Sprintf("{driver: postgres, dsn: %q}", storetest.Schema(b)) // a fresh schema
				}
				require.NoError(b, os.WriteFile(cfg, []byte(fmt.Sprintf(`company: {timezone: Europe/Moscow}
%sstate: %s
summary: {xlsx: %q}
employees:
%s`, srcConf, state, filepath.Join(dir, "summary.xlsx"), roster.String())), 0o644))
			}

			var first, second, third passCost
			var polls []time.Duration // more unchanged polls (DAYREPORT_SCALE_QUIET_POLLS)
			// The in-process daemon's quiet polls (daemonpoll_bench_test.go).
			var daemon []time.Duration
			var daemonChanged []time.Duration // the daemon's polls after one changed report
			var changedSyncs []time.Duration  // cron syncs after one changed report
			runs, secondDrive, secondGoogle := 0, 0, 0
			for b.Loop() {
				for _, f := range []string{"state.db", "state.db-wal", "state.db-shm", "summary.xlsx"} {
					_ = os.Remove(filepath.Join(dir, f))
				}
				writeConfig()
				f := runPass(b, cfg)
				if fake != nil {
					fake.ResetRequests()
				}
				s := runPass(b, cfg)
				if fake != nil {
					for _, r := range fake.Requests() {
						secondGoogle++
						if r.API == googlefake.APIDrive {
							secondDrive++
						}
					}
				}
				first.add(f)
				second.add(s)
				for range quietPolls(b) {
					polls = append(polls, runPass(b, cfg).cpu)
				}
				if src == "local" {
					// One employee corrects today's calls: the third pass.
					path := filepath.Join(dir, "reports", "e00000.txt")
					text := strings.Join(scaleReport(0, last), "\n")
					text = strings.Replace(text, "Новые звонки: ", "Новые звонки: 1", 1)
					require.NoError(b, os.WriteFile(path, []byte(text), 0o644))
					require.NoError(b, os.Chtimes(path, time.Now().Add(-time.Minute), time.Now().Add(-time.Minute)))
					one := runPass(b, cfg)
					third.add(one)
					changedSyncs = append(changedSyncs, one.cpu)
					// More of them (DAYREPORT_SCALE_CHANGED_SYNCS): the
					// correction taken back, made again, … a new revision
					// each time.
					for k := 1; k < changedSyncCount(b); k++ {
						edit := text
						if k%2 == 1 {
							edit = strings.Join(scaleReport(0, last), "\n")
						}
						require.NoError(b, os.WriteFile(path, []byte(edit), 0o644))
						at := time.Now().Add(-time.Minute + time.Duration(k)*time.Second)
						require.NoError(b, os.Chtimes(path, at, at))
						changedSyncs = append(changedSyncs, runPass(b, cfg).cpu)
					}
					require.NoError(b, os.WriteFile(path, []byte(strings.Join(scaleReport(0, last), "\n")), 0o644))
					require.NoError(b, os.Chtimes(path, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)))
					// The daemon's quiet polls, then its polls after the same
					// correction, written again, taken back, written again.
					original := strings.Join(scaleReport(0, last), "\n")
					polls, changed := runDaemonPolls(b, cfg, time.Date(2026, 11, 26, 22, 0, 0, 0, time.FixedZone("MSK", 3*3600)), daemonPolls(b), func(k int) {
						edit := text
						if k%2 == 1 {
							edit = original
						}
						require.NoError(b, os.WriteFile(path, []byte(edit), 0o644))
						at := time.Now().Add(-time.Duration(changedPolls-k) * time.Minute) // a new revision each time
						require.NoError(b, os.Chtimes(path, at, at))
					})
					daemon = append(daemon, polls...)
					daemonChanged = append(daemonChanged, changed...)
					require.NoError(b, os.WriteFile(path, []byte(strings.Join(scaleReport(0, last), "\n")), 0o644))
					require.NoError(b, os.Chtimes(path, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)))
				}
				runs++
			}
			per := func(c passCost) float64 { return float64(c.wall.Microseconds()) / float64(runs*n) }
			b.ReportMetric(first.wall.Seconds()/float64(runs), "s/first-pass")
			b.ReportMetric(first.cpu.Seconds()/float64(runs), "cpu-s/first-pass")
			b.ReportMetric(second.cpu.Seconds()/float64(runs), "cpu-s/second-pass")
			b.ReportMetric(second.cpu.Seconds()/first.cpu.Seconds(), "second/first-cpu")
			b.ReportMetric(first.rssMiB, "MiB-peak-first")
			b.ReportMetric(per(first), "µs/employee-first")
			b.ReportMetric(second.wall.Seconds()/float64(runs), "s/second-pass")
			b.ReportMetric(second.rssMiB, "MiB-peak-second")
			b.ReportMetric(per(second), "µs/employee-second")
			if fake != nil {
				// What an unchanged poll asks of Google: Drive's change
				// log once, and no report read.
				b.ReportMetric(float64(secondDrive)/float64(runs), "drive-req/second-pass")
				b.ReportMetric(float64(secondGoogle)/float64(runs), "google-req/second-pass")
			}
			if src == "local" {
				b.ReportMetric(third.cpu.Seconds()/float64(runs), "cpu-s/one-changed")
				b.ReportMetric(third.rssMiB, "MiB-peak-one-changed")
				b.ReportMetric(third.cpu.Seconds()/first.cpu.Seconds(), "one-changed/first-cpu")
				if len(changedSyncs) > runs {
					slices.Sort(changedSyncs)
					median := changedSyncs[len(changedSyncs)/2]
					b.ReportMetric(median.Seconds(), "cpu-s/one-changed-median")
					b.ReportMetric(changedSyncs[0].Seconds(), "cpu-s/one-changed-min")
					b.ReportMetric(median.Seconds()/(first.cpu.Seconds()/float64(runs)), "one-changed-median/first-cpu")
				}
				reportFloors(b, filepath.Join(dir, "reports"), first.cpu/time.Duration(runs), second.cpu/time.Duration(runs))
				reportQuietPolls(b, filepath.Join(dir, "reports"), polls)
				reportDaemonPolls(b, filepath.Join(dir, "reports"), daemon, daemonChanged, first.cpu/time.Duration(runs))
			}
		}
	}
}

// changedSyncCount is how many cron syncs after one changed report
// BenchmarkScale runs (DAYREPORT_SCALE_CHANGED_SYNCS; 1 by default): one is
// as noisy as any single pass, so with more it also reports their median
// and least (cpu-s/one-changed-median, -min) and the median over the first
// pass (one-changed-median/first-cpu).
func changedSyncCount(b *testing.B) int { return max(envInt(b, "DAYREPORT_SCALE_CHANGED_SYNCS", 1), 1) }

// quietPolls is how many unchanged polls BenchmarkScale runs after the
// second pass (DAYREPORT_SCALE_QUIET_POLLS; none by default): one pass's
// CPU time varies by ±15 % on a shared machine, the least of several much
// less.
func quietPolls(b *testing.B) int { return envInt(b, "DAYREPORT_SCALE_QUIET_POLLS", 0) }

// reportQuietPolls reports the least and the median CPU time of the extra
// unchanged polls, the least of as many stat floors, and their ratio.
func reportQuietPolls(b *testing.B, reports string, polls []time.Duration) {
	if len(polls) == 0 {
		return
	}
	floors := make([]time.Duration, len(polls))
	for i := range floors {
		floors[i] = cpuOf(b, func() { statFloor(b, reports) })
	}
	slices.Sort(polls)
	slices.Sort(floors)
	b.ReportMetric(polls[0].Seconds(), "cpu-s/quiet-poll-min")
	b.ReportMetric(polls[len(polls)/2].Seconds(), "cpu-s/quiet-poll-median")
	b.ReportMetric(floors[0].Seconds(), "cpu-s/stat-floor-min")
	b.ReportMetric(polls[0].Seconds()/floors[0].Seconds(), "quiet-min/stat-floor-min")
}

// profileAsMain writes a CPU profile of the process to the file
// DAYREPORT_SCALE_CPUPROFILE names, with the pass's number appended (one
// file per subprocess pass), until the returned function is called.
// DAYREPORT_SCALE_HEAPPROFILE is its heap at the peak (peakprofile_test.go).
func profileAsMain() (stop func()) {
	stopTrace := memTrace()
	stopHeapProfile := peakHeapProfile()
	stopHeap := func() { stopHeapProfile(); stopTrace() }
	path, ok := passFile("DAYREPORT_SCALE_CPUPROFILE")
	if !ok {
		return stopHeap
	}
	f, err := os.Create(path)
	if err != nil {
		return stopHeap
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return stopHeap
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
		stopHeap()
	}
}

// passCost is what one subprocess pass took.
type passCost struct {
	wall time.Duration
	// cpu is the process's user and system CPU time: on a shared machine
	// the figure to compare (wall time grows with the neighbours' load).
	cpu    time.Duration
	rssMiB float64
}

// add sums the wall time and keeps the highest peak.
func (c *passCost) add(o passCost) {
	c.wall += o.wall
	c.cpu += o.cpu
	c.rssMiB = max(c.rssMiB, o.rssMiB)
}

// runPass runs `dayreport sync` on cfg as a subprocess: this test binary
// (as main), or the binary DAYREPORT_SCALE_BIN names (a `go build` of
// ./cmd/dayreport, without the test code and the profiling hooks).
//
// Its peak resident memory is the kernel's VmHWM of the process, read every
// 20 ms until it exits (the figure only grows, so the last reading is the
// peak but for the last moments). getrusage's ru_maxrss would be wrong
// here: Go starts a child with vfork semantics, so until exec the child
// counts the parent's pages — the whole Google fake, in the gdoc cases.
func runPass(b *testing.B, cfg string) passCost {
	b.Helper()
	bin := os.Args[0]
	if v := os.Getenv("DAYREPORT_SCALE_BIN"); v != "" {
		bin = v
	}
	cmd := exec.CommandContext(b.Context(), bin, "sync", "--config", cfg, "--date", "2026-11-26", "--now", "2026-11-26T22:00:00+03:00")
	cmd.Env = append(os.Environ(), asMainEnv+"=1", "DAYREPORT_CONFIG=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	require.NoError(b, cmd.Start())
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var kib int64
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if v, ok := statusKiB(status, "VmHWM:"); ok {
				kib = max(kib, v)
			}
			select {
			case <-done:
				peak <- kib
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(started)
	close(done)
	require.NoError(b, err, "%s", tail(out.String(), 2000))
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return passCost{wall: wall, cpu: cpu, rssMiB: float64(<-peak) / 1024}
}

// statusKiB reads a "Name:   123 kB" line of a /proc status file.
func statusKiB(path, name string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, name); ok {
			var v int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &v); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// linesDoc is a Google Doc of one paragraph per line.
func linesDoc(id string, lines []string) *docs.Document {
	content := make([]*docs.StructuralElement, 0, len(lines))
	for _, l := range lines {
		content = append(content, &docs.StructuralElement{Paragraph: &docs.Paragraph{
			Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: l + "\n"}}}}})
	}
	return &docs.Document{DocumentId: id, Title: "Отчёты", Body: &docs.Body{Content: content}}
}

// passFile is the file the environment variable env names for this
// subprocess pass: its value with the pass's number appended (its start in
// nanoseconds), one file per pass; ok is false when env is not set.
func passFile(env string) (path string, ok bool) {
	path = os.Getenv(env)
	if path == "" {
		return "", false
	}
	return fmt.Sprintf("%s.%d", path, time.Now().UnixNano()), true
}
