package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/crm/bitrix24/bitrix24fake"
	"github.com/dayreport/dayreport/pkg/pass"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/store"
)

// The day ledger and the commands' messages, tried the way a user runs the
// commands: through the cobra command line with --now, on local reports.

// cliTeam is a folder with a dayreport.yaml over local reports.
type cliTeam struct {
	dir, config string
}

func newCLITeam(t *testing.T, yamlText string) *cliTeam {
	t.Helper() // $DAYREPORT_CONFIG is unset for the whole package (TestMain)
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "reports"), 0o755))
	text := "company: {timezone: Europe/Moscow, language: ru}\nlocal: {dir: reports}\nstate: {path: state.db}\n" +
		"summary: {xlsx: summary.xlsx}\nlog: {level: warn}\n" + yamlText
	c := &cliTeam{dir: dir, config: filepath.Join(dir, "dayreport.yaml")}
	require.NoError(t, os.WriteFile(c.config, []byte(text), 0o644))
	return c
}

func (c *cliTeam) write(t *testing.T, name, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "reports", name), []byte(text), 0o644))
}

// run runs the command with the team's config; now is RFC 3339.
func (c *cliTeam) run(t *testing.T, now string, args ...string) (int, string, string) {
	t.Helper()
	return execCLI(t, append(args, "--config", c.config, "--now", now)...)
}

// passJSON is what the tests read of a pass's JSON (SPEC §2).
type passJSON struct {
	Date      string              `json:"date"`
	Employees []employeeJSON      `json:"employees"`
	Earlier   []employeeJSON      `json:"earlier"`
	Closed    int                 `json:"closed"`
	CRM       pass.CRMResult      `json:"crm"`
	Sent      []pass.Sent         `json:"sent"`
	WouldSend []pass.Sent         `json:"would_send"`
	Summary   *pass.SummaryResult `json:"summary"`
}

type employeeJSON struct {
	ID     string        `json:"id"`
	Date   string        `json:"date"`
	Status report.Status `json:"status"`
}

// statuses maps employee id to status.
func (r *passJSON) statuses() map[string]string {
	out := map[string]string{}
	for _, e := range r.Employees {
		out[e.ID] = string(e.Status)
	}
	return out
}

// pass runs a pass command with --format json and decodes its result.
func (c *cliTeam) pass(t *testing.T, now string, args ...string) *passJSON {
	t.Helper()
	code, out, stderr := c.run(t, now, append(args, "--format", "json")...)
	require.Equal(t, 0, code, stderr)
	var res passJSON
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	return &res
}

// days reads every stored employee-day, keyed "employee date".
func (c *cliTeam) days(t *testing.T) map[string]store.Day {
	t.Helper()
	return apptest.StoredDays(t, filepath.Join(c.dir, "state.db"))
}

// statusesOf maps "employee date" to status.
func statusesOf(days map[string]store.Day) map[string]report.Status {
	out := make(map[string]report.Status, len(days))
	for k, d := range days {
		out[k] = d.Status
	}
	return out
}

func rfc(date string, hour, minute int) string {
	return apptest.Msk(date, hour, minute).Format(time.RFC3339)
}

// TestLedgerDowntimeWeek: a pass on Monday 16 November, the server off on
// the 17th and 18th, a pass on the 19th: the reports of the 17th are
// imported (submitted: there is no evidence of lateness), and whoever wrote
// nothing is absent on each day, with one CRM record each. A rerun changes
// nothing.
func TestLedgerDowntimeWeek(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	c.write(t, "anna.txt", apptest.ReportText("16.11.2026", 10)+"\n"+apptest.ReportText("17.11.2026", 11))

	res := c.pass(t, rfc("2026-11-16", 21, 0), "sync", "--date", "2026-11-16")
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "missing"}, res.statuses(),
		"21:00 is the deadline itself: not passed yet")

	res = c.pass(t, rfc("2026-11-19", 21, 0), "sync", "--date", "2026-11-19")
	require.Equal(t, map[string]string{"anna": "missing", "boris": "missing"}, res.statuses())
	require.Equal(t, 6, res.Closed, "16, 17 and 18 of both")
	require.Equal(t, map[report.Status]int{report.Absent: 4, report.Submitted: 1}, countStatuses(res.Earlier))
	require.Equal(t, map[string]report.Status{
		"anna 2026-11-16": report.Submitted, "anna 2026-11-17": report.Submitted, "anna 2026-11-18": report.Absent,
		"boris 2026-11-16": report.Absent, "boris 2026-11-17": report.Absent, "boris 2026-11-18": report.Absent,
	}, statusesOf(c.days(t)))
	for k, d := range c.days(t) {
		require.Equal(t, apptest.Msk("2026-11-19", 21, 0).UTC(), d.ClosedAt.UTC(), "%s closed by the pass of the 19th", k)
	}

	// The CRM holds one record per employee-day.
	s, err := store.Open(t.Context(), filepath.Join(c.dir, "state.db"), store.Options{ReadOnly: true})
	require.NoError(t, err)
	recs := apptest.BuiltinRecords(t, s)
	require.NoError(t, s.Close())
	require.Len(t, recs, 6)

	// A rerun closes and pushes nothing.
	res = c.pass(t, rfc("2026-11-19", 21, 0), "sync", "--date", "2026-11-19")
	require.Zero(t, res.Closed)
	require.Zero(t, res.CRM.Pushed)
}

