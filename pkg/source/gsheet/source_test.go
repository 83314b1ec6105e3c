package gsheet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	"google.golang.org/api/sheets/v4"

	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gsheet"
)

// sheetTab is one tab of a spreadsheet served by sheetsServer.
type sheetTab struct {
	title string
	gid   int64
	rows  [][]any
}

// sheetsServer is a minimal stand-in for the Sheets API: spreadsheets.get
// (tab properties) and values:batchGet, counting what it is asked.
type sheetsServer struct {
	*httptest.Server
	mu        sync.Mutex
	books     map[string][]sheetTab
	all       int // every request, failed ones too
	gets      int
	batchGets int
	ranges    [][]string
	queries   []url.Values
}

func newSheetsServer(t *testing.T, books map[string][]sheetTab) *sheetsServer {
	t.Helper()
	s := &sheetsServer{books: books}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *sheetsServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all++
	rest, ok := strings.CutPrefix(r.URL.Path, "/v4/spreadsheets/")
	id, method, _ := strings.Cut(rest, "/")
	tabs, known := s.books[id]
	if !ok || r.Method != http.MethodGet {
		googleError(w, http.StatusNotFound, "NOT_FOUND", "no such method")
		return
	}
	if id == "locked" {
		googleError(w, http.StatusForbidden, "PERMISSION_DENIED", "The caller does not have permission")
		return
	}
	if !known {
		googleError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.")
		return
	}
	s.queries = append(s.queries, r.URL.Query())
	switch method {
	case "":
		s.gets++
		var sh []*sheets.Sheet
		for _, tab := range tabs {
			sh = append(sh, &sheets.Sheet{Properties: &sheets.SheetProperties{SheetId: tab.gid, Title: tab.title}})
		}
		_ = json.NewEncoder(w).Encode(&sheets.Spreadsheet{SpreadsheetId: id, Sheets: sh})
	case "values:batchGet":
		s.batchGets++
		ranges := r.URL.Query()["ranges"]
		s.ranges = append(s.ranges, ranges)
		resp := &sheets.BatchGetValuesResponse{SpreadsheetId: id}
		for _, rg := range ranges {
			tab, ok := findTab(tabs, rg)
			if !ok {
				googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Unable to parse range: "+rg)
				return
			}
			resp.ValueRanges = append(resp.ValueRanges, &sheets.ValueRange{
				Range:          fmt.Sprintf("'%s'!A1:ZZ1000", strings.ReplaceAll(tab.title, "'", "''")),
				MajorDimension: "ROWS",
				Values:         tab.rows,
			})
		}
		_ = json.NewEncoder(w).Encode(resp)
	default:
		googleError(w, http.StatusNotFound, "NOT_FOUND", "no such method")
	}
}

