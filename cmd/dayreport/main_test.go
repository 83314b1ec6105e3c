package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// exec runs the command line in-process and returns its exit status and output.
func execCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// demoConfig writes a copy of config/demo.yaml whose state lives in a temp dir.
func demoConfig(t *testing.T) (path, db string) {
	t.Helper()
	b, err := os.ReadFile("../../config/demo.yaml")
	require.NoError(t, err)
	reports, err := filepath.Abs("../../testdata/demo/reports")
	require.NoError(t, err)
	dir := t.TempDir()
	db = filepath.Join(dir, "demo.db")
	text := strings.Replace(string(b), "path: ../out/demo.db", "path: "+db, 1)
	text = strings.Replace(text, "dir: ../testdata/demo/reports", "dir: "+reports, 1)
	text = strings.Replace(text, "xlsx: ../out/summary.xlsx", "xlsx: "+filepath.Join(dir, "summary.xlsx"), 1)
	facts, err := filepath.Abs("../../testdata/demo/facts.csv")
	require.NoError(t, err)
	text = strings.Replace(text, "facts: ../testdata/demo/facts.csv", "facts: "+facts, 1)
	require.NotEqual(t, string(b), text)
	path = filepath.Join(dir, "demo.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path, db
}

func TestCheckJSONShape(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	code, out, _ := execCLI(t, "check", "--file", "../../testdata/reports/ivanov__basic.txt", "--format", "json", "--config", "/nonexistent/none.yaml")
	require.Equal(t, 2, code, "an explicit config that does not exist is a usage error")
	require.Empty(t, out)

	code, out, stderr := execCLI(t, "check", "--file", "../../testdata/reports/ivanov__basic.txt", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	for _, k := range []string{"employee", "date", "status", "metrics", "errors", "warnings"} {
		require.Contains(t, got, k)
	}
	require.Equal(t, "ivanov", got["employee"])
	require.Equal(t, "submitted", got["status"])
}

func TestCheckInvalidExitsOne(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	code, out, _ := execCLI(t, "check", "--config", "../../config/demo.yaml", "--employee", "volkov", "--date", "2026-10-28", "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, 1, code)
	require.Contains(t, out, "нужно целое число")
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	for _, args := range [][]string{
		{"check"},
		{"check", "--file", "x.txt", "--format", "xml"},
		{"sync", "--date", "26.11.2026"},
		{"backfill", "--from", "2026-11-06", "--to", "2026-11-01"},
		{"no-such-command"},
		{"sync", "--no-such-flag"},
		{"sync", "--now", "yesterday"},
	} {
		code, _, stderr := execCLI(t, args...)
		require.Equal(t, 2, code, "%v: %s", args, stderr)
		require.NotEmpty(t, stderr, args)
	}
}

func TestConfigCheck(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	code, out, stderr := execCLI(t, "config", "check", "--config", "../../config/demo.yaml")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "ok (9 employees")

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("company: {timezone: Mars/Olympus}\ncrm: {adapter: webhook, webhook: {url: \"https://hooks.example/secret-token-123\"}}\nemployes: []\n"), 0o644))
	code, _, stderr = execCLI(t, "config", "check", "--config", bad)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "company.timezone")
	require.Contains(t, stderr, "employes")
	require.NotContains(t, stderr, "secret-token-123")
}

