package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/pass"
)

// TestBadInputEndToEnd: reports people really produce, broken in every way,
// in one pass with a good one: each gives that employee a clear, located
// outcome and the good report goes through untouched.
func TestBadInputEndToEnd(t *testing.T) {
	t.Parallel()
	ids := []string{"good", "empty", "huge", "binary", "many", "future", "english", "formula", "dupcols", "textnum"}
	var roster strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&roster, "  - {id: %s, name: %s}\n", id, id)
	}
	tm := newTeam(t, "employees:\n"+roster.String())
	tm.Write(t, "good.txt", reportText("25.11.2026", 10))
	tm.Write(t, "empty.txt", "")
	tm.Write(t, "huge.txt", strings.Repeat("Просто текст без отчёта, который кто-то вставил.\n", 110_000)+reportText("25.11.2026", 11)) // ~10 MB
	tm.Write(t, "binary.txt", "PK\x03\x04\x00\x00binary zip body")
	var many strings.Builder
	for i := range 500 {
		many.WriteString(reportText(wednesday.AddDays(-i).Russian(), 20) + "\n")
	}
	tm.Write(t, "many.txt", many.String())
	tm.Write(t, "future.txt", reportText("26.11.2026", 12))
	tm.Write(t, "english.txt", "25.11.2026\nNew calls: 14\nRepeat calls: 5\nProposals sent: 3\nInvoices issued: 2\nContracts signed: 1\nPayments: 1\nFeedback calls: 2\nCompany rating: 4.5\n")
	tm.Write(t, "formula.txt", reportText("25.11.2026", 13)+"Решённые задачи: =HYPERLINK(\"http://evil\",\"x\")\n")
	tm.Write(t, "dupcols.csv", "Дата;Новые звонки;Новые звонки;Оплаты\n25.11.2026;5;6;1\n")
	tm.Write(t, "textnum.csv", "Дата;Новые звонки;Повторные звонки;Отправлено КП;Выставлено счетов и договоров;Подписано договоров;Оплаты;Звонки по обратной связи\n25.11.2026;много;5;3;2;1;1;2\n")

	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now})
	res, err := a.sync(t.Context(), wednesday)
	require.NoError(t, err)
	by := map[string]pass.EmployeeResult{}
	for _, e := range res.Employees {
		by[e.ID] = e
	}
	require.Equal(t, "submitted", string(by["good"].Status))
	require.InDelta(t, 10, by["good"].Metrics["new_calls"], 0)
	require.Equal(t, "absent", string(by["empty"].Status), "an empty document holds no report")
	require.Equal(t, "submitted", string(by["huge"].Status), "10 MB of chatter around a report")
	require.InDelta(t, 11, by["huge"].Metrics["new_calls"], 0)
	require.Equal(t, "missing", string(by["binary"].Status))
	require.Contains(t, by["binary"].Error, "not text")
	require.Equal(t, "submitted", string(by["many"].Status), "500 day sections: today's is found")
	require.Equal(t, "absent", string(by["future"].Status), "tomorrow's report is not today's")
	require.Equal(t, "submitted", string(by["english"].Status), "English labels in a Russian team")
	require.InDelta(t, 14, by["english"].Metrics["new_calls"], 0)
	require.Equal(t, "submitted", string(by["formula"].Status))
	require.Equal(t, `=HYPERLINK("http://evil","x")`, by["formula"].Notes, "kept as text")
	require.Equal(t, "invalid", string(by["dupcols"].Status))
	require.NotEmpty(t, by["dupcols"].Errors)
	require.Contains(t, by["dupcols"].Errors[0].Location.String(), "C", "the cell is named")
	require.Equal(t, "invalid", string(by["textnum"].Status))
	require.Equal(t, "B2", by["textnum"].Errors[0].Location.String())
	require.Equal(t, 1, res.Failed, "only the binary file failed to read")
	recs := builtinRecords(t, a)
	require.Contains(t, recs, crm.Key("good", wednesday))
	require.Len(t, recs, len(ids)-1, "every readable employee has a record")
}