func countStatuses(list []employeeJSON) map[report.Status]int {
	out := map[report.Status]int{}
	for _, e := range list {
		out[e.Status]++
	}
	return out
}

// TestLedgerTimeZones: a London and a Vladivostok employee are closed by
// the first pass after their own deadline, whatever date that pass is for.
func TestLedgerTimeZones(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "deadline: {time: \"19:00\", grace: 2h}\nemployees:\n"+
		"  - {id: liz, name: Лиз, timezone: Europe/London}\n  - {id: vera, name: Вера, timezone: Asia/Vladivostok}\n")

	// Monday 13:59 Moscow is 20:59 in Vladivostok: nobody is due.
	res := c.pass(t, rfc("2026-11-16", 13, 59), "sync", "--date", "2026-11-16")
	require.Zero(t, res.Closed)
	// 14:01 Moscow: Vladivostok's 21:01, vera's Monday closes.
	res = c.pass(t, rfc("2026-11-16", 14, 1), "sync", "--date", "2026-11-16")
	require.Equal(t, 1, res.Closed)
	// 23:40 Moscow, the last poll of the day: 20:40 in London, liz is not due.
	res = c.pass(t, rfc("2026-11-16", 23, 40), "sync", "--date", "2026-11-16")
	require.Zero(t, res.Closed)
	require.Equal(t, "missing", res.statuses()["liz"])
	// Tuesday's first pass, for Tuesday, at 17:00 Moscow: liz's Monday
	// (21:00 London = 00:00 Moscow) is closed by it.
	res = c.pass(t, rfc("2026-11-17", 17, 0), "sync", "--date", "2026-11-17")
	require.Equal(t, 2, res.Closed, "liz's Monday and vera's Tuesday (14:00 Moscow)")
	days := c.days(t)
	require.Equal(t, report.Absent, days["liz 2026-11-16"].Status)
	require.Equal(t, apptest.Msk("2026-11-17", 17, 0).UTC(), days["liz 2026-11-16"].ClosedAt.UTC())
	require.Equal(t, apptest.Msk("2026-11-16", 14, 1).UTC(), days["vera 2026-11-16"].ClosedAt.UTC())
	require.Equal(t, report.Absent, days["vera 2026-11-17"].Status)
	_, ok := days["liz 2026-11-17"]
	require.False(t, ok, "liz's Tuesday is not due yet")
}

// TestLedgerTransferredSaturday: Saturday 01.11.2025 is a working day (the
// decree moved it from Monday 03.11); 02.11 is a Sunday, 03.11 the day off
// it moved to, 04.11 a holiday. The next pass closes the Saturday and
// leaves the other three free.
func TestLedgerTransferredSaturday(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	c.write(t, "anna.txt", apptest.ReportText("01.11.2025", 8))
	res := c.pass(t, rfc("2025-10-31", 22, 0), "sync", "--date", "2025-10-31")
	require.Equal(t, 2, res.Closed)
	// The next pass is on Wednesday 5 November, before its deadline.
	res = c.pass(t, rfc("2025-11-05", 12, 0), "sync", "--date", "2025-11-05")
	require.Equal(t, 2, res.Closed)
	require.Equal(t, map[string]report.Status{
		"anna 2025-10-31": report.Absent, "boris 2025-10-31": report.Absent,
		"anna 2025-11-01": report.Submitted, "boris 2025-11-01": report.Absent,
	}, statusesOf(c.days(t)), "nothing on 02-04.11")
}

