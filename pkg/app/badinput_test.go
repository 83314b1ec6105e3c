package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
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
	tm.write(t, "good.txt", reportText("25.11.2026", 10))
	tm.write(t, "empty.txt", "")
	tm.write(t, "huge.txt", strings.Repeat("Просто текст без отчёта, который кто-то вставил.\n", 110_000)+reportText("25.11.2026", 11)) // ~10 MB
	tm.write(t, "binary.txt", "PK\x03\x04\x00\x00binary zip body")
	var many strings.Builder
	for i := range 500 {
		many.WriteString(reportText(wednesday.AddDays(-i).Russian(), 20) + "\n")
	}
	tm.write(t, "many.txt", many.String())
	tm.write(t, "future.txt", reportText("26.11.2026", 12))
	tm.write(t, "english.txt", "25.11.2026\nNew calls: 14\nRepeat calls: 5\nProposals sent: 3\nInvoices issued: 2\nContracts signed: 1\nPayments: 1\nFeedback calls: 2\nCompany rating: 4.5\n")
	tm.write(t, "formula.txt", reportText("25.11.2026", 13)+"Решённые задачи: =HYPERLINK(\"http://evil\",\"x\")\n")
	tm.write(t, "dupcols.csv", "Дата;Новые звонки;Новые звонки;Оплаты\n25.11.2026;5;6;1\n")
	tm.write(t, "textnum.csv", "Дата;Новые звонки;Повторные звонки;Отправлено КП;Выставлено счетов и договоров;Подписано договоров;Оплаты;Звонки по обратной связи\n25.11.2026;много;5;3;2;1;1;2\n")

	a := openApp(t, tm.cfg, Options{Now: newClock(msk("2026-11-25", 22, 0)).Now})
	res, err := a.Sync(t.Context(), wednesday, PassOptions{})
	require.NoError(t, err)
	by := map[string]EmployeeResult{}
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
