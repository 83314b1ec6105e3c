package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/app/apptest"
)

// TestSummaryRowsFollowTheRoster: through `sync --now`, the Сводка tab
// lists each date's employees in the configuration's order, not by id;
// after two employees leave the configuration, the workbook rewritten
// over the last one lists their stored days after everyone listed, by id.
func TestSummaryRowsFollowTheRoster(t *testing.T) {
	t.Parallel()
	listed := "  - {id: zoe, name: Зоя}\n  - {id: anna, name: Анна}\n  - {id: mark, name: Марк}\n"
	left := "  - {id: boris, name: Борис}\n  - {id: alex, name: Алекс}\n"
	c := newCLITeam(t, "employees:\n"+listed+left)
	for i, id := range []string{"zoe", "anna", "mark", "boris", "alex"} {
		text := apptest.ReportText("25.11.2026", 10+i)
		if id == "anna" {
			text = strings.ReplaceAll(text, ": ", ":\u00a0")
		}
		c.write(t, id+".txt", text)
	}
	code, _, stderr := c.run(t, rfc("2026-11-25", 22, 0), "sync")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []string{"zoe", "anna", "mark", "boris", "alex"}, summaryIDs(t, c))

	cfg, err := os.ReadFile(c.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(c.config, []byte(strings.Replace(string(cfg), left, "", 1)), 0o644))
	code, _, stderr = c.run(t, rfc("2026-11-25", 22, 20), "sync")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []string{"zoe", "anna", "mark", "alex", "boris"}, summaryIDs(t, c))
}

// summaryIDs are the employee ids of the Сводка tab's rows, in order.
func summaryIDs(t *testing.T, c *cliTeam) []string {
	t.Helper()
	f, err := excelize.OpenFile(filepath.Join(c.dir, "summary.xlsx"))
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	rows, err := f.GetRows("Сводка")
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	var ids []string
	for _, r := range rows[1:] {
		if len(r) > 2 {
			ids = append(ids, r[2])
		}
	}
	return ids
}