// TestBadSheetsEndToEnd: report sheets people really make, read through the
// real Sheets client from pkg/googlefake, in one pass with a good one: a
// header of merged cells is read right, duplicate headers and text in a
// number column are errors located at their cell, each for that employee
// alone.
func TestBadSheetsEndToEnd(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{})
	wed, thu := serial(thursday.AddDate(0, 0, -1)), serial(thursday)
	header := func(labels ...any) []any { return append([]any{"Дата"}, labels...) }
	tabs := []googlefake.Tab{
		rowSheet("good", 0, 21),
		// Merged cells, as the values API returns them: a title merged over
		// the row; "Дата" and the single labels merged down over two rows;
		// "Звонки" merged across its two columns, over their own labels.
		{Title: "merged", SheetID: 1, Rows: [][]any{
			{"Отчёт менеджера, ноябрь 2026"},
			{"Дата", "Звонки", "", "Отправлено КП", "Выставлено счетов и договоров", "Подписано договоров", "Оплаты", "Звонки по обратной связи"},
			{"", "Новые звонки", "Повторные звонки"},
			{wed, 9, 3, 2, 1, 0, 0, 1},
			{thu, 17, 6, 3, 2, 1, 1, 2},
		}},
		{Title: "dupheaders", SheetID: 2, Rows: [][]any{
			header("Новые звонки", "Повторные звонки", "Отправлено КП", "Выставлено счетов и договоров", "Подписано договоров", "Оплаты", "Звонки по обратной связи", "Новые звонки"),
			{thu, 17, 6, 3, 2, 1, 1, 2, 18},
		}},
		{Title: "textnum", SheetID: 3, Rows: [][]any{
			header("Новые звонки", "Повторные звонки", "Отправлено КП", "Выставлено счетов и договоров", "Подписано договоров", "Оплаты", "Звонки по обратной связи"),
			{wed, 9, 3, 2, 1, 0, 0, 1},
			{thu, "много", 6, 3, 2, 1, 1, 2},
		}},
	}
	fake.PutSheet("1team", "Отдел", tabs)
	var roster strings.Builder
	for _, tab := range tabs {
		fmt.Fprintf(&roster, "  - {id: %s, name: %s, report: \"1team#%s\"}\n", tab.Title, tab.Title, tab.Title)
	}
	tm := newTeam(t, "source: {kind: gsheet}\ngoogle: {endpoint: \""+fake.URL+"\"}\nemployees:\n"+roster.String())
	a := openApp(t, tm.Cfg, Options{Now: newClock(msk("2026-11-26", 22, 0)).Now, Google: fastGoogle(fake)})
	res, err := a.sync(t.Context(), day26)
	require.NoError(t, err)
	by := map[string]pass.EmployeeResult{}
	for _, e := range res.Employees {
		by[e.ID] = e
	}
	require.Zero(t, res.Failed)
	require.Equal(t, "submitted", string(by["good"].Status))
	require.InDelta(t, 21, by["good"].Metrics["new_calls"], 0)
	require.Empty(t, by["good"].Errors)

	require.Equal(t, "submitted", string(by["merged"].Status), "%v", by["merged"].Errors)
	require.Equal(t, map[string]float64{"new_calls": 17, "repeat_calls": 6, "proposals_sent": 3, "invoices_issued": 2,
		"contracts_signed": 1, "payments": 1, "feedback_calls": 2}, by["merged"].Metrics)
	require.Empty(t, by["merged"].Warnings)

	dup := by["dupheaders"]
	require.Equal(t, "invalid", string(dup.Status))
	require.Len(t, dup.Errors, 1)
	require.Equal(t, "'dupheaders'!I2", dup.Errors[0].Location.String(), "the second cell, the first one named in the message")
	require.Equal(t, "new_calls", dup.Errors[0].Field)
	require.Contains(t, dup.Errors[0].Message, "«17» ('dupheaders'!B2) и «18»")
	require.InDelta(t, 6, dup.Metrics["repeat_calls"], 0, "the rest of the row is read")

	num := by["textnum"]
	require.Equal(t, "invalid", string(num.Status))
	require.Len(t, num.Errors, 1)
	require.Equal(t, "'textnum'!B3", num.Errors[0].Location.String())
	require.Equal(t, "new_calls", num.Errors[0].Field)
	require.Contains(t, num.Errors[0].Message, "«много» — не число")

	recs := builtinRecords(t, a)
	require.Len(t, recs, len(tabs), "every employee has a record, the invalid ones marked so")
}