// TestLedgerStart: no day exists for an employee before their start: no
// absence, no record, not in the pass's table, not in a backfill.
func TestLedgerStart(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: nina, name: Нина, start: 2026-11-18}\n")
	res := c.pass(t, rfc("2026-11-16", 22, 0), "sync", "--date", "2026-11-16")
	require.Equal(t, map[string]string{"anna": "absent"}, res.statuses(), "nina has not started")
	code, out, stderr := c.run(t, rfc("2026-11-20", 22, 0), "backfill", "--from", "2026-11-16", "--to", "2026-11-20", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var bf pass.BackfillResult
	require.NoError(t, json.Unmarshal([]byte(out), &bf))
	days := c.days(t)
	for _, d := range []string{"2026-11-16", "2026-11-17"} {
		_, ok := days["nina "+d]
		require.False(t, ok, "nina on %s", d)
	}
	for _, d := range []string{"2026-11-18", "2026-11-19", "2026-11-20"} {
		require.Equal(t, report.Absent, days["nina "+d].Status, d)
	}
	require.Equal(t, map[report.Status]int{report.Absent: 7}, bf.Records, "anna 17-20 and nina 18-20; anna's 16th was pushed before")
}

// TestCloseDaySendsTheDigestOnce: close-day sends the manager's digest of
// the day; a rerun does not; --no-notify sends nothing.
func TestCloseDaySendsTheDigestOnce(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "notify: {console: true}\nemployees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 10))
	code, out, stderr := c.run(t, rfc("2026-11-25", 21, 30), "close-day", "--date", "2026-11-25", "--no-notify")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "Итоги дня")
	code, out, stderr = c.run(t, rfc("2026-11-25", 21, 31), "close-day", "--date", "2026-11-25")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 1, strings.Count(out, "→ manager: Итоги дня 25.11.2026"), out)
	require.Contains(t, out, "отсутствовал: Борис")
	code, out, stderr = c.run(t, rfc("2026-11-25", 21, 40), "close-day", "--date", "2026-11-25")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "Итоги дня", "a rerun sends no second digest")
}

// TestSyncSendsWhatIsDue: sync sends an invalid report's error list when it
// first sees it, a due reminder once, and --dry-run lists exactly what the
// real run then sends.
func TestSyncSendsWhatIsDue(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "notify: {console: true}\nreminders: [{at: \"18:30\"}]\n"+
		"employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	c.write(t, "boris.txt", "25.11.2026\nНовые звонки: много\n")
	// 12:00: no reminder is due; boris's errors go out at once.
	code, out, stderr := c.run(t, rfc("2026-11-25", 12, 0), "sync")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 1, strings.Count(out, "→ Борис (boris): Ошибки в отчёте за 25.11.2026"), out)
	require.Contains(t, out, "«Новые звонки»: «много»")
	require.NotContains(t, out, "→ Анна")
	code, out, _ = c.run(t, rfc("2026-11-25", 12, 20), "sync")
	require.Equal(t, 0, code)
	require.NotContains(t, out, "→ ", "nothing twice")

	// 18:35: anna's reminder is due. The dry run lists it and sends nothing.
	res := c.pass(t, rfc("2026-11-25", 18, 35), "sync", "--dry-run")
	require.Len(t, res.WouldSend, 1)
	require.Equal(t, "anna", res.WouldSend[0].To)
	require.Empty(t, res.Sent)
	res = c.pass(t, rfc("2026-11-25", 18, 36), "sync")
	require.Equal(t, []pass.Sent{{Key: "remind:anna:2026-11-25:1830", To: "anna", Subject: "Отчёт за 25.11.2026"}}, res.Sent)
	res = c.pass(t, rfc("2026-11-25", 18, 40), "sync")
	require.Empty(t, res.Sent, "the reminder went out once")
}

