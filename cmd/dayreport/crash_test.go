package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	_ "modernc.org/sqlite"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
	"github.com/dayreport/dayreport/pkg/summary"
)

// asMainEnv makes the test binary behave as the dayreport binary: the crash
// test runs it as a subprocess and kills it.
const asMainEnv = "DAYREPORT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		stopProfile := profileAsMain() // BenchmarkScale's DAYREPORT_SCALE_CPUPROFILE
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stopProfile()
		stop()
		os.Exit(code)
	}
	// No test may pick up the developer's own configuration: --config
	// always wins, and without it $DAYREPORT_CONFIG would. Unset once
	// here rather than with t.Setenv in each test, which would keep the
	// slow CLI tests from running in parallel (t.Setenv panics there).
	_ = os.Unsetenv("DAYREPORT_CONFIG")
	os.Exit(m.Run())
}

func reportDoc(id string, calls int) *docs.Document {
	lines := []string{"Четверг, 26 ноября", fmt.Sprintf("Новые звонки: %d", calls), "Повторные звонки: 5", "Отправлено КП: 3",
		"Выставлено счетов и договоров: 2", "Подписано договоров: 1", "Оплаты: 1", "Звонки по обратной связи: 2"}
	var content []*docs.StructuralElement
	for _, l := range lines {
		content = append(content, &docs.StructuralElement{Paragraph: &docs.Paragraph{
			Elements: []*docs.ParagraphElement{{TextRun: &docs.TextRun{Content: l + "\n"}}}}})
	}
	return &docs.Document{DocumentId: id, Title: "Отчёты", Body: &docs.Body{Content: content}}
}

