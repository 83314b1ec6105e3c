package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/dayreport/dayreport/pkg/calendar"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
)

// The change log followed through the funnel, as a manager runs it: a month
// of local reports backfilled into SQLite, then `changes` and `funnel` with
// --now, on the embedded default (builtin CRM, the xlsx summary).

var changeTeam = []string{"anna", "boris", "vera", "gleb", "dina"}

// monthOfReports writes a month of reports (26 October to 30 November 2026)
// for the team: each working day 4 to 9 invoices per employee, of which
// rate(date) sign, with what people's reports really look like: a day
// nobody wrote, an invalid day whose numbers must not count, a report of a
// Saturday, payments as "нет". It returns the invoices and signed
// contracts of the counted days, by date.
func monthOfReports(t *testing.T, c *cliTeam, seed uint64, rate func(d day.Date) float64) map[day.Date][2]int {
	t.Helper()
	cal, err := calendar.New(calendar.Options{Country: "ru"})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 22))
	counted := map[day.Date][2]int{}
	for i, id := range changeTeam {
		var b strings.Builder
		for d := day.MustParse("2026-10-26"); !d.After(day.MustParse("2026-11-30")); d = d.AddDays(1) {
			saturday := d == day.MustParse("2026-11-21") && id == "anna"
			if !cal.IsWorkday(d) && !saturday {
				continue
			}
			if (i+d.Day)%13 == 0 {
				continue // no report that day: absent, no data
			}
			invoices := 4 + rng.IntN(6)
			signed := 0
			for range invoices {
				if rng.Float64() < rate(d) {
					signed++
				}
			}
			paid := "нет"
			if signed > 0 {
				paid = "1"
			}
			invalid := id == "boris" && d == day.MustParse("2026-11-24")
			fmt.Fprintf(&b, "Отчёт за %s\nНовые звонки: %d\nПовторные звонки: %d\nОтправлено КП: %d\n", d.Russian(), 30+rng.IntN(10), 9, 8)
			fmt.Fprintf(&b, "Счета и договоры — %d\nПодписано договоров: %d\n", invoices, signed)
			if invalid {
				b.WriteString("Оплаты: 1,5\n") // an error: the day is invalid, its numbers no data
			} else {
				fmt.Fprintf(&b, "Оплаты: %s\n", paid)
			}
			b.WriteString("Обратная связь: 2\nОценка работы компании: 4,5\nРешённые задачи: обзвон базы\n\n")
			if !invalid {
				x := counted[d]
				counted[d] = [2]int{x[0] + invoices, x[1] + signed}
			}
		}
		c.write(t, id+".txt", b.String())
	}
	return counted
}

// sumCounted adds up the invoices and signed contracts of from..to.
func sumCounted(counted map[day.Date][2]int, from, to string) (invoices, signed int) {
	for d, x := range counted {
		if !d.Before(day.MustParse(from)) && !d.After(day.MustParse(to)) {
			invoices += x[0]
			signed += x[1]
		}
	}
	return invoices, signed
}

const changeEmployees = `employees:
  - {id: anna, name: Анна Андреева}
  - {id: boris, name: Борис Белов}
  - {id: vera, name: Вера Волкова}
  - {id: gleb, name: Глеб Громов}
  - {id: dina, name: Дина Данилова}
`