// TestBackfillDemo is README command 1 through the CLI: statuses in the
// text, then JSON, then a rerun that pushes nothing.
func TestBackfillDemo(t *testing.T) {
	t.Parallel()
	cfg, db := demoConfig(t)
	args := []string{"backfill", "--config", cfg, "--from", "2026-10-26", "--to", "2026-11-06", "--replay", "--now", "2026-11-26T12:00:00+03:00"}
	code, out, stderr := execCLI(t, args...)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stderr, "a backfill off a terminal is quiet")
	for _, want := range []string{"kuznetsov (отсутствовал)", "volkov (с ошибками)", "popova (сдан с опозданием)", "smirnova (в отпуске)", "отправлено 83",
		"02.11.2026 volkov: ⚑ «Новые звонки»: в отчёте 27, в CRM 12", "05.11.2026 kuznetsov: ⚑ те же цифры, что и в предыдущие дни, 3 рабочих дня подряд",
		// The digest's line of who is behind the plan's pace (plans in demo.yaml).
		"Отстают от плана: Анна Петрова — Повторные звонки (прогноз 87,5 %), Отправлено КП (прогноз 90,0 %)"} {
		require.Contains(t, out, want)
	}
	_, err := os.Stat(db)
	require.NoError(t, err)

	code, out, stderr = execCLI(t, append(args, "--format", "json")...)
	require.Equal(t, 0, code, stderr)
	var res struct {
		Days []struct {
			Date string `json:"date"`
		} `json:"days"`
		CRM struct {
			Pushed    int `json:"pushed"`
			Unchanged int `json:"unchanged"`
		} `json:"crm"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Len(t, res.Days, 9)
	require.Zero(t, res.CRM.Pushed)
	require.Equal(t, 81, res.CRM.Unchanged)
}

func TestSyncJSONAndDryRun(t *testing.T) {
	t.Parallel()
	cfg, db := demoConfig(t)
	code, out, stderr := execCLI(t, "sync", "--config", cfg, "--date", "2026-10-29", "--dry-run", "--format", "json", "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, 0, code, stderr)
	_, err := os.Stat(db)
	require.ErrorIs(t, err, os.ErrNotExist, "--dry-run writes nothing at all")
	var res struct {
		Date      string `json:"date"`
		Employees []struct {
			ID     string         `json:"id"`
			Status string         `json:"status"`
			Errors []any          `json:"errors"`
			Flags  []any          `json:"flags"`
			Metric map[string]any `json:"metrics"`
		} `json:"employees"`
		CRM map[string]any `json:"crm"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Equal(t, "2026-10-29", res.Date)
	require.Len(t, res.Employees, 9)
	got := map[string]string{}
	for _, e := range res.Employees {
		got[e.ID] = e.Status
		require.NotNil(t, e.Errors, "errors is [] not null")
		require.NotNil(t, e.Flags, "flags is [] not null")
	}
	require.Equal(t, "absent", got["kuznetsov"])
	for _, k := range []string{"pushed", "unchanged", "failed"} {
		require.Contains(t, res.CRM, k)
	}

	code, out, stderr = execCLI(t, "sync", "--config", cfg, "--date", "2026-10-29", "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "kuznetsov")
	require.Contains(t, out, "отправлено 9")
}

func TestVersion(t *testing.T) {
	code, out, _ := execCLI(t, "version")
	require.Equal(t, 0, code)
	require.Contains(t, out, "dayreport")
}

// TestFunnelDemo is `dayreport funnel --config config/demo.yaml --format json`
// after README command 1, against numbers added up by hand from the demo
// reports (81 working employee-days and ivanov's holiday report, less
// kuznetsov's absence, volkov's invalid report and smirnova's 4 days of leave).
func TestFunnelDemo(t *testing.T) {
	t.Parallel()
	cfg, _ := demoConfig(t)
	now := "--now=2026-11-26T12:00:00+03:00"
	code, _, stderr := execCLI(t, "backfill", "--config", cfg, "--from", "2026-10-26", "--to", "2026-11-06", "--replay", now)
	require.Equal(t, 0, code, stderr)
	code, out, stderr := execCLI(t, "funnel", "--config", cfg, "--format", "json", now)
	require.Equal(t, 0, code, stderr)
	var res struct {
		From   string `json:"from"`
		To     string `json:"to"`
		Days   int    `json:"days"`
		Stages []struct {
			Key        string   `json:"key"`
			Count      float64  `json:"count"`
			Conversion *float64 `json:"conversion"`
		} `json:"stages"`
		Weakest struct {
			From       string  `json:"from"`
			To         string  `json:"to"`
			Conversion float64 `json:"conversion"`
		} `json:"weakest"`
		Rating    float64 `json:"rating"`
		Previous  any     `json:"previous"`
		Employees []struct {
			ID       string         `json:"id"`
			Days     int            `json:"days"`
			Statuses map[string]int `json:"statuses"`
			Stages   []struct {
				Count float64 `json:"count"`
			} `json:"stages"`
		} `json:"employees"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	// The default window: the newest stored day and the week before its week.
	require.Equal(t, "2026-10-26", res.From)
	require.Equal(t, "2026-11-06", res.To)
	require.Equal(t, 76, res.Days)
	// new_calls 1581 + primary_calls 144 (petrova, a senior) = 1725 calls.
	wantCounts := []float64{1725, 517, 261, 167, 50, 38}
	wantConv := []float64{0, 0.2997, 0.5048, 0.6398, 0.2994, 0.76}
	require.Len(t, res.Stages, 6)
	for i, s := range res.Stages {
		require.InDelta(t, wantCounts[i], s.Count, 0, s.Key)
		if i == 0 {
			require.Nil(t, s.Conversion)
			continue
		}
		require.InDelta(t, wantConv[i], *s.Conversion, 0, s.Key)
	}
	// 50 of 167 invoices signed: the source's "one in three" spot.
	require.Equal(t, "invoices_issued", res.Weakest.From)
	require.Equal(t, "contracts_signed", res.Weakest.To)
	require.InDelta(t, 0.2994, res.Weakest.Conversion, 0)
	require.InDelta(t, 4.5, res.Rating, 0, "1179,2 / 262 feedback calls")
	require.Nil(t, res.Previous, "nothing stored before 26 October")
	require.Len(t, res.Employees, 9)
	byID := map[string]int{}
	for i, e := range res.Employees {
		byID[e.ID] = i
	}
	iv := res.Employees[byID["ivanov"]]
	require.Equal(t, 10, iv.Days, "nine working days and the holiday")
	require.InDelta(t, 253, iv.Stages[0].Count, 0)
	require.Equal(t, 4, res.Employees[byID["smirnova"]].Statuses["on_leave"])
	require.Equal(t, 1, res.Employees[byID["kuznetsov"]].Statuses["absent"])
	require.Equal(t, 8, res.Employees[byID["kuznetsov"]].Days)
	require.Equal(t, 1, res.Employees[byID["volkov"]].Statuses["invalid"])
	require.Equal(t, 1, res.Employees[byID["popova"]].Statuses["late"])

	code, out, _ = execCLI(t, "funnel", "--config", cfg, "--by", "employee", now)
	require.Equal(t, 0, code)
	require.Contains(t, out, "Слабое место: Выставлено счетов и договоров → Подписано договоров: 29,9 %")
	require.Contains(t, out, "Иван Иванов (ivanov)")
	code, _, _ = execCLI(t, "funnel", "--config", cfg, "--by", "department", now)
	require.Equal(t, 2, code)
}

// TestNoSecretInLogs runs a full pass at debug level with secrets in every
// secret field of the configuration and greps all output for them.
func TestNoSecretInLogs(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	cfg, _ := demoConfig(t)
	b, err := os.ReadFile(cfg)
	require.NoError(t, err)
	secrets := map[string]string{
		"HUBSPOT_TOKEN": "pat-na1-11111111-2222-3333-4444-555555555555",
		"WEBHOOK_URL":   "https://hooks.example.com/T0/B0/s3cr3tw3bh00k",
		"HMAC_SECRET":   "hmac-s3cr3t-value-42",
		"TG_TOKEN":      "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	text := strings.Replace(string(b), "notify:\n  console: true\n", "notify:\n  console: true\n  telegram: {token: \"${TG_TOKEN}\"}\n", 1)
	text = strings.Replace(text, "crm:\n  adapter: builtin\n", `crm:
  adapter: builtin
  hubspot: {token: "${HUBSPOT_TOKEN}", object_type: p_daily_reports}
  webhook: {url: "${WEBHOOK_URL}", secret: "${HMAC_SECRET}"}
`, 1)
	require.NoError(t, os.WriteFile(cfg, []byte(text), 0o644))

	var all strings.Builder
	for _, args := range [][]string{
		{"config", "check", "--print"},
		{"backfill", "--from", "2026-10-26", "--to", "2026-11-06", "--replay", "--log-level", "debug"},
		{"sync", "--date", "2026-11-05", "--log-level", "debug", "--format", "json"},
		{"funnel", "--log-level", "debug"},
	} {
		code, out, errOut := execCLI(t, append(args, "--config", cfg, "--now", "2026-11-26T12:00:00+03:00")...)
		require.Equal(t, 0, code, "%v: %s", args, errOut)
		all.WriteString(out + errOut)
	}
	require.Contains(t, all.String(), `"level":"debug"`, "debug logs were on")
	for name, v := range secrets {
		require.NotContains(t, all.String(), v, name)
	}
}

// TestDeployConfig keeps the production example valid, on a host where its
// folder (/var/lib/dayreport, here a temporary one) holds the reports.
func TestDeployConfig(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	b, err := os.ReadFile("../../deploy/production.yaml")
	require.NoError(t, err)
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "reports"), 0o755))
	cfg := filepath.Join(root, "dayreport.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(strings.ReplaceAll(string(b), "/var/lib/dayreport", root)), 0o600))
	code, out, stderr := execCLI(t, "config", "check", "--config", cfg)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "ok (3 employees")
}
