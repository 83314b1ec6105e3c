package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/dayreport/dayreport/pkg/app/apptest"
)

// TestUnchangedPollWritesNothing: the daemon's poll when nobody edited a
// report. After a pass that judged the day (a valid report, an
// invalid one, one in Windows-1251 with an unknown line, a week of reports
// in one file, and nobody's file for one employee), a second pass twenty
// minutes later reads no file and leaves every table of the state database
// as it was but the pass history (the rows, their update times, the outbox,
// the builtin CRM), says what the first said, and leaves the summary
// workbook alone (written again once deleted). Then one report is edited:
// only that employee's day changes.
func TestUnchangedPollWritesNothing(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n"+
		"  - {id: vera, name: Вера}\n  - {id: gleb, name: Глеб}\n  - {id: dina, name: Дина}\n")
	var week strings.Builder
	for d := 25; d >= 19; d-- {
		fmt.Fprintf(&week, "%s\n\n", apptest.ReportText(fmt.Sprintf("%d.11.2026", d), 40+d))
	}
	cp1251, err := charmap.Windows1251.NewEncoder().String(apptest.ReportText("25 ноября", 70) + "Настроение: бодрое\n")
	require.NoError(t, err)
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 120))
	c.write(t, "boris.txt", cp1251)
	c.write(t, "vera.md", "# Отчёты\n\n## 25.11.2026\nНовые звонки: много\nОтправлено КП: 3\n")
	c.write(t, "gleb.txt", week.String())
	// Saved an hour before the pass, as on a working day.
	saved := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "boris.txt", "vera.md", "gleb.txt"} {
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	first := c.pass(t, rfc("2026-11-25", 20, 0), "sync")
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "submitted", "vera": "invalid", "gleb": "submitted", "dina": "missing"},
		first.statuses())
	before := dumpState(t, filepath.Join(c.dir, "state.db"))
	workbook := filepath.Join(c.dir, "summary.xlsx")
	written, err := os.Stat(workbook)
	require.NoError(t, err)

	second := c.pass(t, rfc("2026-11-25", 20, 20), "sync")
	require.Equal(t, first.statuses(), second.statuses())
	require.Zero(t, second.CRM.Pushed)
	after := dumpState(t, filepath.Join(c.dir, "state.db"))
	require.Equal(t, before, after, "an unchanged poll wrote to the state database")
	again, err := os.Stat(workbook)
	require.NoError(t, err)
	require.Equal(t, written.ModTime(), again.ModTime(), "the summary did not change: not written again")

	// A workbook the manager deleted is written again, unchanged or not.
	require.NoError(t, os.Remove(workbook))
	c.pass(t, rfc("2026-11-25", 20, 30), "sync")
	_, err = os.Stat(workbook)
	require.NoError(t, err, "a missing summary is written")
	before = dumpState(t, filepath.Join(c.dir, "state.db"))

	// Boris corrects his calls: his day alone is written again.
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 71))
	edited := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "boris.txt"), edited, edited))
	third := c.pass(t, rfc("2026-11-25", 20, 40), "sync")
	require.Equal(t, 1, third.CRM.Pushed)
	changed := dumpState(t, filepath.Join(c.dir, "state.db"))
	var differ []string
	require.NotEqual(t, before["summary_stamps"], changed["summary_stamps"], "the summary changed with his numbers")
	for table, rows := range changed {
		// The count of writes (migration 016) moves with his rows, and
		// the reads kept for the next pass at that count (017) with it.
		if table == "summary_stamps" || table == "change_count" || table == "pass_reads" {
			continue
		}
		for key, row := range rows {
			if before[table][key] != row {
				differ = append(differ, table+": "+key)
			}
		}
	}
	for _, d := range differ {
		require.Contains(t, d, "boris", "only boris's rows change: %v", differ)
	}
	require.NotEmpty(t, differ)
}