// TestUncoveredYearRefused: a date the production calendar does not know
// is a configuration to complete (exit 2, naming the year and the key); a
// config that declares the year is accepted and its holidays honoured.
func TestUncoveredYearRefused(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n")
	code, out, stderr := c.run(t, "2028-01-03T22:00:00+03:00", "close-day", "--date", "2028-01-03")
	require.Equal(t, 2, code, stderr)
	require.Empty(t, out)
	require.Contains(t, stderr, "no data for 2028")
	require.Contains(t, stderr, "calendar.years")
	code, _, stderr = c.run(t, "2028-01-03T22:00:00+03:00", "backfill", "--from", "2027-12-27", "--to", "2028-01-10")
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "no data for 2028")
	_, err := os.Stat(filepath.Join(c.dir, "state.db"))
	require.NoError(t, err, "the state database exists")
	require.Empty(t, c.days(t), "and holds no day")

	d := newCLITeam(t, "calendar: {years: [{year: 2028, holidays: [2028-01-01, 2028-01-02, 2028-01-03]}]}\nemployees:\n  - {id: anna, name: Анна}\n")
	res := d.pass(t, "2028-01-03T22:00:00+03:00", "close-day", "--date", "2028-01-03")
	require.Equal(t, map[string]string{"anna": "day_off"}, res.statuses())
	require.Zero(t, res.Closed)
}

// TestBackfillDryRun: backfill --dry-run says what it would push, by
// status, and writes nothing; the real backfill then pushes exactly that.
func TestBackfillDryRun(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	c.write(t, "anna.txt", apptest.ReportText("16.11.2026", 10)+"\n"+apptest.ReportText("17.11.2026", 9)+"\n"+
		"18.11.2026\nНовые звонки: много\n")
	args := []string{"backfill", "--from", "2026-11-16", "--to", "2026-11-20"}
	code, out, stderr := c.run(t, rfc("2026-11-20", 22, 0), append(args, "--dry-run")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "пробный прогон: ничего не записано и не отправлено")
	require.Contains(t, out, "Было бы отправлено в CRM записей: 10 (сдан 2, с ошибками 1, отсутствовал 7)")
	_, err := os.Stat(filepath.Join(c.dir, "state.db"))
	require.ErrorIs(t, err, os.ErrNotExist, "a dry run writes nothing")
	_, err = os.Stat(filepath.Join(c.dir, "summary.xlsx"))
	require.ErrorIs(t, err, os.ErrNotExist)

	code, out, stderr = c.run(t, rfc("2026-11-20", 22, 0), args...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Записей в CRM поставлено в очередь: 10 (сдан 2, с ошибками 1, отсутствовал 7)")
	require.Contains(t, out, "отправлено 10")
}

// TestConfigCheckWarns: config check passes but warns about a day-of-week
// field the daemon ignores and a production calendar in its last year.
func TestConfigCheckWarns(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "schedule: {poll: \"*/20 17-23 * * 1-5\"}\nemployees:\n  - {id: anna, name: Анна}\n")
	code, out, stderr := execCLI(t, "config", "check", "--config", c.config, "--now", "2027-03-01T12:00:00+03:00")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "ok (1 employees")
	require.Contains(t, stderr, `schedule.poll "*/20 17-23 * * 1-5": the day-of-week field is ignored`)
	require.Contains(t, stderr, "calendar: 2027 is the last year the production calendar knows")
	require.Contains(t, stderr, "calendar.years declares 2028")
	code, _, stderr = execCLI(t, "config", "check", "--config", c.config, "--now", "2026-03-01T12:00:00+03:00")
	require.Equal(t, 0, code)
	require.NotContains(t, stderr, "last year")
}

