package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

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
