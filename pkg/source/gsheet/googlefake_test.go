package gsheet_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

func fakeSource(t *testing.T) (*googlefake.Server, *gsheet.Source) {
	t.Helper()
	fake := googlefake.New(t, googlefake.Options{})
	svc, err := sheets.NewService(t.Context(),
		option.WithEndpoint(fake.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	return fake, &gsheet.Source{Sheets: svc}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// rowTab is a row-layout tab: dates are real date cells, as people type them.
func rowTab(title string, gid int64, calls float64) googlefake.Tab {
	return googlefake.Tab{Title: title, SheetID: gid, Rows: [][]any{
		{"Отчёты"},
		{"Дата", "Новые звонки", "Повторные звонки", "Отправлено КП", "Выставлено счетов и договоров", "Подписано договоров", "Оплаты", "Звонки по обратной связи"},
		{date(2026, 11, 25), 1, 1, 1, 1, 1, 1, 1},
		{date(2026, 11, 26), calls, 5, 3, 2, 1, 1, 4},
	}}
}

// TestFakeTeamPrefetch: five employees with a tab each on one spreadsheet,
// links with and without #gid=: one spreadsheets.get and one values:batchGet.
func TestFakeTeamPrefetch(t *testing.T) {
	t.Parallel()
	fake, s := fakeSource(t)
	fake.PutSheet(team, "Отчёты отдела продаж", []googlefake.Tab{
		rowTab("Иванов", 0, 11),
		rowTab("Петрова", 101, 12),
		rowTab("Q1/Q2", 202, 13),
		rowTab("It's", 303, 14),
		{Title: "Сидоров", SheetID: 404},
	})
	refs := teamRefs()
	require.NoError(t, s.Prefetch(t.Context(), refs, ref))
	want := map[string]float64{"ivanov": 11, "petrova": 12, "kvartal": 13, "oconnor": 14}
	for _, r := range refs {
		f, err := s.Fetch(t.Context(), r, ref)
		require.NoError(t, err, r.Employee)
		if r.Employee == "sidorov" {
			require.Empty(t, f.Doc.Blocks)
			continue
		}
		secs, _ := f.Doc.Sections(ref)
		require.Len(t, secs, 2, r.Employee)
		rep := report.Parse(tmpl, secs[1], report.Options{})
		require.Equal(t, report.Submitted, rep.Status(), "%s: %v", r.Employee, rep.Errors)
		require.InDelta(t, want[r.Employee], rep.Metrics["new_calls"], 0, r.Employee)
		require.Equal(t, "A4", secs[1].Start.Cell)
	}
	reqs := fake.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "/v4/spreadsheets/"+team, reqs[0].Path)
	q, err := url.ParseQuery(reqs[0].Query)
	require.NoError(t, err)
	require.Equal(t, "sheets.properties(sheetId,title)", q.Get("fields"))
	require.True(t, strings.HasSuffix(reqs[1].Path, "/values:batchGet"), reqs[1].Path)
	q, err = url.ParseQuery(reqs[1].Query)
	require.NoError(t, err)
	require.Equal(t, []string{"A1:ZZ", "'Петрова'!A1:ZZ", "'Q1/Q2'!A1:ZZ", "'It''s'!A1:ZZ", "'Сидоров'!A1:ZZ"}, q["ranges"])
	for _, r := range reqs {
		require.Equal(t, http.StatusOK, r.Status)
	}
}

// TestFakeTransposed: dates across the first row as date cells, read as serial numbers.
func TestFakeTransposed(t *testing.T) {
	t.Parallel()
	fake, s := fakeSource(t)
	fake.PutSheet("1petrova", "Петрова", []googlefake.Tab{{Title: "Ноябрь", Rows: [][]any{
		{"Показатель", date(2026, 11, 25), date(2026, 11, 26)},
		{"Новые звонки", 10, 12},
		{"Повторные звонки", 4, 5},
		{"Отправлено КП", 2, 3},
		{"Выставлено счетов и договоров", 1, 2},
		{"Подписано договоров", 0, 1},
		{"Оплаты", 0, 1},
		{"Звонки по обратной связи", 3},
		{"Оценка работы компании", 5, 4.5},
	}}})
	f, err := s.Fetch(t.Context(), source.Ref{Employee: "petrova", Report: "https://docs.google.com/spreadsheets/d/1petrova/edit#gid=0"}, ref)
	require.NoError(t, err)
	secs, _ := f.Doc.Sections(ref)
	require.Len(t, secs, 2)
	rep := report.Parse(tmpl, secs[1], report.Options{Lang: "en"})
	require.Equal(t, []string{"missing:feedback_calls@'Ноябрь'!C8"}, errorCodes(rep), "a ragged row leaves the day's cell empty")
	require.InDelta(t, 4.5, rep.Metrics["company_rating"], 0)
	require.Equal(t, "https://docs.google.com/spreadsheets/d/1petrova/edit#gid=0", f.URL)
}

func TestFakeFailures(t *testing.T) {
	t.Parallel()
	fake, s := fakeSource(t)
	fake.PutSheet(team, "Команда", []googlefake.Tab{rowTab("Иванов", 0, 11)})
	ctx := t.Context()

	_, err := s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "1missing#Иванов"}, ref)
	var gerr *googleapi.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusNotFound, gerr.Code)
	require.ErrorContains(t, err, "ivanov")
	require.ErrorContains(t, err, "1missing")

	_, err = s.Fetch(ctx, source.Ref{Employee: "petrov", Report: team + "#Петров"}, ref)
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusBadRequest, gerr.Code)
	require.ErrorContains(t, err, "petrov")

	fake.ResetRequests()
	fake.Inject(googlefake.APISheets, googlefake.Unavailable, 1)
	err = s.Prefetch(ctx, []source.Ref{{Employee: "ivanov", Report: team}}, ref)
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusServiceUnavailable, gerr.Code)
	f, err := s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: team}, ref)
	require.NoError(t, err, "a failed prefetch leaves the fetch to read on its own")
	require.NotEmpty(t, f.Doc.Blocks)
	require.Len(t, fake.Requests(), 2)
}