// findTab resolves an A1 range the way the API does: no sheet name is the
// first sheet; a quoted name has each quote doubled.
func findTab(tabs []sheetTab, rg string) (sheetTab, bool) {
	i := strings.LastIndex(rg, "!")
	if i < 0 {
		return tabs[0], len(tabs) > 0
	}
	name := rg[:i]
	if strings.HasPrefix(name, "'") && strings.HasSuffix(name, "'") && len(name) >= 2 {
		name = strings.ReplaceAll(name[1:len(name)-1], "''", "'")
	}
	for _, t := range tabs {
		if t.title == name {
			return t, true
		}
	}
	return sheetTab{}, false
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"status":%q}}`, code, msg, status)
}

func (s *sheetsServer) counts() (gets, batchGets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets, s.batchGets
}

func (s *sheetsServer) addTab(id string, tab sheetTab) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.books[id] = append(s.books[id], tab)
}

func newSheets(t *testing.T, endpoint string, opts ...option.ClientOption) *sheets.Service {
	t.Helper()
	if len(opts) == 0 {
		opts = []option.ClientOption{option.WithoutAuthentication(), option.WithHTTPClient(http.DefaultClient)}
	}
	svc, err := sheets.NewService(context.Background(), append([]option.ClientOption{option.WithEndpoint(endpoint + "/")}, opts...)...)
	require.NoError(t, err)
	return svc
}

// dayRows is a row-layout tab with one full day (26.11.2026 as a serial date).
func dayRows(newCalls float64) [][]any {
	return [][]any{
		{"Дата", "Новые звонки", "Повторные звонки", "Отправлено КП", "Выставлено счетов и договоров", "Подписано договоров", "Оплаты", "Звонки по обратной связи"},
		{46352.0, newCalls, 5.0, 3.0, 2.0, 1.0, 1.0, 4.0},
	}
}

const team = "1teamSheet"

func teamBook() map[string][]sheetTab {
	return map[string][]sheetTab{
		team: {
			{title: "Иванов", gid: 0, rows: dayRows(11)},
			{title: "Петрова", gid: 101, rows: dayRows(12)},
			{title: "Q1/Q2", gid: 202, rows: dayRows(13)},
			{title: "It's", gid: 303, rows: dayRows(14)},
			{title: "Сидоров", gid: 404, rows: nil},
		},
		"1solo": {{title: "Лист1", gid: 0, rows: dayRows(20)}},
	}
}

func teamRefs() []source.Ref {
	return []source.Ref{
		{Employee: "ivanov", Report: team},
		{Employee: "petrova", Report: "https://docs.google.com/spreadsheets/d/" + team + "/edit#gid=101"},
		{Employee: "kvartal", Report: team + "#Q1/Q2"},
		{Employee: "oconnor", Report: "https://docs.google.com/spreadsheets/d/" + team + "/edit?gid=303"},
		{Employee: "sidorov", Report: team + "#Сидоров"},
	}
}

func newCalls(t *testing.T, f *source.Fetched) float64 {
	t.Helper()
	secs, _ := f.Doc.Sections(ref)
	require.Len(t, secs, 1)
	return report.Parse(tmpl, secs[0], report.Options{}).Metrics["new_calls"]
}

// TestPrefetchOneSpreadsheet: five employees on one spreadsheet cost one
// spreadsheets.get (some links carry #gid=) and one values:batchGet.
func TestPrefetchOneSpreadsheet(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	ctx := t.Context()
	refs := teamRefs()

	require.NoError(t, s.Prefetch(ctx, refs, ref))
	gets, batch := srv.counts()
	require.Equal(t, 1, gets)
	require.Equal(t, 1, batch)
	require.Equal(t, []string{"A1:ZZ", "'Петрова'!A1:ZZ", "'Q1/Q2'!A1:ZZ", "'It''s'!A1:ZZ", "'Сидоров'!A1:ZZ"}, srv.ranges[0])
	for _, q := range srv.queries {
		if q.Has("ranges") {
			require.Equal(t, "UNFORMATTED_VALUE", q.Get("valueRenderOption"))
			require.Equal(t, "SERIAL_NUMBER", q.Get("dateTimeRenderOption"))
		} else {
			require.Equal(t, "sheets.properties(sheetId,title)", q.Get("fields"))
		}
	}

	want := map[string]float64{"ivanov": 11, "petrova": 12, "kvartal": 13, "oconnor": 14}
	for _, r := range refs {
		f, err := s.Fetch(ctx, r, ref)
		require.NoError(t, err, r.Employee)
		if r.Employee == "sidorov" {
			require.Empty(t, f.Doc.Blocks, "an empty tab is a document without blocks")
			continue
		}
		require.InDelta(t, want[r.Employee], newCalls(t, f), 0, r.Employee)
	}
	gets, batch = srv.counts()
	require.Equal(t, 1, gets, "fetches after a prefetch cost nothing")
	require.Equal(t, 1, batch)

	// Located on the tab read, linked to the tab when the gid is known.
	f, err := s.Fetch(ctx, refs[1], ref)
	require.NoError(t, err)
	require.Equal(t, "https://docs.google.com/spreadsheets/d/"+team+"/edit#gid=101", f.URL)
	secs, _ := f.Doc.Sections(ref)
	require.Equal(t, "'Петрова'!A2", secs[0].Start.String())
	gets, batch = srv.counts()
	require.Equal(t, 1, gets, "the gid → title map is kept")
	require.Equal(t, 2, batch, "a prefetch is served once; the next fetch reads again")

	// The first sheet, read by default, is named by the range Google answered.
	f, err = s.Fetch(ctx, refs[0], ref)
	require.NoError(t, err)
	require.Equal(t, "Иванов", f.Doc.Title)
	require.Equal(t, "https://docs.google.com/spreadsheets/d/"+team+"/edit", f.URL)
}

func TestPrefetchGroupsBySpreadsheet(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	refs := []source.Ref{
		{Employee: "ivanov", Report: team + "#Иванов"},
		{Employee: "solo", Report: "https://docs.google.com/spreadsheets/d/1solo/edit"},
		{Employee: "kvartal", Report: team + "#Q1/Q2"},
		{Employee: "nobody"},
		{Employee: "doc", Report: "https://docs.google.com/document/d/1doc/edit"},
	}
	require.NoError(t, s.Prefetch(t.Context(), refs, ref))
	gets, batch := srv.counts()
	require.Zero(t, gets, "no #gid: no spreadsheets.get")
	require.Equal(t, 2, batch, "one batchGet per spreadsheet")
	for _, r := range refs[:3] {
		_, err := s.Fetch(t.Context(), r, ref)
		require.NoError(t, err)
	}
	_, batch = srv.counts()
	require.Equal(t, 2, batch)
	_, err := s.Fetch(t.Context(), refs[3], ref)
	require.ErrorIs(t, err, source.ErrNoDocument)
	_, err = s.Fetch(t.Context(), refs[4], ref)
	require.ErrorIs(t, err, gsheet.ErrNotASheet)
	require.ErrorContains(t, err, "doc:")
}

// TestPrefetchFailureFallsBack: a tab that does not exist fails the whole
// batchGet; every employee is then read on their own and only the one with
// the bad tab fails.
func TestPrefetchFailureFallsBack(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	refs := []source.Ref{
		{Employee: "ivanov", Report: team + "#Иванов"},
		{Employee: "typo", Report: team + "#Ивнов"},
	}
	err := s.Prefetch(t.Context(), refs, ref)
	require.ErrorContains(t, err, team)
	require.ErrorContains(t, err, "ivanov, typo")
	f, err := s.Fetch(t.Context(), refs[0], ref)
	require.NoError(t, err)
	require.InDelta(t, 11.0, newCalls(t, f), 0)
	_, err = s.Fetch(t.Context(), refs[1], ref)
	require.ErrorContains(t, err, "typo")
	require.ErrorContains(t, err, team)
	require.ErrorContains(t, err, "check the tab name")
	var gerr *googleapi.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusBadRequest, gerr.Code)
}

// TestPrefetchMissingSpreadsheet: a spreadsheet that cannot be read is asked
// for once, not once per employee.
func TestPrefetchMissingSpreadsheet(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	var refs []source.Ref
	for i := range 5 {
		refs = append(refs, source.Ref{Employee: fmt.Sprint("e", i), Report: fmt.Sprintf("https://docs.google.com/spreadsheets/d/1gone/edit#gid=%d", i)})
	}
	err := s.Prefetch(t.Context(), refs, ref)
	require.ErrorContains(t, err, "e0: spreadsheet 1gone (gid 0): not found")
	require.ErrorContains(t, err, "e4: spreadsheet 1gone (gid 4): not found")
	srv.mu.Lock()
	defer srv.mu.Unlock()
	require.Equal(t, 1, srv.all, "one spreadsheets.get, then no batchGet")
}

// TestFetchGIDOnce: concurrent fetches by #gid share one spreadsheets.get.
func TestFetchGIDOnce(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	refs := teamRefs()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			r := refs[i%len(refs)]
			r.Report = fmt.Sprintf("https://docs.google.com/spreadsheets/d/%s/edit#gid=%d", team, []int{0, 101, 202, 303, 404}[i%5])
			_, errs[i] = s.Fetch(t.Context(), r, ref)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	gets, batch := srv.counts()
	require.Equal(t, 1, gets)
	require.Equal(t, 20, batch)
}

// TestFetchNewTab: a gid missing from the known tabs is looked up again once.
func TestFetchNewTab(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	link := "https://docs.google.com/spreadsheets/d/" + team + "/edit#gid="
	_, err := s.Fetch(t.Context(), source.Ref{Employee: "ivanov", Report: link + "0"}, ref)
	require.NoError(t, err)

	_, err = s.Fetch(t.Context(), source.Ref{Employee: "novikov", Report: link + "505"}, ref)
	require.ErrorContains(t, err, "novikov")
	require.ErrorContains(t, err, "no tab with gid 505")
	require.ErrorIs(t, err, gsheet.ErrNoTab)
	gets, _ := srv.counts()
	require.Equal(t, 2, gets, "the known list is read again once")

	srv.addTab(team, sheetTab{title: "Новиков", gid: 505, rows: dayRows(3)})
	f, err := s.Fetch(t.Context(), source.Ref{Employee: "novikov", Report: link + "505"}, ref)
	require.NoError(t, err)
	require.InDelta(t, 3.0, newCalls(t, f), 0)
	gets, _ = srv.counts()
	require.Equal(t, 3, gets)
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	ctx := t.Context()

	_, err := s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "  "}, ref)
	require.ErrorIs(t, err, source.ErrNoDocument)

	_, err = s.Fetch(ctx, source.Ref{Employee: "petrova", Report: "https://docs.google.com/spreadsheets/d/1gone/edit"}, ref)
	require.NotErrorIs(t, err, source.ErrNoDocument)
	require.ErrorContains(t, err, "petrova")
	require.ErrorContains(t, err, "1gone")
	require.ErrorContains(t, err, "not found")
	var gerr *googleapi.Error
	require.ErrorAs(t, err, &gerr)
	require.Equal(t, http.StatusNotFound, gerr.Code)

	_, err = s.Fetch(ctx, source.Ref{Employee: "petrova", Report: "https://docs.google.com/spreadsheets/d/1gone/edit#gid=3"}, ref)
	require.ErrorContains(t, err, "petrova")
	require.ErrorContains(t, err, "1gone (gid 3)")

	_, err = s.Fetch(ctx, source.Ref{Employee: "sidorov", Report: "locked#Лист1"}, ref)
	require.ErrorContains(t, err, "sidorov")
	require.ErrorContains(t, err, `locked (tab "Лист1")`)
	require.ErrorContains(t, err, "share the spreadsheet")

	_, err = s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "https://docs.google.com/document/d/1doc/edit"}, ref)
	require.ErrorIs(t, err, gsheet.ErrNotASheet)
	require.ErrorContains(t, err, "ivanov")

	_, err = (&gsheet.Source{}).Fetch(ctx, source.Ref{Employee: "x", Report: "1abc"}, ref)
	require.ErrorContains(t, err, "no Sheets client")
}

// TestErrorsHideKey: an API key travels in the query string; no error shows it.
func TestErrorsHideKey(t *testing.T) {
	t.Parallel()
	const secret = "AIzaSy-very-secret-key"
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL, option.WithAPIKey(secret))}
	_, err := s.Fetch(t.Context(), source.Ref{Employee: "ivanov", Report: "1gone"}, ref)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)

	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	s = &gsheet.Source{Sheets: newSheets(t, dead.URL, option.WithAPIKey(secret))}
	_, err = s.Fetch(t.Context(), source.Ref{Employee: "ivanov", Report: team + "#gid=5"}, ref)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	err = s.Prefetch(t.Context(), []source.Ref{{Employee: "ivanov", Report: team}}, ref)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	var uerr *url.Error
	require.ErrorAs(t, err, &uerr)
}

// TestPrefetchExpires: values prefetched in one pass are not served to a
// fetch in a later one.
func TestPrefetchExpires(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	var (
		mu  sync.Mutex
		now = time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL), Now: clock, PrefetchTTL: time.Minute}
	r := source.Ref{Employee: "solo", Report: "1solo"}
	require.NoError(t, s.Prefetch(t.Context(), []source.Ref{r}, ref))
	srv.mu.Lock()
	srv.books["1solo"][0].rows = dayRows(21)
	srv.mu.Unlock()
	mu.Lock()
	now = now.Add(20 * time.Minute)
	mu.Unlock()
	f, err := s.Fetch(t.Context(), r, ref)
	require.NoError(t, err)
	require.InDelta(t, 21.0, newCalls(t, f), 0, "read again, not served from the old prefetch")
	_, batch := srv.counts()
	require.Equal(t, 2, batch)
}

// TestRevision: the same values keep their revision; a change gives a new one.
func TestRevision(t *testing.T) {
	t.Parallel()
	srv := newSheetsServer(t, teamBook())
	s := &gsheet.Source{Sheets: newSheets(t, srv.URL)}
	r := source.Ref{Employee: "solo", Report: "1solo"}
	f1, err := s.Fetch(t.Context(), r, ref)
	require.NoError(t, err)
	f2, err := s.Fetch(t.Context(), r, ref)
	require.NoError(t, err)
	require.Equal(t, f1.Revision, f2.Revision)
	srv.mu.Lock()
	srv.books["1solo"][0].rows = dayRows(21)
	srv.mu.Unlock()
	f3, err := s.Fetch(t.Context(), r, ref)
	require.NoError(t, err)
	require.NotEqual(t, f1.Revision, f3.Revision)
}
