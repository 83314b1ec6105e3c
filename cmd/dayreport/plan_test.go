package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/plan"
)

// A day's report, contracts and payments as given, in the way people type.
func planDay(date string, calls, contracts int, extra string) string {
	return date + "\n" + `• Новые звонки: ` + itoa(calls) + `
Повторные звонки —  5
Отправлено КП: 3 (Ромашка, Вектор, Лютик)
Выставлено счетов и договоров: 2
**Подписано договоров:** ` + itoa(contracts) + `
Оплаты: нет
Звонки по обратной связи: 2
` + extra + "\n"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestPlanAndMonthCommands: a team of three over November 2026 (the 4th a
// holiday), tried as a manager runs it: a backfill, then `plan` mid-month
// and `month` for the review. Anna has her own plan, Boris is on leave
// from the 9th, Vera starts on the 16th; Anna misses the 6th and writes
// nothing after the 10th.
func TestPlanAndMonthCommands(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, `employees:
  - {id: anna, name: Анна Белова}
  - {id: boris, name: Борис Орлов, leave_from: 2026-11-09, leave_to: 2026-11-20}
  - {id: vera, name: Вера Лис, start: 2026-11-16}
plans:
  default: {new_calls: 400, contracts_signed: 8}
  employees: {anna: {contracts_signed: 10}}
  months: {"2026-12": {default: {contracts_signed: 6}}}
`)
	c.write(t, "anna.txt", planDay("02.11.2026", 20, 1, "")+
		planDay("03.11.2026", 22, 2, "Что решил сегодня и что это даст в долгосрочной перспективе: договорилась о пилоте с «Ромашкой»")+
		planDay("05.11.2026", 18, 0, "Решённые задачи: обновила скрипт\nЧто это даст в долгосрочной перспективе: конверсия в КП выше")+
		planDay("09.11.2026", 25, 1, "")+planDay("10.11.2026", 21, 1, ""))
	c.write(t, "boris.txt", planDay("02.11.2026", 30, 1, "")+planDay("03.11.2026", 28, 0, "")+
		planDay("05.11.2026", 31, 1, "")+planDay("06.11.2026", 29, 1, ""))
	c.write(t, "vera.txt", planDay("16.11.2026", 10, 0, "")+planDay("17.11.2026", 12, 1, ""))
	now := rfc("2026-11-17", 23, 0)
	code, _, stderr := c.run(t, now, "backfill", "--from", "2026-11-02", "--to", "2026-11-17", "--yes")
	require.Equal(t, 0, code, stderr)

	code, out, stderr := c.run(t, now, "plan", "--date", "2026-11-17", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var res plan.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Equal(t, "2026-11", res.Month)
	require.Equal(t, 20, res.WorkingDays)
	byID := map[string]plan.EmployeeResult{}
	for _, e := range res.Employees {
		byID[e.ID] = e
	}
	// Anna: 2, 3, 5, 6, 9..13, 16, 17 = 11 working days elapsed; 4 contracts
	// over her submitted days (the 6th is absent, no data).
	anna := byID["anna"].Metrics["contracts_signed"]
	require.Equal(t, 11, byID["anna"].ElapsedDays)
	require.InDelta(t, 10, anna.Plan, 0)
	require.InDelta(t, 5, anna.Actual, 0)
	require.InDelta(t, 5.0/11*20, *anna.Forecast, 1e-9)
	require.InDelta(t, 0.5, *anna.Percent, 1e-9)
	// Boris: on leave 9-20 November, so 10 working days are his (2, 3, 5, 6, 23-27, 30); 4 elapsed.
	require.Equal(t, 10, byID["boris"].WorkingDays)
	require.Equal(t, 4, byID["boris"].ElapsedDays)
	require.InDelta(t, 3.0/4*10, *byID["boris"].Metrics["contracts_signed"].Forecast, 1e-9)
	// Vera starts on the 16th: 11 working days, 2 elapsed.
	require.Equal(t, 11, byID["vera"].WorkingDays)
	require.Equal(t, 2, byID["vera"].ElapsedDays)
	team := res.Team.Metrics["contracts_signed"]
	require.InDelta(t, 26, team.Plan, 0)
	require.InDelta(t, 5+3+1, team.Actual, 0)
	require.Nil(t, team.ActualCRM, "the builtin CRM has no facts here")

	code, out, stderr = c.run(t, now, "plan", "--date", "2026-11-17")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "План-факт за ноябрь 2026, на 17.11.2026 (рабочих дней в месяце: 20)")
	require.Contains(t, out, "Анна Белова (anna): рабочих дней 20, прошло 11")
	require.Contains(t, out, "  Подписано договоров  10    5     50,0 %  9,1      90,9 %  ◀ отстаёт\n")
	require.Contains(t, out, "Отстают от плана: Анна Белова — Новые звонки (прогноз 48,2 %), Подписано договоров (прогноз 90,9 %); Борис Орлов")

	// December has its own default and nothing reported yet.
	code, out, stderr = c.run(t, now, "plan", "--month", "2026-12", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.InDelta(t, 6, res.Employees[0].Metrics["contracts_signed"].Plan, 0, "the month's default over Anna's own plan")
	require.Equal(t, 0, res.Employees[0].ElapsedDays)
	require.Nil(t, res.Employees[0].Metrics["contracts_signed"].Forecast, "no pace before the month starts")

	code, out, stderr = c.run(t, now, "month", "--month", "2026-11", "--format", "json")
	require.Equal(t, 0, code, stderr)
	var rv plan.Review
	require.NoError(t, json.Unmarshal([]byte(out), &rv), out)
	require.Equal(t, "2026-11", rv.Month)
	require.Equal(t, "2026-11-17", rv.Date, "within the month: today")
	a := rv.Employees[0]
	require.Equal(t, "anna", a.ID)
	require.Equal(t, 5, a.Days["submitted"])
	require.Equal(t, 6, a.Days["absent"], "6, 11-13, 16 and 17 November")
	require.InDelta(t, 106, a.Totals["new_calls"], 0)
	require.InDelta(t, 0, a.Totals["payments"], 0, "«нет» is zero")
	require.Equal(t, []plan.Note{
		{Date: "2026-11-03", Notes: "договорилась о пилоте с «Ромашкой»"},
		{Date: "2026-11-05", Notes: "обновила скрипт", LongTerm: "конверсия в КП выше"},
	}, a.Notes)
	require.InDelta(t, 10, a.Plan["contracts_signed"].Plan, 0)
	b := rv.Employees[1]
	require.Equal(t, 4, b.Days["submitted"])
	require.Equal(t, 7, b.Days["on_leave"], "9-13 and 16-17 November: the days the ledger closed")
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	emp := raw["employees"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "days", "totals", "flags", "plan", "notes"} {
		require.Contains(t, emp, k)
	}

	code, out, stderr = c.run(t, now, "month", "--month", "2026-11")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Итоги месяца: ноябрь 2026")
	require.Contains(t, out, "  Дни: сдан 5, отсутствовал 6")
	require.Contains(t, out, "  05.11.2026: обновила скрипт\n    → конверсия в КП выше")

	code, _, stderr = c.run(t, now, "month", "--month", "2026-13")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--month")
}

// TestPlanOnTheDemo: README command 1, then the план-факт of its November
// (the CRM's facts give actual_crm: Volkov's overstated calls show) and the
// month review with Petrova's long-term answer.
func TestPlanOnTheDemo(t *testing.T) {
	t.Parallel()
	cfg, _ := demoConfig(t)
	now := "2026-11-26T12:00:00+03:00"
	code, _, stderr := execCLI(t, "backfill", "--config", cfg, "--from", "2026-10-26", "--to", "2026-11-06", "--replay", "--now", now)
	require.Equal(t, 0, code, stderr)

	code, out, stderr := execCLI(t, "plan", "--config", cfg, "--month", "2026-11", "--date", "2026-11-06", "--format", "json", "--now", now)
	require.Equal(t, 0, code, stderr)
	var res plan.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	var volkov plan.EmployeeResult
	for _, e := range res.Employees {
		if e.ID == "volkov" {
			volkov = e
		}
	}
	calls := volkov.Metrics["new_calls"]
	require.InDelta(t, 89, calls.Actual, 0)
	require.NotNil(t, calls.ActualCRM)
	require.InDelta(t, 61, *calls.ActualCRM, 0, "the telephony logged fewer calls than reported")
	require.InDelta(t, 14, volkov.Metrics["contracts_signed"].Plan, 0, "November's own plan for Volkov")
	require.NotContains(t, res.Employees[1].Metrics, "new_calls", "a plan of 0 unplans a senior's new calls")

	code, out, stderr = execCLI(t, "month", "--config", cfg, "--month", "2026-11", "--date", "2026-11-06", "--now", now)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "Анна Петрова (petrova)\n  Дни: сдан 4\n")
	require.Contains(t, out, "  03.11.2026: подписала договор с «Ромашкой» после пилота\n    → выход на их сеть из 40 магазинов\n")
	require.Contains(t, out, "Елена Смирнова (smirnova)\n  Дни: в отпуске 4\n")
}

// TestCheckLongTerm: `check` of a senior's report that answers both of the
// methodology's questions, one of them under a label too long to guess.
func TestCheckLongTerm(t *testing.T) {
	t.Setenv("DAYREPORT_CONFIG", "")
	dir := t.TempDir()
	file := dir + "/petrova.md"
	text := "## 26.11.2026\n\n| Показатель | Значение |\n|---|---|\n| Первичный прозвон | 17 |\n| Повторные звонки | 5 |\n" +
		"| КП (заинтересованные) | 2 |\n| Счета и договоры | 1 |\n| Подписанные договоры | 1 |\n| Оплаты | 0 |\n| Обратная связь | 3 |\n\n" +
		"Что ещё я сделала сегодня сверх плана для нашего отдела продаж: обучила новичка\n\n" +
		"**Что решил сегодня?** договорилась о пилоте с «Ромашкой»\n" +
		"**Что это даст в долгосрочной перспективе:** выход на сеть из 40 магазинов\n"
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	code, out, stderr := execCLI(t, "check", "--file", file, "--format", "json")
	require.Equal(t, 0, code, stderr)
	var got struct {
		Notes    string `json:"notes"`
		LongTerm string `json:"long_term"`
		Warnings []struct {
			Code     string `json:"code"`
			Location string `json:"location"`
		} `json:"warnings"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	require.Equal(t, "договорилась о пилоте с «Ромашкой»", got.Notes)
	require.Equal(t, "выход на сеть из 40 магазинов", got.LongTerm)
	require.Len(t, got.Warnings, 1)
	require.Equal(t, "unknown_label", got.Warnings[0].Code)
	require.Equal(t, "line 13", got.Warnings[0].Location)

	code, out, stderr = execCLI(t, "check", "--file", file)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "  Решённые задачи:\n    договорилась о пилоте с «Ромашкой»\n  Что это даст в долгосрочной перспективе:\n    выход на сеть из 40 магазинов\n")
	require.Contains(t, out, "строка 13")
}

// TestPlanWithoutPlans: a team with no plans gets a sentence, not an empty
// table, and the JSON an empty team.
func TestPlanWithoutPlans(t *testing.T) {
	t.Parallel()
	c := newCLITeam(t, "employees:\n  - {id: anna, name: Анна}\n")
	c.write(t, "anna.txt", planDay("02.11.2026", 20, 1, ""))
	now := rfc("2026-11-03", 12, 0)
	code, out, stderr := c.run(t, now, "plan")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "План-факт за ноябрь 2026, на 03.11.2026")
	require.Contains(t, out, "На этот месяц планов нет (plans в настройках).")
	code, out, stderr = c.run(t, now, "plan", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"team": {
    "metrics": {}
  }`)
	code, out, stderr = c.run(t, now, "month", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, out, `"plan"`, "no plan, no plan figures")
}
