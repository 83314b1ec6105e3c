package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/app/apptest"
)

// quietPass runs sync at now with debug logs and tells whether it was a
// quiet pass (nothing changed since the previous one: no per-employee
// judging, no summary build).
func (c *cliTeam) quietPass(t *testing.T, now string) (*passJSON, bool) {
	t.Helper()
	res, stderr := c.debugPass(t, now)
	return res, strings.Contains(stderr, "quiet pass: nothing changed")
}

// debugPass runs sync at now with debug logs: its result and its log.
func (c *cliTeam) debugPass(t *testing.T, now string) (*passJSON, string) {
	t.Helper()
	code, out, stderr := c.run(t, now, "sync", "--format", "json", "--log-level", "debug")
	require.Equal(t, 0, code, stderr)
	var res passJSON
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	return &res, stderr
}

// TestQuietPollStillCloses: polls in which nobody touches a report are
// quiet, but a deadline that passes between two polls still makes the
// day absent, in each employee's own time zone (Vera in Yekaterinburg
// closes at 19:00 Moscow time, Boris at 21:00), exactly when a full pass
// would: a pass at the very deadline does not close it yet, the next one
// does. The workbook is written only by the passes that changed it.
func TestQuietPollStillCloses(t *testing.T) {
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n"+
		"  - {id: vera, name: Вера, timezone: Asia/Yekaterinburg}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 40)+"\n"+apptest.ReportText("24.11.2026", 12))
	c.write(t, "vera.txt", "Отчёты\n\n"+apptest.ReportText("20.11.2026", 9)) // an old report only
	saved := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "vera.txt"} {
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	workbook := filepath.Join(c.dir, "summary.xlsx")
	stamp := func() time.Time {
		st, err := os.Stat(workbook)
		require.NoError(t, err)
		return st.ModTime()
	}
	open := map[string]string{"anna": "submitted", "boris": "missing", "vera": "missing"}

	first, quiet := c.quietPass(t, rfc("2026-11-25", 12, 0))
	require.False(t, quiet, "the first pass reads everything")
	require.Equal(t, open, first.statuses())
	written := stamp()
	before := dumpState(t, filepath.Join(c.dir, "state.db"))

	second, quiet := c.quietPass(t, rfc("2026-11-25", 12, 20))
	require.True(t, quiet)
	require.Equal(t, open, second.statuses())
	require.Equal(t, first.Employees, second.Employees)
	require.Equal(t, 1, second.CRM.Unchanged, "anna's record is held")
	require.Equal(t, before, dumpState(t, filepath.Join(c.dir, "state.db")), "a quiet poll writes nothing")
	require.Equal(t, written, stamp(), "a quiet poll leaves the workbook alone")

	// 19:30 in Moscow is 21:30 in Yekaterinburg: Vera's deadline passed.
	vera, quiet := c.quietPass(t, rfc("2026-11-25", 19, 30))
	require.False(t, quiet, "a deadline passed since the last poll")
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "missing", "vera": "absent"}, vera.statuses())
	require.Equal(t, 1, vera.Closed)
	require.Equal(t, 1, vera.CRM.Pushed, "vera's absence goes to the CRM")
	require.Equal(t, "absent", string(c.days(t)["vera 2026-11-25"].Status))
	require.NotEqual(t, written, stamp(), "the absence is in the workbook")
	written = stamp()

	again, quiet := c.quietPass(t, rfc("2026-11-25", 19, 50))
	require.True(t, quiet)
	require.Equal(t, vera.statuses(), again.statuses())
	require.Zero(t, again.Closed)
	require.Zero(t, again.CRM.Pushed)
	require.Equal(t, written, stamp())

	// Boris's deadline is 21:00 (19:00 and two hours of grace): a pass at
	// that very moment does not close the day yet, and is not quiet either.
	at, quiet := c.quietPass(t, rfc("2026-11-25", 21, 0))
	require.False(t, quiet, "a deadline falls on this pass's moment")
	require.Equal(t, "missing", at.statuses()["boris"])
	after, quiet := c.quietPass(t, time.Date(2026, 11, 25, 18, 0, 30, 0, time.UTC).Format(time.RFC3339))
	require.False(t, quiet, "the deadline the previous pass stood on has passed")
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "absent", "vera": "absent"}, after.statuses())
	require.Equal(t, 2, after.Closed, "anna's day and boris's close")
	late, quiet := c.quietPass(t, rfc("2026-11-25", 21, 20))
	require.True(t, quiet)
	require.Equal(t, after.statuses(), late.statuses())

	// The next morning is a new pass date: judged in full.
	morning, quiet := c.quietPass(t, rfc("2026-11-26", 9, 0))
	require.False(t, quiet, "the date rolled over")
	require.Equal(t, map[string]string{"anna": "missing", "boris": "missing", "vera": "missing"}, morning.statuses())
	require.Equal(t, "2026-11-26", morning.Date)
}