// changesJSON runs `changes --format json`.
func (c *cliTeam) changes(t *testing.T, now string) []funnel.ChangeResult {
	t.Helper()
	code, out, stderr := c.run(t, now, "changes", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var res struct {
		Changes []funnel.ChangeResult `json:"changes"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	return res.Changes
}

// TestChangeThatWorks: signing goes from a quarter to a half of the
// invoices on 16 November, the day of the new contract template. A month of
// reports says so: significant, upwards, with the counts of exactly the
// submitted days of the two windows (eleven working days after, the same
// before). A change of payments that changed nothing is not significant.
func TestChangeThatWorks(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, changeEmployees+`changes:
  - {date: 2026-11-16, stage: contracts_signed, note: "новый шаблон договора"}
  - {date: 2026-11-23, stage: payments, note: "звонок на следующий день после счёта", employees: [anna, vera]}
`)
	counted := monthOfReports(t, c, 1, func(d day.Date) float64 {
		if d.Before(day.MustParse("2026-11-16")) {
			return 0.25
		}
		return 0.5
	})
	now := rfc("2026-12-01", 10, 0)
	code, _, stderr := c.run(t, now, "backfill", "--from", "2026-10-26", "--to", "2026-11-30", "--yes")
	require.Equal(t, 0, code, stderr)

	got := c.changes(t, now)
	require.Len(t, got, 2)
	ch := got[0]
	require.Equal(t, "2026-11-16", ch.Date)
	require.Equal(t, "contracts_signed", ch.Stage)
	require.Equal(t, "invoices_issued", ch.From)
	require.Equal(t, "новый шаблон договора", ch.Note)
	// 16–30 November: 11 working days; before them 29 October – 13 November
	// (the 4th a holiday): 11 too.
	require.Equal(t, 11, ch.After.Days)
	require.Equal(t, 11, ch.Before.Days)
	inv, sig := sumCounted(counted, "2026-10-29", "2026-11-15")
	require.Equal(t, [2]int{inv, sig}, [2]int{ch.Before.FromCount, ch.Before.ToCount})
	inv, sig = sumCounted(counted, "2026-11-16", "2026-11-30")
	require.Equal(t, [2]int{inv, sig}, [2]int{ch.After.FromCount, ch.After.ToCount})
	require.NotNil(t, ch.Delta)
	require.Greater(t, *ch.Delta, 0.15, "from about 25 %% to about 50 %%")
	require.NotNil(t, ch.PValue)
	require.Less(t, *ch.PValue, 0.001)
	require.True(t, ch.Significant)
	require.Nil(t, ch.DaysNeeded)

	pay := got[1]
	require.Equal(t, "payments", pay.Stage)
	require.Equal(t, []string{"anna", "vera"}, pay.Employees)
	require.Equal(t, 6, pay.After.Days)
	require.False(t, pay.Significant)

	// The text: one sentence a manager reads.
	code, out, stderr := c.run(t, now, "changes")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "16.11.2026, Выставлено счетов и договоров → Подписано договоров: «новый шаблон договора»\n  рост ")
	require.Contains(t, out, "), значим.\n")
	require.Contains(t, out, "23.11.2026, Подписано договоров → Оплаты: «звонок на следующий день после счёта» (Анна Андреева, Вера Волкова)")

	// The summary's Динамика tab: the conversion into signing week by week,
	// the week of the change marked, and a line chart drawn from the table.
	requireTrendTab(t, filepath.Join(c.dir, "summary.xlsx"), counted)

	// The same block in the funnel's JSON.
	code, out, stderr = c.run(t, now, "funnel", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var fj struct {
		Stages  []funnel.Stage        `json:"stages"`
		Changes []funnel.ChangeResult `json:"changes"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &fj))
	require.NotEmpty(t, fj.Stages)
	require.Equal(t, got, fj.Changes)
}

// TestChangeThatChangedNothing: the same rate all month; the change of 16
// November is not significant, whichever way the noise leans, and changes
// says how long it would take to tell, or that it would not.
func TestChangeThatChangedNothing(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, changeEmployees+`changes:
  - {date: 2026-11-16, stage: contracts_signed, note: "новый шаблон договора"}
`)
	monthOfReports(t, c, 2, func(day.Date) float64 { return 0.3 })
	now := rfc("2026-12-01", 10, 0)
	code, _, stderr := c.run(t, now, "backfill", "--from", "2026-10-26", "--to", "2026-11-30", "--yes")
	require.Equal(t, 0, code, stderr)
	got := c.changes(t, now)
	require.Len(t, got, 1)
	require.False(t, got[0].Significant)
	require.NotNil(t, got[0].PValue)
	require.Greater(t, *got[0].PValue, 0.05)
	code, out, stderr := c.run(t, now, "changes")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "не значим")

	// Before the change was made (a run on 13 November), there is no day
	// after it yet: the baseline alone.
	got = c.changes(t, rfc("2026-11-13", 23, 0))
	require.Len(t, got, 1)
	require.Zero(t, got[0].After.Days)
	require.Nil(t, got[0].PValue)
	require.Nil(t, got[0].Delta)
}

// TestChangeLogProblemsAreLocated: a stage the funnel does not have stops
// every command with the place in the file, as config check does.
func TestChangeLogProblemsAreLocated(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, changeEmployees+`changes:
  - {date: 2026-11-16, stage: contract_signed}
`)
	code, _, stderr := c.run(t, rfc("2026-12-01", 10, 0), "config", "check")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `dayreport.yaml:13: changes[0].stage: unknown stage "contract_signed" (did you mean "contracts_signed"?)`)
	code, _, stderr = c.run(t, rfc("2026-12-01", 10, 0), "changes")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `changes[0].stage: unknown stage "contract_signed"`)
}