// TestCrashLoop runs `dayreport sync` as a real subprocess against the Google
// fake and the Bitrix24 fake, kills it with SIGKILL at 50 seeded random
// moments (three reports change before each run) and reruns it until it
// completes: the CRM then holds exactly one item per employee-day with the
// latest numbers, the summary tabs of the manager's spreadsheet match the
// store (and the manager's own tab is untouched), and the state database
// passes PRAGMA integrity_check.
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("50 subprocesses")
	}
	t.Setenv("DAYREPORT_CONFIG", "")
	google := googlefake.New(t, googlefake.Options{Quotas: googlefake.NoQuotas})
	// The manager's spreadsheet: every pass rewrites the summary tabs in it,
	// and the manager's own tab stays as it is.
	const summarySheet = "1summary"
	notes := [][]any{{"мои заметки"}, {"не трогать", 42.0}}
	google.PutSheet(summarySheet, "Отчёты отдела", []googlefake.Tab{{Title: "Заметки", Rows: notes}})
	crmFake := bitrix24fake.New(t, bitrix24fake.Options{Scale: 100})
	const n = 16
	latest := map[string]int{}
	var roster strings.Builder
	for i := range n {
		id := fmt.Sprintf("e%02d", i)
		google.PutDoc("1"+id, reportDoc("1"+id, 10+i))
		latest[id] = 10 + i
		fmt.Fprintf(&roster, "  - {id: %s, name: %s, crm_user_id: \"%d\", report: \"1%s\"}\n", id, id, 100+i, id)
	}
	b24 := config.Bitrix24CRM{WebhookURL: config.Secret(crmFake.WebhookURL()), RequestsPerSecond: 2}
	var metrics []bitrix24.Metric
	for _, m := range report.MustBuiltin("sales-ru").Metrics {
		if m.Type == report.Count || m.Type == report.Rating {
			metrics = append(metrics, bitrix24.Metric{Key: m.Key, Label: m.Label("ru")})
		}
	}
	mapping, err := bitrix24.Setup(t.Context(), b24, bitrix24.SetupOptions{Metrics: metrics})
	require.NoError(t, err)
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	cfg := filepath.Join(dir, "dayreport.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`company: {timezone: Europe/Moscow}
source: {kind: gdoc}
google: {endpoint: %q}
state: {path: %q}
summary: {spreadsheet: %q}
crm:
  adapter: bitrix24
  bitrix24: {webhook_url: %q, entity_type_id: %d, spa_id: %d, requests_per_second: 200}
employees:
%s`, google.URL, db, summarySheet, crmFake.WebhookURL(), mapping.EntityTypeID, mapping.SPAID, roster.String())), 0o644))

	sync := func(extra ...string) *exec.Cmd {
		args := append([]string{"sync", "--config", cfg, "--date", "2026-11-26", "--now", "2026-11-26T22:00:00+03:00"}, extra...)
		cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
		// The race detector's exit sleeps a second by default: a pass that
		// completed would seem a second longer and kills would land after it.
		cmd.Env = append(os.Environ(), asMainEnv+"=1", "GORACE=atexit_sleep_ms=0")
		return cmd
	}
	// A first, uninterrupted dry run (it reads everything, writes nothing) measures how long a
	// full pass takes, process start included: kills land within it.
	started := time.Now()
	out, err := sync("--dry-run").CombinedOutput()
	require.NoError(t, err, string(out))
	full := time.Since(started)
	window := full // kills land within the last completed run's duration
	rng := rand.New(rand.NewPCG(2026, 11))
	// daysBlank: the days tab exists and holds nothing, which only a pass
	// killed between its two summary writes leaves.
	daysBlank := func() bool {
		for _, p := range google.SheetProperties(summarySheet) {
			if p.Title == summary.TabNames("ru").Days {
				return len(google.Cells(summarySheet, p.Title)) == 0
			}
		}
		return false
	}
	killed, completed, betweenWrites := 0, 0, 0
	for round := range 50 {
		for range 3 { // reports keep changing between crashes: every run has work to lose
			id := fmt.Sprintf("e%02d", rng.IntN(n))
			latest[id] += 7
			google.PutDoc("1"+id, reportDoc("1"+id, latest[id]))
		}
		blank := daysBlank()
		began := time.Now()
		cmd := sync()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		defer func() {
			if t.Failed() {
				t.Log(stderr.String())
			}
		}()
		time.Sleep(time.Duration(rng.Int64N(int64(window))))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled():
			killed++
			if !blank && daysBlank() {
				betweenWrites++ // the tabs were cleared and dressed, their values not written yet
			}
		default:
			completed++ // it finished before the kill: aim earlier next time
			require.NoError(t, err, "round %d", round)
			window = time.Since(began)
		}
	}
	out, err = sync().CombinedOutput()
	require.NoError(t, err, string(out))
	t.Logf("50 rounds (a dry run took %v): %d killed, %d of them between the two summary writes; %d completed first",
		full, killed, betweenWrites, completed)
	require.Positive(t, killed)

	objs := crmFake.Objects(t)
	seen := map[string]int{}
	for _, o := range objs {
		seen[o.Key]++
		id := strings.Split(o.Key, ":")[1]
		require.InDelta(t, latest[id], o.Metrics["new_calls"], 0, o.Key)
	}
	require.Len(t, seen, n, "one item per employee-day")
	for k, c := range seen {
		require.Equal(t, 1, c, "%s stored %d times", k, c)
	}
	sqlDB, err := sql.Open("sqlite", db)
	require.NoError(t, err)
	defer func() { require.NoError(t, sqlDB.Close()) }()
	var check string
	require.NoError(t, sqlDB.QueryRow(`PRAGMA integrity_check`).Scan(&check))
	require.Equal(t, "ok", check)
	var midPass, versions int
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM passes WHERE finished_at IS NULL`).Scan(&midPass))
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM report_versions`).Scan(&versions))
	t.Logf("%d of the kills landed inside a pass (after it started, before it finished); %d report versions stored", midPass, versions)
	require.GreaterOrEqual(t, midPass, 5, "kills must land inside passes")

	st, err := store.Open(t.Context(), db, store.Options{ReadOnly: true})
	require.NoError(t, err)
	defer func() { require.NoError(t, st.Close()) }()
	days, err := st.DaysOn(t.Context(), day.MustParse("2026-11-26"))
	require.NoError(t, err)
	require.Len(t, days, n)
	checkSummary(t, google, summarySheet, days)
	require.Equal(t, notes, google.Cells(summarySheet, "Заметки"), "the manager's own tab is untouched")
}

// checkSummary compares the summary tabs the last pass left in the fake
// spreadsheet with the store's days: each employee-day once in the days tab
// with its status and numbers, and the funnel tab's counts (the team's and
// each employee's) equal to the sums of the stored numbers.
func checkSummary(t *testing.T, google *googlefake.Server, id string, days []store.Day) {
	t.Helper()
	tmpl := report.MustBuiltin("sales-ru")
	tabs := summary.TabNames("ru")
	labels := summary.LabelsFor("ru")

	grid := google.Cells(id, tabs.Days)
	require.NotEmpty(t, grid, "the days tab was written")
	col := map[string]int{}
	for c, v := range grid[0] {
		col[fmt.Sprint(v)] = c
	}
	at := func(row []any, c int) any {
		if c < len(row) {
			return row[c]
		}
		return nil
	}
	rows := map[string][]any{}
	for _, row := range grid[1:] {
		emp := fmt.Sprint(at(row, col[labels.ID]))
		require.NotContains(t, rows, emp, "%s appears once in the days tab", emp)
		rows[emp] = row
	}
	require.Len(t, rows, len(days), "a row per stored employee-day, no more")
	want := float64(day.SerialEpoch.DaysUntil(day.MustParse("2026-11-26")))
	for _, d := range days {
		row, ok := rows[d.Employee]
		require.True(t, ok, "%s is in the days tab", d.Employee)
		require.InDelta(t, want, at(row, col[labels.Date]), 0, d.Employee)
		require.Equal(t, d.Status.Label("ru"), at(row, col[labels.Status]), d.Employee)
		for _, m := range tmpl.Metrics {
			c, ok := col[m.Label("ru")]
			if !ok {
				continue
			}
			if v, stored := d.Metrics[m.Key]; stored {
				require.InDelta(t, v, at(row, c), 0, "%s %s", d.Employee, m.Key)
			} else {
				require.Empty(t, at(row, c), "%s %s: not given, left empty", d.Employee, m.Key)
			}
		}
	}

	// The funnel tab: the team's stage table comes first, then a title row
	// per employee (its name; here the id) over that employee's table.
	fgrid := google.Cells(id, tabs.Funnel)
	stageTable := func(from int) (int, map[string]float64) {
		for r := from; r < len(fgrid); r++ {
			if len(fgrid[r]) == 0 || fgrid[r][0] != labels.Stage {
				continue
			}
			counts := map[string]float64{}
			for i := range tmpl.Funnel {
				row := fgrid[r+1+i]
				f, ok := at(row, 1).(float64)
				require.True(t, ok, "count of %v is a number", at(row, 0))
				counts[fmt.Sprint(at(row, 0))] = f
			}
			return r, counts
		}
		t.Fatalf("no stage table from row %d of the funnel tab", from+1)
		return 0, nil
	}
	sums := func(ds []store.Day) map[string]float64 {
		out := map[string]float64{}
		for _, st := range tmpl.Funnel {
			out[st.Label] = 0
			for _, d := range ds {
				for _, k := range st.Metrics {
					out[st.Label] += d.Metrics[k]
				}
			}
		}
		return out
	}
	_, team := stageTable(0)
	require.Equal(t, sums(days), team, "the team funnel is the sum of the stored numbers")
	for _, d := range days {
		title := -1
		for r, row := range fgrid {
			if len(row) == 1 && row[0] == d.Employee {
				title = r
			}
		}
		require.GreaterOrEqual(t, title, 0, "%s has a funnel section", d.Employee)
		_, own := stageTable(title)
		require.Equal(t, sums([]store.Day{d}), own, d.Employee)
	}
}