// dumpState reads every row of every table of a SQLite state database but
// the pass history, by table, keyed by the row's text.
func dumpState(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	tables, err := db.QueryContext(t.Context(), `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('passes', 'sqlite_sequence')`)
	require.NoError(t, err)
	var names []string
	for tables.Next() {
		var n string
		require.NoError(t, tables.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, tables.Err())
	require.NoError(t, tables.Close())
	out := map[string]map[string]string{}
	for _, n := range names {
		rows, err := db.QueryContext(t.Context(), `SELECT * FROM `+n)
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		out[n] = map[string]string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			row := fmt.Sprint(vals...)
			out[n][row] = row
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	return out
}

// TestSameSummaryLeavesTheWorkbook: a pass that reads a report again (its
// file saved anew, the same text) builds the summary, finds it the same as
// the workbook holds, and leaves the workbook alone — no temporary file
// left beside it either; a real change replaces it.
func TestSameSummaryLeavesTheWorkbook(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	saved := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "boris.txt"} {
		c.write(t, name, apptest.ReportText("25.11.2026", 30))
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	c.pass(t, rfc("2026-11-25", 20, 0), "sync")
	workbook := filepath.Join(c.dir, "summary.xlsx")
	written, err := os.Stat(workbook)
	require.NoError(t, err)

	resaved := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "anna.txt"), resaved, resaved))
	second := c.pass(t, rfc("2026-11-25", 20, 20), "sync")
	require.NotNil(t, second.Summary)
	require.Empty(t, second.Summary.Error)
	again, err := os.Stat(workbook)
	require.NoError(t, err)
	require.Equal(t, written.ModTime(), again.ModTime(), "the same summary: the workbook is left alone")
	left, err := filepath.Glob(filepath.Join(c.dir, ".summary.xlsx.*"))
	require.NoError(t, err)
	require.Empty(t, left, "the summary written beside the workbook is removed")

	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 31))
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "anna.txt"), resaved.Add(time.Hour), resaved.Add(time.Hour)))
	c.pass(t, rfc("2026-11-25", 20, 40), "sync")
	changed, err := os.Stat(workbook)
	require.NoError(t, err)
	require.NotEqual(t, written.ModTime(), changed.ModTime(), "a changed summary replaces the workbook")
}

// TestChangedReportCopiesTheRest: a team whose Сводка is some segments of
// rows long (a week of 60 employees: some with a week of reports in one
// file, some invalid, some with a note that reads as a formula, some with
// no file). One employee corrects a report: the pass says in its log that
// it copied the unchanged segments from the workbook it replaces, and the
// workbook it leaves holds what one built from nothing holds.
func TestChangedReportCopiesTheRest(t *testing.T) {
	t.Parallel()
	var roster strings.Builder
	roster.WriteString("employees:\n")
	for i := range 60 {
		fmt.Fprintf(&roster, "  - {id: e%02d, name: Сотрудник %d}\n", i, i)
	}
	c := newCLITeam(t, roster.String())
	text, err := os.ReadFile(c.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(c.config, []byte(strings.Replace(string(text), "log: {level: warn}", "log: {level: debug}", 1)), 0o644))
	saved := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	report := func(i, calls int) string {
		var week strings.Builder
		for d := 25; d >= 19; d-- {
			switch {
			case i%9 == 4 && d == 24:
				fmt.Fprintf(&week, "%d.11.2026\nНовые звонки: много\n\n", d)
			case i%5 == 2:
				fmt.Fprintf(&week, "%s\u00a0=HYPERLINK(\"http://x\")\n\n", apptest.ReportText(fmt.Sprintf("%d.11.2026", d), calls+d))
			default:
				fmt.Fprintf(&week, "%s\n\n", apptest.ReportText(fmt.Sprintf("%d.11.2026", d), calls+d))
			}
		}
		return week.String()
	}
	for i := range 60 {
		if i%13 == 7 {
			continue // no file: absent
		}
		name := fmt.Sprintf("e%02d.txt", i)
		c.write(t, name, report(i, i))
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	c.pass(t, rfc("2026-11-25", 20, 0), "sync")
	workbook := filepath.Join(c.dir, "summary.xlsx")

	// The last employee corrects today's calls.
	c.write(t, "e59.txt", report(59, 100))
	edited := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "e59.txt"), edited, edited))
	code, _, stderr := c.run(t, rfc("2026-11-25", 20, 20), "sync", "--format", "json")
	require.Equal(t, 0, code, stderr)
	copied := regexp.MustCompile(`"segments_copied":(\d+)`).FindStringSubmatch(stderr)
	require.NotNil(t, copied, stderr)
	n, err := strconv.Atoi(copied[1])
	require.NoError(t, err)
	require.Positive(t, n, "the segments before the changed row are copied")
	got := workbookCells(t, workbook)

	// The same moment again (the summary says when it was made), the
	// workbook deleted: built from nothing.
	require.NoError(t, os.Remove(workbook))
	c.pass(t, rfc("2026-11-25", 20, 20), "sync")
	require.Equal(t, workbookCells(t, workbook), got, "the workbook after one change is the one built from nothing")
}