// requireTrendTab reads the Динамика tab back from the workbook: twelve
// weeks ending with that of 30 November, each transition a column, the
// conversion into signing of each week the stored counts' ratio, the week
// of 16 November marked with its change, and a line chart over the table.
func requireTrendTab(t *testing.T, path string, counted map[day.Date][2]int) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	require.Contains(t, f.GetSheetList(), "Динамика")
	rows, err := f.GetRows("Динамика")
	require.NoError(t, err)
	require.Equal(t, "Конверсия по неделям", rows[0][0])
	require.Equal(t, []string{"Неделя", "→ Повторные звонки", "→ Отправлено КП", "→ Выставлено счетов и договоров",
		"→ Подписано договоров", "→ Оплаты", "Изменения"}, rows[3])
	weeks := rows[4:16]
	require.Len(t, weeks, 12)
	require.Equal(t, "14.09–20.09", weeks[0][0])
	require.Len(t, weeks[0], 1, "September has no reports: no data, not zeros")
	require.Equal(t, "30.11–30.11", weeks[11][0])
	marked := map[string]string{}
	for i, w := range weeks {
		monday := day.MustParse("2026-11-30").AddDays(-7 * (11 - i))
		inv, sig := sumCounted(counted, monday.String(), monday.AddDays(6).String())
		if inv == 0 {
			continue
		}
		cell := fmt.Sprintf("E%d", 5+i)
		raw, err := f.GetCellValue("Динамика", cell, excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		got, err := strconv.ParseFloat(raw, 64)
		require.NoError(t, err, "%s: %q", cell, raw)
		require.InDelta(t, float64(sig)/float64(inv), got, 1e-4, "week of %s", monday)
		if strings.HasSuffix(w[0], "◆") {
			marked[w[0]] = w[6]
		}
	}
	require.Equal(t, map[string]string{
		"16.11–22.11 ◆": "Подписано договоров (16.11): новый шаблон договора",
		"23.11–29.11 ◆": "Оплаты (23.11): звонок на следующий день после счёта",
	}, marked, "the week of each change")

	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer func() { require.NoError(t, zr.Close()) }()
	lines := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		if x := string(b); strings.Contains(x, "Конверсия по неделям") {
			lines++
			require.Contains(t, x, "<lineChart>")
			require.Contains(t, x, "<cat><strRef><f>&#39;Динамика&#39;!$A$5:$A$16</f>")
			require.Contains(t, x, "<val><numRef><f>&#39;Динамика&#39;!$E$5:$E$16</f>")
			require.Equal(t, 5, strings.Count(x, "<c:ser>")+strings.Count(x, "<ser>"), "a line per transition")
		}
	}
	require.Equal(t, 1, lines, "one trend chart")
}

// TestDigestSaysOnceThatAChangeWorked: the manager's digest of the first
// close-day after the change became significant says so; the next day's
// digest, run as a new process, does not say it again.
func TestDigestSaysOnceThatAChangeWorked(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, changeEmployees+`notify: {console: true}
changes:
  - {date: 2026-11-16, stage: contracts_signed, note: "новый шаблон договора"}
`)
	monthOfReports(t, c, 1, func(d day.Date) float64 {
		if d.Before(day.MustParse("2026-11-16")) {
			return 0.25
		}
		return 0.5
	})
	code, _, stderr := c.run(t, rfc("2026-11-27", 22, 0), "backfill", "--from", "2026-10-26", "--to", "2026-11-27", "--yes")
	require.Equal(t, 0, code, stderr)

	// A dry run lists the digest and marks nothing.
	code, out, stderr := c.run(t, rfc("2026-11-30", 21, 30), "close-day", "--date", "2026-11-30", "--dry-run")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, "Изменение дало значимый результат")

	const said = "Изменение дало значимый результат:\n  • 16.11.2026, Выставлено счетов и договоров → Подписано договоров: «новый шаблон договора»: рост "
	code, out, stderr = c.run(t, rfc("2026-11-30", 21, 30), "close-day", "--date", "2026-11-30")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Итоги дня 30.11.2026")
	require.Equal(t, 1, strings.Count(out, said), out)
	require.Contains(t, out, "p < 0,001), значим")

	code, out, stderr = c.run(t, rfc("2026-12-01", 21, 30), "close-day", "--date", "2026-12-01")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Итоги дня 01.12.2026")
	require.NotContains(t, out, "Изменение дало значимый результат")
}
