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

	"github.com/dayreport/dayreport/pkg/app/apptest"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/store"
)

// verifyReport is a day's report with the given payments.
func verifyReport(date string, payments string) string {
	return date + "\nНовые звонки: 18\nПовторные звонки: 5\nОтправлено КП: 3\nВыставлено счетов и договоров: 2\n" +
		"Подписано договоров: 2\nОплаты: " + payments + "\nЗвонки по обратной связи: 2\nОценка работы компании: 4,5\n"
}

// TestEditedAfterTheClose: a report written at 20:45, before the 21:00
// deadline, first read by the close pass at 22:01, then changed from 2
// payments to 3 two days later, is edited late: measured from the version
// the day was closed with, with before → after in the flag, the CRM record
// and the stored day; the reported number is the new one, not changed by
// the flag.
func TestEditedAfterTheClose(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "deadline: {time: \"21:00\", grace: 0s}\nemployees:\n  - {id: anna, name: Анна}\n")
	file := filepath.Join(c.dir, "reports", "anna.txt")
	c.write(t, "anna.txt", verifyReport("24.11.2026", "2"))
	written := apptest.Msk("2026-11-24", 20, 45)
	require.NoError(t, os.Chtimes(file, written, written))

	code, _, stderr := c.run(t, rfc("2026-11-24", 22, 1), "close-day", "--date", "2026-11-24", "--no-notify")
	require.Equal(t, 0, code, stderr)
	day := c.days(t)["anna 2026-11-24"]
	require.Equal(t, apptest.Msk("2026-11-24", 22, 1).UTC(), day.ClosedAt.UTC())
	require.Empty(t, day.Flags, "closed with what it holds: nothing to compare yet")

	// Thursday noon: the payments become 3.
	c.write(t, "anna.txt", verifyReport("24.11.2026", "3")+"\n"+verifyReport("26.11.2026", "0"))
	code, out, stderr := c.run(t, rfc("2026-11-26", 12, 0), "sync", "--date", "2026-11-26", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var res struct {
		Earlier []struct {
			ID    string     `json:"id"`
			Date  string     `json:"date"`
			Flags []crm.Flag `json:"flags"`
		} `json:"earlier"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Len(t, res.Earlier, 2, "the 24th changed, the 25th closed absent: %s", out)
	require.Equal(t, "2026-11-24", res.Earlier[0].Date)
	require.Empty(t, res.Earlier[1].Flags)
	flags := res.Earlier[0].Flags
	require.Len(t, flags, 1, out)
	f := flags[0]
	require.Equal(t, "edited_late", f.Code)
	require.Len(t, f.Changes, 1)
	require.Equal(t, "payments", f.Changes[0].Metric)
	require.InDelta(t, 2, *f.Changes[0].Before, 0)
	require.InDelta(t, 3, *f.Changes[0].After, 0)
	require.NotNil(t, f.EditedAt)
	require.Equal(t, apptest.Msk("2026-11-26", 12, 0).UTC(), f.EditedAt.UTC())
	require.Equal(t, "отчёт изменён после срока (26.11.2026 12:00): «Оплаты» 2 → 3; сравнение с версией, с которой день закрыт 24.11.2026 22:01", f.Message)
	require.Contains(t, out, `"changes"`)

	// The stored day and the CRM record carry it; the number is the new one.
	day = c.days(t)["anna 2026-11-24"]
	require.InDelta(t, 3, day.Metrics["payments"], 0, "a flag never changes a reported number")
	require.Equal(t, []string{"edited_late"}, flagCodes(day.Flags))
	s, err := store.Open(t.Context(), filepath.Join(c.dir, "state.db"), store.Options{ReadOnly: true})
	require.NoError(t, err)
	rec := apptest.BuiltinRecords(t, s)["dayreport:anna:2026-11-24"]
	require.NoError(t, s.Close())
	require.Equal(t, []string{"edited_late"}, flagCodes(rec.Flags))
	require.InDelta(t, 3, rec.Metrics["payments"], 0)

	// A later pass with nothing new keeps the flag and pushes nothing.
	code, out, stderr = c.run(t, rfc("2026-11-26", 12, 20), "sync", "--date", "2026-11-26", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, `"earlier"`)
	require.Equal(t, []string{"edited_late"}, flagCodes(c.days(t)["anna 2026-11-24"].Flags))
}

func flagCodes(flags []crm.Flag) []string {
	out := []string{}
	for _, f := range flags {
		out = append(out, f.Code)
	}
	return out
}

// TestConfigCheckVerifyFacts: config check refuses a fact kind no CRM
// records and a metric the template lacks (which would silently turn the
// check off), for a built-in template and for a template file; the sum of
// the calls a junior and a senior report is fine.
func TestConfigCheckVerifyFacts(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "verify:\n  facts:\n    telephony: new_calls\n    calls: calls\n    won: contracts_signed\nemployees:\n  - {id: anna, name: Анна}\n")
	code, _, stderr := execCLI(t, "config", "check", "--config", c.config, "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, exitUsage, code, stderr)
	require.Contains(t, stderr, `verify.facts.telephony: unknown fact kind "telephony" (want calls, proposals, invoices, won or payments)`)
	require.Contains(t, stderr, `verify.facts.calls: unknown metric "calls": the template sales-ru has no count metric by that key`)

	c = newCLITeam(t, "verify:\n  facts: {calls: new_calls+primary_calls, payments: payments}\nemployees:\n  - {id: anna, name: Анна}\n")
	code, out, stderr := execCLI(t, "config", "check", "--config", c.config, "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "ok (1 employees")

	// A template file: its metrics are checked once it is read.
	c = newCLITeam(t, "template: mine.yaml\nverify:\n  facts: {calls: new_calls+primary_calls}\nemployees:\n  - {id: anna, name: Анна}\n")
	tmpl := "name: mine\nmetrics:\n  - {key: calls_made, type: count, labels: [Звонки], labels_en: [Calls], min: 0, max: 1000}\n"
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "mine.yaml"), []byte(tmpl), 0o644))
	code, _, stderr = execCLI(t, "config", "check", "--config", c.config, "--now", "2026-11-26T12:00:00+03:00")
	require.Equal(t, exitUsage, code, stderr)
	require.Contains(t, stderr, `verify.facts.calls: unknown metric "new_calls": the template mine has no count metric by that key (want calls_made)`)
}

// TestExampleWeekRaisesNothing: four weeks of an honest employee whose
// every number matches the CRM's books (calls ±1 of the telephony), whose
// contracts are paid a week after signing: the last week has 5 payments
// against 3 contracts, and no day carries a flag.
func TestExampleWeekRaisesNothing(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "crm: {adapter: builtin, builtin: {facts: facts.csv}}\nemployees:\n  - {id: anna, name: Анна}\n")
	var dates []time.Time
	for d := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC); len(dates) < 20; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			dates = append(dates, d)
		}
	}
	signed := []int{1, 1, 0, 2, 1, 1, 1, 0, 2, 1, 0, 2, 1, 1, 1, 1, 0, 1, 0, 1}
	early := []int{1, 0, 1, 1, 0} // contracts signed before dayreport was installed
	var text, facts strings.Builder
	facts.WriteString("date,crm_user_id,metric,value\n")
	lastWeekPaid, lastWeekSigned := 0, 0
	for i, d := range dates {
		paid := 0
		if i < 5 {
			paid = early[i]
		} else {
			paid = signed[i-5]
		}
		if i >= 15 {
			lastWeekPaid += paid
			lastWeekSigned += signed[i]
		}
		calls := 18 + (i*7)%9
		fmt.Fprintf(&text, "%s\nНовые звонки: %d\nПовторные звонки: 6\nОтправлено КП: 3\nВыставлено счетов и договоров: 2\n"+
			"Подписано договоров: %d\nОплаты: %d\nЗвонки по обратной связи: 2\nОценка работы компании: 4,5\n\n",
			d.Format("02.01.2006"), calls, signed[i], paid)
		telephony := calls + []int{0, 1, -1, 0, 2, -2}[i%6]
		fmt.Fprintf(&facts, "%s,anna,calls,%d\n%s,anna,invoices,2\n%s,anna,won,%d\n",
			d.Format("2006-01-02"), telephony, d.Format("2006-01-02"), d.Format("2006-01-02"), signed[i])
	}
	require.Equal(t, 5, lastWeekPaid)
	require.Equal(t, 3, lastWeekSigned)
	c.write(t, "anna.txt", text.String())
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "facts.csv"), []byte(facts.String()), 0o644))

	code, _, stderr := c.run(t, rfc("2026-12-04", 22, 0), "backfill", "--from", "2026-11-09", "--to", "2026-12-04")
	require.Equal(t, 0, code, stderr)
	days := c.days(t)
	require.Len(t, days, 20)
	for k, d := range days {
		require.Equal(t, "submitted", string(d.Status), k)
		require.Empty(t, d.Flags, "%s: %v", k, d.Flags)
	}

	// The control: 20 calls more on the last day than the telephony logged,
	// written after the day was closed, is caught twice, and no other day
	// changes.
	last := fmt.Sprintf("04.12.2026\nНовые звонки: %d\n", 18+(19*7)%9)
	require.Contains(t, text.String(), last)
	c.write(t, "anna.txt", strings.Replace(text.String(), last, fmt.Sprintf("04.12.2026\nНовые звонки: %d\n", 18+(19*7)%9+20), 1))
	code, _, stderr = c.run(t, rfc("2026-12-04", 22, 20), "sync", "--date", "2026-12-04")
	require.Equal(t, 0, code, stderr)
	for k, d := range c.days(t) {
		if k == "anna 2026-12-04" {
			require.Equal(t, []string{"overstated", "edited_late"}, flagCodes(d.Flags), "%v", d.Flags)
			continue
		}
		require.Empty(t, d.Flags, "%s: %v", k, d.Flags)
	}
}

// TestCarryOverWhateverTheOrder: three invoices reported on Tuesday that the
// CRM logged on Wednesday are a carry-over, not overstatement. Tuesday is
// flagged while Wednesday is unknown; once Wednesday's report is read, the
// flag goes, and the outcome is the same whether the days came one sync a
// day or all at once in a backfill (a day's flags never depend on the order
// the reports were read in). An excess Wednesday does not make up for stays.
func TestCarryOverWhateverTheOrder(t *testing.T) {
	t.Parallel()
	report := func(date string, invoices int) string {
		return fmt.Sprintf("%s\nНовые звонки: 20\nПовторные звонки: 6\nОтправлено КП: 3\nВыставлено счетов и договоров: %d\n"+
			"Подписано договоров: 0\nОплаты: 0\nЗвонки по обратной связи: 2\nОценка работы компании: 4,5\n\n", date, invoices)
	}
	facts := "date,crm_user_id,metric,value\n" +
		"2026-11-10,anna,calls,20\n2026-11-10,anna,invoices,1\n" +
		"2026-11-11,anna,calls,20\n2026-11-11,anna,invoices,5\n" +
		"2026-11-12,anna,calls,20\n2026-11-12,anna,invoices,0\n"
	setup := func(t *testing.T) *cliTeam {
		c := newCLITeam(t, "crm: {adapter: builtin, builtin: {facts: facts.csv}}\nemployees:\n  - {id: anna, name: Анна}\n")
		require.NoError(t, os.WriteFile(filepath.Join(c.dir, "facts.csv"), []byte(facts), 0o644))
		return c
	}
	// Tuesday 4 invoices (the CRM: 1), Wednesday 2 (the CRM: 5): Tuesday's
	// 3 extra are Wednesday's 3 missing. Thursday 6 (the CRM: 0) has no
	// next day to make up for it.
	week := report("10.11.2026", 4) + report("11.11.2026", 2) + report("12.11.2026", 6)

	daily := setup(t)
	daily.write(t, "anna.txt", report("10.11.2026", 4))
	code, _, stderr := daily.run(t, rfc("2026-11-10", 20, 0), "sync")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, []string{"overstated"}, flagCodes(daily.days(t)["anna 2026-11-10"].Flags), "Wednesday unknown yet")
	daily.write(t, "anna.txt", report("10.11.2026", 4)+report("11.11.2026", 2))
	code, _, stderr = daily.run(t, rfc("2026-11-11", 20, 0), "sync")
	require.Equal(t, 0, code, stderr)
	require.Empty(t, daily.days(t)["anna 2026-11-10"].Flags, "Wednesday makes up for it")
	daily.write(t, "anna.txt", week)
	code, _, stderr = daily.run(t, rfc("2026-11-12", 20, 0), "sync")
	require.Equal(t, 0, code, stderr)

	once := setup(t)
	once.write(t, "anna.txt", week)
	code, _, stderr = once.run(t, rfc("2026-11-12", 22, 0), "backfill", "--from", "2026-11-10", "--to", "2026-11-12")
	require.Equal(t, 0, code, stderr)

	for _, c := range []*cliTeam{daily, once} {
		days := c.days(t)
		require.Empty(t, days["anna 2026-11-10"].Flags)
		require.Empty(t, days["anna 2026-11-11"].Flags)
		require.Equal(t, []string{"overstated"}, flagCodes(days["anna 2026-11-12"].Flags))
	}
}

// TestInventedDealsThroughTheCommand: seven weeks of two employees' reports
// read by backfill, then one more day by sync, as users run them. Anna's
// CRM (a builtin facts file) logs calls and invoices only: her seven
// contracts on the last day, from someone who signs about one a day, are
// more than her own conversion explains, though the balance has room for
// them; inconsistent names the expected count and the limit. Boris's CRM
// logs his won deals too: two more a day than it recorded, each day within
// the day's tolerance, is overstated over the days together, on the second
// day and again on the third as the excess grows. No honest day carries a
// flag.
//
// The flags must not depend on how the pass came by the files: run once with
// files just written (a revision too fresh to trust: every file is read
// again each pass) and once with files settled an hour ago (a pass skips a
// file it read at that revision).
func TestInventedDealsThroughTheCommand(t *testing.T) {
	t.Parallel()
	for _, settled := range []bool{false, true} {
		t.Run(fmt.Sprintf("settled=%v", settled), func(t *testing.T) {
			t.Parallel()
			inventedDealsThroughTheCommand(t, settled)
		})
	}
}

func inventedDealsThroughTheCommand(t *testing.T, settled bool) {
	write := func(c *cliTeam, name, text string) {
		c.write(t, name, text)
		if settled {
			old := time.Now().Add(-time.Hour)
			require.NoError(t, os.Chtimes(filepath.Join(c.dir, "reports", name), old, old))
		}
	}
	c := newCLITeam(t, "crm: {adapter: builtin, builtin: {facts: facts.csv}}\nemployees:\n  - {id: anna, name: Анна}\n  - {id: boris, name: Борис}\n")
	var dates []time.Time
	for d := time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC); d.Before(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && d.Format("01-02") != "11-04" {
			dates = append(dates, d)
		}
	}
	last := len(dates) - 1
	var facts strings.Builder
	facts.WriteString("date,crm_user_id,metric,value\n")
	reports := map[string]*strings.Builder{"anna": {}, "boris": {}}
	for i, d := range dates {
		for k, emp := range []string{"anna", "boris"} {
			calls := 16 + (i*7+k*3)%11
			invoices := 2 + (i+k)%3
			signed := (i*5 + k) % 3 // 0, 1 or 2: one a day on average
			paid := (i*2 + k + 1) % 3
			if i%9 == 4 {
				paid = 0
			}
			reported := signed
			switch {
			case emp == "anna" && i == last:
				reported = 7
			case emp == "boris" && i >= last-2:
				reported = signed + 2
			}
			sep := ": "
			if i%4 == 1 {
				sep = ":\u00a0" // a no-break space, as Google Docs types it
			}
			fmt.Fprintf(reports[emp], "%s\nНовые звонки%s%d\nПовторные звонки: %d\nОтправлено КП: 4\nВыставлено счетов и договоров: %d\n"+
				"Подписано  договоров: %d\nОплаты%s%d\nЗвонки по обратной связи: 2\nОценка работы компании: 4,%d\n\n",
				d.Format("02.01.2006"), sep, calls, calls/3, invoices, reported, sep, paid, 5+i%4)
			day := d.Format("2006-01-02")
			fmt.Fprintf(&facts, "%s,%s,calls,%d\n%s,%s,invoices,%d\n", day, emp, calls+[]int{0, 1, -1, 2}[i%4], day, emp, invoices)
			if emp == "boris" {
				fmt.Fprintf(&facts, "%s,boris,won,%d\n", day, signed)
			}
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(c.dir, "facts.csv"), []byte(facts.String()), 0o644))
	final := dates[last].Format("02.01.2006")
	for emp, b := range reports {
		// Everything but the last day first: backfill to the day before.
		write(c, emp+".txt", b.String()[:strings.Index(b.String(), final)])
	}
	code, _, stderr := c.run(t, rfc(dates[last-1].Format("2006-01-02"), 22, 0), "backfill",
		"--from", dates[0].Format("2006-01-02"), "--to", dates[last-1].Format("2006-01-02"))
	require.Equal(t, 0, code, stderr)
	// Boris's first extra two are within the day's tolerance; with the
	// second day's, the two days together are not. The backfill's first pass
	// closed that second day before the days between were read; it is
	// verified again when they are (a plain run had trusted no revision of
	// the files just written and read them again; a slower one trusted them
	// and, before the fix, kept the day's flags from the first pass).
	borisFirst := "boris " + dates[last-1].Format("2006-01-02")
	for k, d := range c.days(t) {
		if k == borisFirst {
			require.Equal(t, []string{"overstated"}, flagCodes(d.Flags), "%v", d.Flags)
			require.Contains(t, d.Flags[0].Message, "в отчётах 6, в CRM 2")
			continue
		}
		require.Empty(t, d.Flags, "%s: %v", k, d.Flags)
	}

	for emp, b := range reports {
		write(c, emp+".txt", b.String())
	}
	code, _, stderr = c.run(t, rfc(dates[last].Format("2006-01-02"), 22, 0), "sync")
	require.Equal(t, 0, code, stderr)
	days := c.days(t)
	anna := days["anna "+dates[last].Format("2006-01-02")]
	require.Equal(t, []string{"inconsistent"}, flagCodes(anna.Flags), "%v", anna.Flags)
	f := anna.Flags[0]
	require.Equal(t, "contracts_signed", f.Metric)
	require.InDelta(t, 7, *f.Reported, 0)
	require.Less(t, *f.Threshold, 7.0)
	require.Contains(t, f.Message, "при обычной для сотрудника конверсии «Выставлено счетов и договоров» → «Подписано договоров»")
	require.InDelta(t, 7, anna.Metrics["contracts_signed"], 0, "a flag never changes a reported number")

	boris := days["boris "+dates[last].Format("2006-01-02")]
	require.Equal(t, []string{"overstated"}, flagCodes(boris.Flags), "%v", boris.Flags)
	f = boris.Flags[0]
	require.Equal(t, "contracts_signed", f.Metric)
	require.Equal(t, dates[last-2].Format("2006-01-02"), f.From.String())
	require.Contains(t, f.Message, "в отчётах 9, в CRM 3 — больше допуска (2 или 20 %) за 3 раб. дн. вместе")
	for k, d := range days {
		if k != "anna "+dates[last].Format("2006-01-02") && k != "boris "+dates[last].Format("2006-01-02") && k != borisFirst {
			require.Empty(t, d.Flags, "%s: %v", k, d.Flags)
		}
	}
}