// TestQuietPollThenOneChange: after quiet polls, one employee corrects his
// calls. That pass judges in full and rewrites the workbook, which then
// holds exactly what a workbook built from scratch on the same state holds
// (every cell of every sheet), and differs from the one before the edit.
func TestQuietPollThenOneChange(t *testing.T) {
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n  - {id: gleb, name: Глеб}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 40))
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 30)+"\n"+apptest.ReportText("24.11.2026", 31))
	c.write(t, "gleb.txt", "25.11.2026\nНовые звонки: двадцать\n")
	saved := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "boris.txt", "gleb.txt"} {
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	workbook := filepath.Join(c.dir, "summary.xlsx")
	_, quiet := c.quietPass(t, rfc("2026-11-25", 12, 0))
	require.False(t, quiet)
	polled, quiet := c.quietPass(t, rfc("2026-11-25", 12, 20))
	require.True(t, quiet)
	unedited := workbookCells(t, workbook)

	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 77)+"\n"+apptest.ReportText("24.11.2026", 31))
	edited := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "boris.txt"), edited, edited))
	changed, log := c.debugPass(t, rfc("2026-11-25", 12, 40))
	require.NotContains(t, log, "quiet pass: nothing changed", "a report changed")
	require.Contains(t, log, `"judged":1,`)
	require.Contains(t, log, "only the employees whose documents changed are judged in full")
	require.Equal(t, 1, changed.CRM.Pushed)
	require.Equal(t, 2, changed.CRM.Unchanged, "anna's record and gleb's (his report is invalid: a record too), held")
	var ids []string
	for _, e := range changed.Employees {
		ids = append(ids, e.ID)
	}
	require.Equal(t, []string{"anna", "boris", "gleb"}, ids, "in roster order, boris judged in full between the others")
	require.Equal(t, polled.statuses(), changed.statuses())
	require.Equal(t, "submitted", string(employeeOf(t, changed, "boris").Status))
	require.InDelta(t, 77.0, c.days(t)["boris 2026-11-25"].Metrics["new_calls"], 0)
	got := workbookCells(t, workbook)
	require.NotEqual(t, unedited, got)
	var differ []string
	for cell, v := range got {
		if unedited[cell] != v {
			differ = append(differ, cell+"="+v)
		}
	}
	require.NotEmpty(t, differ)

	// The same moment again, the workbook deleted: a quiet pass that
	// builds the summary from scratch.
	require.NoError(t, os.Remove(workbook))
	_, quiet = c.quietPass(t, rfc("2026-11-25", 12, 40))
	require.True(t, quiet)
	require.Equal(t, workbookCells(t, workbook), got, "the workbook after one change is the one built from scratch")
}

// employeeOf finds an employee's row in a pass result.
func employeeOf(t *testing.T, res *passJSON, id string) employeeJSON {
	t.Helper()
	for _, e := range res.Employees {
		if e.ID == id {
			return e
		}
	}
	require.Failf(t, "no employee", "%s", id)
	return employeeJSON{}
}

// workbookCells reads every cell's value of every sheet, keyed "sheet!A1".
func workbookCells(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	out := map[string]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		for r, row := range rows {
			for col, v := range row {
				name, err := excelize.CoordinatesToCellName(col+1, r+1)
				require.NoError(t, err)
				out[sheet+"!"+name] = v
			}
		}
	}
	return out
}

// TestOneChangedReportVerifiedAgainstFacts: through `sync --now`, a team
// with the builtin CRM's facts (one report typed with no-break spaces and
// a decimal comma, one that does not parse, one employee absent) polls
// quietly; then one employee overstates his calls. That pass judges him
// alone in full, asks the CRM's facts for him alone, and flags the day
// against them as a full pass does; nobody else's day changes.
func TestOneChangedReportVerifiedAgainstFacts(t *testing.T) {
	c := newCLITeam(t, "crm: {adapter: builtin, builtin: {facts: facts.csv}}\nemployees:\n"+
		"  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n  - {id: gleb, name: Глеб}\n  - {id: vera, name: Вера}\n")
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "facts.csv"),
		[]byte("date,crm_user_id,metric,value\n2026-11-25,anna,calls,40\n2026-11-25,boris,calls,30\n2026-11-25,gleb,calls,12\n"), 0o644))
	c.write(t, "anna.txt", strings.ReplaceAll(apptest.ReportText("25.11.2026", 40), ": ", ":\u00a0"))
	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 30))
	c.write(t, "gleb.txt", "25.11.2026\nНовые звонки: двадцать\n")
	saved := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"anna.txt", "boris.txt", "gleb.txt"} {
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), saved, saved))
	}
	_, quiet := c.quietPass(t, rfc("2026-11-25", 12, 0))
	require.False(t, quiet)
	before := c.days(t)
	for k, d := range before {
		require.Empty(t, d.Flags, "%s: %v", k, d.Flags)
	}
	_, quiet = c.quietPass(t, rfc("2026-11-25", 12, 20))
	require.True(t, quiet)

	c.write(t, "boris.txt", apptest.ReportText("25.11.2026", 77))
	edited := saved.Add(time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", "boris.txt"), edited, edited))
	res, log := c.debugPass(t, rfc("2026-11-25", 12, 40))
	require.Contains(t, log, `"judged":1,`, "boris alone judged in full")
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "submitted", "gleb": "invalid", "vera": "missing"}, res.statuses())
	after := c.days(t)
	require.Equal(t, []string{"overstated"}, flagCodes(after["boris 2026-11-25"].Flags), "77 calls reported, 30 in the CRM")
	for k, d := range after {
		if k == "boris 2026-11-25" {
			continue
		}
		require.Equal(t, before[k].Status, d.Status, k)
		require.Empty(t, d.Flags, "%s: %v", k, d.Flags)
	}
}
