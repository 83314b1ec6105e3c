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
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
)

// asMainEnv makes the test binary behave as the dayreport binary: the crash
// test runs it as a subprocess and kills it.
const asMainEnv = "DAYREPORT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
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
// latest numbers, and the state database passes PRAGMA integrity_check.
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("50 subprocesses")
	}
	t.Setenv("DAYREPORT_CONFIG", "")
	google := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{DocsReadPerMinute: -1, SheetsReadPerMinute: -1, DriveQueriesPerMinute: -1}})
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
crm:
  adapter: bitrix24
  bitrix24: {webhook_url: %q, entity_type_id: %d, spa_id: %d}
employees:
%s`, google.URL, db, crmFake.WebhookURL(), mapping.EntityTypeID, mapping.SPAID, roster.String())), 0o644))

	sync := func(extra ...string) *exec.Cmd {
		args := append([]string{"sync", "--config", cfg, "--date", "2026-11-26", "--now", "2026-11-26T22:00:00+03:00"}, extra...)
		cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
		cmd.Env = append(os.Environ(), asMainEnv+"=1")
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
	killed, completed := 0, 0
	for round := range 50 {
		for range 3 { // reports keep changing between crashes: every run has work to lose
			id := fmt.Sprintf("e%02d", rng.IntN(n))
			latest[id] += 7
			google.PutDoc("1"+id, reportDoc("1"+id, latest[id]))
		}
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
		default:
			completed++ // it finished before the kill: aim earlier next time
			require.NoError(t, err, "round %d", round)
			window = time.Since(began)
		}
	}
	out, err = sync().CombinedOutput()
	require.NoError(t, err, string(out))
	t.Logf("50 rounds within %v: %d killed, %d completed first", full, killed, completed)
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
}
