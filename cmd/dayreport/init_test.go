package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestInitThenRun is the first ten minutes of a new team: init writes a
// commented configuration and an example report per employee, config check
// passes on it, and the README's first command (a backfill) runs on it and
// writes the manager's workbook.
func TestInitThenRun(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sales")
	now := "--now=2026-11-26T20:00:00+03:00" // a Thursday evening in Moscow
	code, out, errOut := execCLI(t, "init", "--dir", dir, "--employees", "Иван Иванов, Анна Петрова, Пётр Иванов", now)
	require.Equal(t, exitOK, code, errOut)
	cfg := filepath.Join(dir, "dayreport.yaml")
	for _, f := range []string{cfg, "reports/ivanov.txt", "reports/petrova.txt", "reports/ivanov.p.txt"} {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		require.FileExists(t, f)
		require.Contains(t, out, f)
	}
	text, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.Contains(t, string(text), "# Настройки dayreport", "comments in Russian")
	require.Contains(t, string(text), `{id: ivanov.p, name: "Пётр Иванов"}`)
	example, err := os.ReadFile(filepath.Join(dir, "reports", "petrova.txt"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(example), "Отчёт за 26.11.2026\n"), "today in the company's zone")

	code, out, errOut = execCLI(t, "config", "check", "--config", cfg)
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "ok (3 employees")

	code, _, errOut = execCLI(t, "check", "--file", filepath.Join(dir, "reports", "ivanov.txt"), "--config", cfg, now)
	require.Equal(t, exitOK, code, "the example is a valid report: %s", errOut)

	code, out, errOut = execCLI(t, "backfill", "--config", cfg, "--from", "2026-11-26", "--to", "2026-11-26", now)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	require.FileExists(t, filepath.Join(dir, "summary.xlsx"))
	require.FileExists(t, filepath.Join(dir, "dayreport.db"))
}

// TestInitRefusesToOverwrite: init writes nothing when any of its files is
// there already, names them, and exits 2.
func TestInitRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mine := filepath.Join(dir, "reports", "petrova.txt")
	require.NoError(t, os.MkdirAll(filepath.Dir(mine), 0o755))
	require.NoError(t, os.WriteFile(mine, []byte("мой отчёт"), 0o600))

	code, out, errOut := execCLI(t, "init", "--dir", dir, "--employees", "Иван Иванов, Анна Петрова")
	require.Equal(t, exitUsage, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "would overwrite "+mine)
	require.NoFileExists(t, filepath.Join(dir, "dayreport.yaml"), "nothing written")
	require.NoFileExists(t, filepath.Join(dir, "reports", "ivanov.txt"))
	data, err := os.ReadFile(mine)
	require.NoError(t, err)
	require.Equal(t, "мой отчёт", string(data))

	code, _, errOut = execCLI(t, "init", "--dir", dir, "--employees", " , ")
	require.Equal(t, exitUsage, code)
	require.Contains(t, errOut, "no employees")
}
