package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/app/apptest"
)

// funnelTabTeam is how many employees TestFunnelTabIsTheFunnelCommand's
// team has: more than a piece of the Воронка tab (200 employees), so the
// tab is laid out from funnels built a piece at a time, and its digest
// taken from them as they are built.
const funnelTabTeam = 260

// messyReport is employee i's report of date: numbers that differ from
// one employee to the next (so each funnel, and where each is behind the
// team, differs), some typed with no-break spaces, a decimal comma in the
// rating.
func messyReport(i int, date string, calls int) string {
	text := fmt.Sprintf("%s\nНовые звонки: %d\nПовторные звонки: %d\nОтправлено КП: %d\nВыставлено счетов и договоров: %d\n"+
		"Подписано договоров: %d\nОплаты: %d\nЗвонки по обратной связи: %d\nОценка работы компании: %d,%d\n",
		date, calls, calls/2-i%5, i%9, i%5, i%3, i%2, 1+i%3, 3+i%2, i%10)
	if i%5 == 2 {
		text = strings.ReplaceAll(text, ": ", ":\u00a0")
	}
	return text
}

// TestFunnelTabIsTheFunnelCommand: through `sync --now`, on a team of 260
// whose reports are as messy as life (some missing, some that do not
// parse, some with a day before, no-break spaces, decimal commas), the
// Воронка tab of the workbook shows for every employee, in roster order,
// the stages `dayreport funnel` prints (counts and conversions). After one
// employee of the tab's second piece corrects his calls, the next sync's
// tab shows the new funnel, copying what did not change from the workbook
// it replaces, the workbook is the one built from scratch on
// the same state, and a sync after it with nothing changed leaves the file
// as it was.
func TestFunnelTabIsTheFunnelCommand(t *testing.T) {
	t.Parallel()
	var roster strings.Builder
	for i := range funnelTabTeam {
		fmt.Fprintf(&roster, "  - {id: e%03d, name: Сотрудник %d}\n", i, i)
	}
	c := newCLITeam(t, "employees:\n"+roster.String())
	saved := apptest.Msk("2026-11-25", 18, 0)
	write := func(i int, text string) {
		name := fmt.Sprintf("e%03d.txt", i)
		c.write(t, name, text)
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	for i := range funnelTabTeam {
		calls := 20 + (i*7)%40
		switch {
		case i%11 == 3: // no report at all
		case i%13 == 5:
			write(i, "25.11.2026\nНовые звонки: двадцать\n")
		case i%7 == 1:
			write(i, messyReport(i, "25.11.2026", calls)+"\n"+messyReport(i, "24.11.2026", calls+3))
		default:
			write(i, messyReport(i, "25.11.2026", calls))
		}
	}

	first := rfc("2026-11-25", 22, 0)
	code, _, stderr := c.run(t, first, "sync")
	require.Equal(t, 0, code, stderr)
	workbook := filepath.Join(c.dir, "summary.xlsx")
	tabShowsFunnel(t, c, workbook, first)

	const corrected = 230 // in the tab's second piece
	saved = saved.Add(3 * time.Hour)
	write(corrected, messyReport(corrected, "25.11.2026", 140))
	second := rfc("2026-11-25", 22, 20)
	_, log := c.debugPass(t, second)
	copied := regexp.MustCompile(`"segments_copied":(\d+)`).FindStringSubmatch(log)
	require.NotNil(t, copied, log)
	require.NotEqual(t, "0", copied[1], "what did not change is copied from the workbook replaced")
	funnels := tabShowsFunnel(t, c, workbook, second)
	require.InDelta(t, 140.0, funnels[fmt.Sprintf("Сотрудник %d", corrected)]["Звонки"], 0, "the correction is in the tab")
	got := workbookCells(t, workbook)

	// The same moment again, the workbook deleted: built from scratch.
	require.NoError(t, os.Remove(workbook))
	code, _, stderr = c.run(t, second, "sync")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, got, workbookCells(t, workbook), "the workbook after one change is the one built from scratch")

	written, err := os.ReadFile(workbook)
	require.NoError(t, err)
	code, _, stderr = c.run(t, rfc("2026-11-25", 22, 40), "sync")
	require.Equal(t, 0, code, stderr)
	again, err := os.ReadFile(workbook)
	require.NoError(t, err)
	require.True(t, bytes.Equal(written, again), "nothing changed: the workbook is left as it was")
}

// tabShowsFunnel checks that the Воронка tab of the workbook shows, for
// every employee `dayreport funnel` prints at now and in its order, the
// same stages: counts, and conversions to the JSON's four decimals. It
// returns each employee's counts by stage label, by name.
func tabShowsFunnel(t *testing.T, c *cliTeam, workbook, now string) map[string]map[string]float64 {
	t.Helper()
	code, out, stderr := c.run(t, now, "funnel", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var res struct {
		Employees []struct {
			ID     string `json:"id"`
			Stages []struct {
				Label      string   `json:"label"`
				Count      float64  `json:"count"`
				Conversion *float64 `json:"conversion"`
			} `json:"stages"`
		} `json:"employees"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Greater(t, len(res.Employees), 200, "more than one piece of the tab")

	f, err := excelize.OpenFile(workbook)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	rows, err := f.GetRows("Воронка", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	// The employees' blocks: a title row with the name, then the stage
	// table (a row per stage: label, count, conversion).
	type stageRow struct {
		count      float64
		conversion string
	}
	var names []string
	blocks := map[string]map[string]stageRow{}
	cur := ""
	for _, row := range rows {
		if len(row) == 1 && strings.HasPrefix(row[0], "Сотрудник ") {
			cur = row[0]
			names = append(names, cur)
			blocks[cur] = map[string]stageRow{}
			continue
		}
		if cur == "" || len(row) < 2 {
			continue
		}
		n, err := strconv.ParseFloat(row[1], 64)
		if err != nil {
			continue // a header, the days, the statuses
		}
		conv := ""
		if len(row) > 2 {
			conv = row[2]
		}
		blocks[cur][row[0]] = stageRow{n, conv}
	}

	counts := map[string]map[string]float64{}
	var want []string
	for _, e := range res.Employees {
		name := "Сотрудник " + strings.TrimLeft(strings.TrimPrefix(e.ID, "e"), "0")
		if name == "Сотрудник " {
			name += "0"
		}
		want = append(want, name)
		counts[name] = map[string]float64{}
		for _, s := range e.Stages {
			got, ok := blocks[name][s.Label]
			require.True(t, ok, "%s: no row of the stage %s", name, s.Label)
			require.InDelta(t, s.Count, got.count, 0, "%s, %s", name, s.Label)
			counts[name][s.Label] = got.count
			if s.Conversion == nil {
				require.Empty(t, got.conversion, "%s, %s", name, s.Label)
				continue
			}
			conv, err := strconv.ParseFloat(got.conversion, 64)
			require.NoError(t, err, "%s, %s", name, s.Label)
			require.InDelta(t, *s.Conversion, conv, 0.00005, "%s, %s", name, s.Label)
		}
	}
	require.Equal(t, want, names, "every employee of the funnel, in roster order")
	return counts
}
