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
	t.Setenv("DAYREPORT_CONFIG", "")
	cfg, db := demoConfig(t)
	args := []string{"backfill", "--config", cfg, "--from", "2026-10-26", "--to", "2026-11-06", "--replay", "--now", "2026-11-26T12:00:00+03:00"}
	code, out, stderr := execCLI(t, args...)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stderr, "a backfill off a terminal is quiet")
	for _, want := range []string{"kuznetsov (отсутствовал)", "volkov (с ошибками)", "popova (сдан с опозданием)", "smirnova (в отпуске)", "отправлено 83"} {
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
	t.Setenv("DAYREPORT_CONFIG", "")
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