// TestBackfillReplayNoNotify: --no-notify keeps a replay quiet.
func TestBackfillReplayNoNotify(t *testing.T) {
	t.Parallel()
	cfg, _ := demoConfig(t)
	code, out, stderr := execCLI(t, "backfill", "--config", cfg, "--from", "2026-10-26", "--to", "2026-11-06", "--replay",
		"--no-notify", "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, 0, code, stderr)
	for _, sent := range []string{"→ Дмитрий Волков", "→ Алексей Кузнецов", "→ manager"} {
		require.NotContains(t, out, sent)
	}
	require.Contains(t, out, "отправлено 83")
}

// TestBackfillReplayDryRunCountsWhatTheReplayPushes: a dry replay judges
// its days as the real one does (the ledger included): the same records.
func TestBackfillReplayDryRunCountsWhatTheReplayPushes(t *testing.T) {
	t.Parallel()
	cfg, _ := demoConfig(t)
	args := []string{"backfill", "--config", cfg, "--from", "2026-10-26", "--to", "2026-11-06", "--replay", "--format", "json",
		"--now", "2026-11-26T12:00:00+03:00"}
	records := func(args ...string) map[string]int {
		code, out, stderr := execCLI(t, args...)
		require.Equal(t, 0, code, stderr)
		var res struct {
			Records map[string]int `json:"records"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &res))
		return res.Records
	}
	dry := records(append(args, "--dry-run")...)
	require.Equal(t, map[string]int{"submitted": 75, "late": 1, "invalid": 1, "absent": 1, "on_leave": 4}, dry)
	require.Equal(t, dry, records(args...))
}

// TestBackfillAsksAtATerminal: at a terminal, backfill says what it will
// push and goes on only on yes; --yes does not ask.
func TestBackfillAsksAtATerminal(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n")
	args := []string{"backfill", "--config", c.config, "--from", "2026-11-16", "--to", "2026-11-20", "--now", rfc("2026-11-20", 22, 0)}
	term := func(answer string, extra ...string) (int, string, string) {
		var out, errOut strings.Builder
		code := runIO(t.Context(), append(args, extra...), strings.NewReader(answer), &out, &errOut, true)
		return code, out.String(), errOut.String()
	}
	code, out, stderr := term("нет\n")
	require.Equal(t, 0, code, stderr)
	require.Empty(t, out)
	require.Contains(t, stderr, "Было бы отправлено в CRM записей: 5 (отсутствовал 5)\nПродолжить? [д/Н] ")
	require.Contains(t, stderr, "Отменено: ничего не записано и не отправлено.")
	_, err := os.Stat(filepath.Join(c.dir, "state.db"))
	require.ErrorIs(t, err, os.ErrNotExist, "a cancelled backfill writes nothing")

	code, out, stderr = term("да\n")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "отправлено 5")
	code, out, stderr = term("", "--yes")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stderr, "Продолжить?")
	require.Contains(t, out, "отправлено 0", "nothing new to push")
}

// TestSyncNamesStrayFiles: a report file that matches no employee is named,
// with the id it most likely meant, and its writer's day is judged as usual.
func TestSyncNamesStrayFiles(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: ivanov, name: Иван}\n  - {id: petrova, name: Анна}\n")
	c.write(t, "ivanv.txt", apptest.ReportText("25.11.2026", 10))
	c.write(t, "Petrova.txt", apptest.ReportText("25.11.2026", 10))
	code, out, stderr := c.run(t, rfc("2026-11-25", 12, 0), "sync")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Файлы отчётов, которые никто не читает:\n  Petrova.txt: нет сотрудника Petrova; может быть, petrova?\n"+
		"  ivanv.txt: нет сотрудника ivanv; может быть, ivanov?\n")
	res := c.pass(t, rfc("2026-11-25", 12, 0), "sync")
	require.Equal(t, map[string]string{"ivanov": "missing", "petrova": "missing"}, res.statuses())
}

// TestOldPassKeepsTheManagersWindow: a pass for an old date writes the
// summary of the configured window ending on the newest stored day, not a
// window around the old date.
func TestOldPassKeepsTheManagersWindow(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n")
	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 10)+"\n"+apptest.ReportText("02.11.2026", 10))
	code, out, stderr := c.run(t, rfc("2026-11-25", 22, 0), "sync", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var res struct {
		Summary pass.SummaryResult `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, pass.SummaryResult{Path: filepath.Join(c.dir, "summary.xlsx"), From: "2026-11-16", To: "2026-11-25"}, res.Summary)
	code, out, stderr = c.run(t, rfc("2026-11-25", 22, 5), "sync", "--date", "2026-11-02", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, "2026-11-25", res.Summary.To, "the manager's fortnight, not the week of 2 November")
	// A command that only looks at a window leaves the workbook alone.
	before, err := os.ReadFile(filepath.Join(c.dir, "summary.xlsx"))
	require.NoError(t, err)
	code, out, stderr = c.run(t, rfc("2026-11-25", 22, 10), "funnel", "--from", "2026-11-02", "--to", "2026-11-02", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"from": "2026-11-02"`)
	after, err := os.ReadFile(filepath.Join(c.dir, "summary.xlsx"))
	require.NoError(t, err)
	require.Equal(t, before, after)
}

// TestSyncReadsWhatEditorsSave: reports as people's editors save them —
// Notepad's «Юникод» (UTF-16 with a byte-order mark, CRLF), old Excel's
// Windows-1251, UTF-8 with a byte-order mark and non-breaking spaces, UTF-8
// with one broken byte — are all read by `sync` with their numbers.
func TestSyncReadsWhatEditorsSave(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n"+
		"  - {id: vera, name: Вера}\n  - {id: gleb, name: Глеб}\n")
	text := strings.ReplaceAll(apptest.ReportText("25.11.2026", 120), "Новые звонки: 120", "Новые\u00a0звонки:\u00a0120 шт")
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range strings.ReplaceAll(text, "\n", "\r\n") {
		utf16 = append(utf16, byte(r), byte(r>>8))
	}
	cp1251, err := charmap.Windows1251.NewEncoder().String(strings.ReplaceAll(text, "\u00a0", " "))
	require.NoError(t, err)
	broken := []byte(text)
	broken = append(broken[:len(broken)-1:len(broken)-1], 0xD0, '\n')
	c.write(t, "anna.txt", string(utf16))
	c.write(t, "boris.txt", cp1251)
	c.write(t, "vera.txt", "\uFEFF"+text)
	c.write(t, "gleb.txt", string(broken))
	res := c.pass(t, rfc("2026-11-25", 12, 0), "sync")
	require.Equal(t, map[string]string{"anna": "submitted", "boris": "submitted", "vera": "submitted", "gleb": "submitted"}, res.statuses())
	code, out, stderr := c.run(t, rfc("2026-11-25", 12, 0), "sync")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 4, strings.Count(out, "сдан    120"), out)
}

// TestCRMSetupThenSync: a new Bitrix24 portal, a configuration with only the
// webhook: `crm setup --dry-run` creates nothing, `crm setup` creates the
// smart process and prints the block, a second run creates nothing; with the
// block pasted next to the webhook, `config check` passes and `sync` writes
// the day's report into the portal.
func TestCRMSetupThenSync(t *testing.T) {
	t.Parallel()
	b24 := bitrix24fake.New(t, bitrix24fake.Options{})
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна, crm_user_id: \"7\"}\n")
	base, err := os.ReadFile(c.config)
	require.NoError(t, err)
	webhook := fmt.Sprintf("webhook_url: %q", b24.WebhookURL())
	require.NoError(t, os.WriteFile(c.config, append(base, "crm:\n  adapter: bitrix24\n  bitrix24:\n    "+webhook+"\n"...), 0o600))
	created := func() int {
		n := 0
		for _, r := range b24.Requests() {
			if r.Method == "crm.type.add" || r.Method == "userfieldconfig.add" {
				n++
			}
		}
		return n
	}
	code, _, stderr := execCLI(t, "config", "check", "--config", c.config)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "run `dayreport crm setup`")

	code, out, stderr := execCLI(t, "crm", "setup", "--dry-run", "--config", c.config)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "would create")
	require.Zero(t, created())
	code, out, stderr = execCLI(t, "crm", "setup", "--config", c.config)
	require.Equal(t, 0, code, stderr)
	require.Positive(t, created())
	n := created()
	code, again, stderr := execCLI(t, "crm", "setup", "--config", c.config)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, n, created(), "a second run creates nothing")

	_, block, ok := strings.Cut(out, "# Paste into the configuration, next to the credentials:\n")
	require.True(t, ok, out)
	_, blockAgain, _ := strings.Cut(again, "# Paste into the configuration, next to the credentials:\n")
	require.Equal(t, block, blockAgain)
	pasted := strings.Replace(block, "    bitrix24:\n", "    bitrix24:\n        "+webhook+"\n", 1)
	require.NoError(t, os.WriteFile(c.config, append(base, pasted...), 0o600))
	code, _, stderr = execCLI(t, "config", "check", "--config", c.config)
	require.Equal(t, 0, code, stderr)

	c.write(t, "anna.txt", apptest.ReportText("25.11.2026", 10))
	res := c.pass(t, rfc("2026-11-25", 12, 0), "sync")
	require.Equal(t, 1, res.CRM.Pushed)
	items := b24.Objects(t)
	require.Len(t, items, 1)
	require.Equal(t, "dayreport:anna:2026-11-25", items[0].Key)
	require.Equal(t, "submitted", items[0].Status)
	require.InDelta(t, 10, items[0].Metrics["new_calls"], 0, "through the fields setup created")
}
