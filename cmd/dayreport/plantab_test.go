package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/plan"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

// TestPlanTabThroughPlanCommand: `dayreport plan --now` over a roster and
// a План tab in the manager spreadsheet as a manager fills them: rows in
// no order (an employee's November row above her row for every month,
// another's rows split by a colleague's), a row for someone not on the
// roster, a cell that is not a number, a second row for the same month
// (not read: the first holds), a row for another month only; the
// configuration has a team plan and one employee's own. Each employee gets
// the plan the layers give (the tab's month row over its every-month row
// over the configuration's entry over the team's), and those with nothing
// of their own the team's.
func TestPlanTabThroughPlanCommand(t *testing.T) {
	t.Parallel()
	google := googlefake.New(t, googlefake.Options{Quotas: googlefake.NoQuotas})
	ids := []string{"anna", "boris", "vera", "gleb", "dina", "egor"}
	roster := [][]any{{"id", "Имя", "report"}}
	for _, id := range ids {
		google.PutDoc("1doc-"+id, editorDoc(verifyReport("17.11.2026", "1")))
		roster = append(roster, []any{id, id, gdoc.URL("1doc-" + id)})
	}
	google.PutSheet("1manager", "Отдел продаж", []googlefake.Tab{
		{Title: "Сотрудники", SheetID: 7, Rows: roster},
		{Title: "План", SheetID: 8, Rows: [][]any{
			{"id", "Месяц", "new_calls", "contracts_signed"},
			{"anna", "2026-11", "", 4.0},
			{"boris", "", 250.0},
			{"anna", "", 300.0, 5.0},
			{"zoya", "", 100.0},
			{"boris", "2026-11", "", "десять"},
			{"dina", "2026-12", 50.0, 1.0},
			{"boris", "2026-11", 260.0},
		}},
	})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "dayreport.yaml")
	require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, `company: {timezone: Europe/Moscow, language: ru}
source: {kind: gdoc}
roster: sheet
google: {endpoint: %q, reads_per_minute: 100000, docs_reads_per_minute: 100000}
state: {path: %q}
summary: {spreadsheet: "https://docs.google.com/spreadsheets/d/1manager/edit#gid=7"}
plans:
  default: {new_calls: 400, contracts_signed: 8}
  employees: {gleb: {contracts_signed: 12}}
`, google.URL, filepath.Join(dir, "state.db")), 0o644))

	now := apptest.Msk("2026-11-17", 22, 0).Format(time.RFC3339)
	code, out, stderr := execCLI(t, "plan", "--config", cfg, "--date", "2026-11-17", "--format", "json", "--now", now)
	require.Equal(t, 0, code, stderr)
	var res plan.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	got := map[string]map[string]float64{}
	for _, e := range res.Employees {
		got[e.ID] = map[string]float64{}
		for k, f := range e.Metrics {
			got[e.ID][k] = f.Plan
		}
	}
	team := map[string]float64{"new_calls": 400, "contracts_signed": 8}
	require.Equal(t, map[string]map[string]float64{
		"anna":  {"new_calls": 300, "contracts_signed": 4}, // November's row over her row for every month
		"boris": {"new_calls": 250, "contracts_signed": 8}, // the bad cell and the second November row left out
		"vera":  team,
		"gleb":  {"new_calls": 400, "contracts_signed": 12}, // the configuration's own entry
		"dina":  team,                                       // a December row only
		"egor":  team,
	}, got)
}
