package gsheet_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/googleapi"

	"github.com/dayreport/dayreport/pkg/google"
	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/summary/gsheet"
)

// Google recommends request bodies of at most 2 MB.
const recommendedPayload = 2_000_000

// route names a request as the API's method.
func route(r googlefake.Request) string {
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/spreadsheets/"+sheetID):
		return "spreadsheets.get"
	case strings.HasSuffix(r.Path, ":batchUpdate") && !strings.Contains(r.Path, "/values"):
		return "spreadsheets.batchUpdate"
	case strings.HasSuffix(r.Path, "/values:batchUpdate"):
		return "values.batchUpdate"
	case strings.HasSuffix(r.Path, "/values:batchClear"):
		return "values.batchClear"
	}
	return r.Method + " " + r.Path
}

// A write costs the same requests for 10 and for 1000 employees × 10 days,
// on a new spreadsheet and on a second pass, every body under 2 MB.
func TestConstantCost(t *testing.T) {
	t.Parallel()
	want := []string{"spreadsheets.get", "spreadsheets.batchUpdate", "values.batchUpdate"}
	for _, employees := range []int{10, 1000} {
		fake, w, rec := setup(t)
		m := model("ru", employees, 10)
		passes := 2
		if employees > 100 && testing.Short() {
			passes = 1 // the fake takes its time over 10 000 rows
		}
		for pass := 1; pass <= passes; pass++ {
			fake.ResetRequests()
			n := len(rec.exchanges())
			start := time.Now()
			require.NoError(t, w.Write(t.Context(), sheetID, m))
			var got []string
			for _, r := range fake.Requests() {
				require.Equal(t, http.StatusOK, r.Status)
				got = append(got, route(r))
			}
			require.Equal(t, want, got, "%d employees, pass %d", employees, pass)
			if pass == 1 {
				require.Contains(t, fake.Requests()[0].Query, "fields=sheets", "the get reads a field mask, not the cells")
			}
			var sizes []int
			for _, e := range rec.exchanges()[n:] {
				require.Less(t, e.Body, recommendedPayload, "%s %s", e.Method, e.Path)
				sizes = append(sizes, e.Body)
			}
			t.Logf("%d employees × 10 days, pass %d: %d requests %v, body bytes %v, %v",
				employees, pass, len(got), got, sizes, time.Since(start).Round(time.Millisecond))
		}
		require.Len(t, fake.Cells(sheetID, "Сводка"), 1+employees*10, "every row is written")
		require.Len(t, fake.Cells(sheetID, "Отсутствия"), 1+len(m.Absences))
		require.Len(t, fake.Cells(sheetID, "Проверка"), 1+len(m.Checks))
		require.Len(t, fake.Charts(sheetID), 1)
		require.Len(t, fake.Rules(sheetID, "Сводка"), 3)
	}
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	fake, w, rec := setup(t)
	rec.answer = func(*http.Request) *http.Response {
		return jsonAnswer(http.StatusForbidden,
			`{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`)
	}
	err := w.Write(t.Context(), sheetID, model("ru", 1, 1))
	require.Error(t, err)
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusForbidden, ge.Code)
	msg := err.Error()
	require.Contains(t, msg, "spreadsheet "+sheetID)
	require.Contains(t, msg, "share the spreadsheet with the service account's e-mail (client_email in its key file) as an editor")
	require.Len(t, rec.exchanges(), 1, "nothing is written after the refusal")
	require.Empty(t, fake.Requests())

	w.Account = "dayreport@project.iam.gserviceaccount.com"
	err = w.Write(t.Context(), "https://docs.google.com/spreadsheets/d/"+sheetID+"/edit", model("ru", 1, 1))
	require.ErrorContains(t, err, "share the spreadsheet with dayreport@project.iam.gserviceaccount.com (the service account) as an editor")
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	err := w.Write(t.Context(), "https://docs.google.com/spreadsheets/d/1unknownID_-x/edit#gid=5", model("ru", 1, 1))
	require.Error(t, err)
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusNotFound, ge.Code)
	require.Contains(t, err.Error(), "gsheet: spreadsheet 1unknownID_-x: reading its tabs: not found (404): check summary.spreadsheet")
	require.Len(t, fake.Requests(), 1)
	require.Equal(t, []string{"Мои заметки"}, fake.SheetTitles(sheetID))
}

func TestBadSpreadsheet(t *testing.T) {
	t.Parallel()
	fake, w, _ := setup(t)
	for _, s := range []string{"", "https://example.com/spreadsheets/d/x/edit", "https://docs.google.com/document/d/abc/edit", "a b"} {
		err := w.Write(t.Context(), s, model("ru", 1, 1))
		require.ErrorIs(t, err, gsheet.ErrBadSpreadsheet, "%q", s)
	}
	require.Empty(t, fake.Requests())
	require.Error(t, w.Write(t.Context(), sheetID, nil))
}

// Quota and server errors are retried by pkg/google's transport: the writer
// sends each request once, the transport repeats it.
func TestSurvivesQuotaAndOutages(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{SheetsReadPerMinute: -1, SheetsWritePerMinute: -1}})
	fake.PutSheet(sheetID, "Отдел продаж", []googlefake.Tab{{Title: "Мои заметки", Rows: [][]any{{"заметка"}}}})
	// The writes fail once each in front of the fake: a 503 for the
	// batchUpdate, a quota 429 for the values.
	var failedBatch, failedValues atomic.Bool
	rec := &recorder{next: fake.Client().Transport, answer: func(r *http.Request) *http.Response {
		switch {
		case strings.HasSuffix(r.URL.Path, "/values:batchUpdate") && !failedValues.Swap(true):
			return jsonAnswer(http.StatusTooManyRequests, `{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",`+
				`"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}`)
		case strings.HasSuffix(r.URL.Path, ":batchUpdate") && !strings.Contains(r.URL.Path, "/values") && !failedBatch.Swap(true):
			return jsonAnswer(http.StatusServiceUnavailable, `{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}`)
		}
		return nil
	}}
	var retries atomic.Int32
	svc, err := google.NewSheets(t.Context(), google.Options{
		Endpoint: fake.URL, HTTPClient: &http.Client{Transport: rec}, ReadsPerMinute: -1, WritesPerMinute: -1,
		Sleep:   func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		OnRetry: func(string, int, time.Duration, string) { retries.Add(1) },
	}, true)
	require.NoError(t, err)
	// The get meets a spent quota twice and an outage once, in the fake.
	fake.Inject(googlefake.APISheets, googlefake.RateLimited, 2)
	fake.Inject(googlefake.APISheets, googlefake.Unavailable, 1)
	w := gsheet.New(svc)
	require.NoError(t, w.Write(t.Context(), sheetID, model("ru", 3, 2)))

	var got []string
	for _, r := range fake.Requests() {
		got = append(got, route(r)+" "+http.StatusText(r.Status))
	}
	require.Equal(t, []string{
		"spreadsheets.get Too Many Requests", "spreadsheets.get Too Many Requests", "spreadsheets.get Service Unavailable",
		"spreadsheets.get OK", "spreadsheets.batchUpdate OK", "values.batchUpdate OK",
	}, got)
	require.Len(t, rec.exchanges(), 8, "6 at the fake, 2 answered in front of it")
	require.EqualValues(t, 5, retries.Load())
	require.Len(t, fake.Cells(sheetID, "Сводка"), 1+3*2)
	require.Len(t, fake.Charts(sheetID), 1)
	require.Equal(t, [][]any{{"заметка"}}, fake.Cells(sheetID, "Мои заметки"))

	// A quota that stays spent is reported with the spreadsheet and advice.
	fake.Inject(googlefake.APISheets, googlefake.RateLimited, google.DefaultMaxAttempts)
	err = w.Write(t.Context(), sheetID, model("ru", 1, 1))
	require.ErrorContains(t, err, "gsheet: spreadsheet "+sheetID+": reading its tabs: the Sheets quota stayed spent")
	var ge *googleapi.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusTooManyRequests, ge.Code)
}

// applyThenFail applies the first batchUpdate it sees and answers 503 as if
// the answer had been lost, so that the client's transport sends it again.
type applyThenFail struct {
	next http.RoundTripper
	done atomic.Bool
}

func (a *applyThenFail) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, ":batchUpdate") || strings.Contains(r.URL.Path, "/values") || a.done.Swap(true) {
		return resp, err
	}
	_ = resp.Body.Close()
	return jsonAnswer(http.StatusServiceUnavailable, `{"error":{"code":503,"message":"lost","status":"UNAVAILABLE"}}`), nil
}

// A batchUpdate Google applied but whose answer was lost is sent again by
// the transport; on tabs a pass has written before, the repeat succeeds and
// leaves one chart and the same rules.
func TestRepeatedBatchIsHarmless(t *testing.T) {
	t.Parallel()
	fake := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{SheetsReadPerMinute: -1, SheetsWritePerMinute: -1}})
	fake.PutSheet(sheetID, "Отдел продаж", []googlefake.Tab{{Title: "Мои заметки"}})
	require.NoError(t, gsheet.New(serviceFor(t, fake)).Write(t.Context(), sheetID, model("ru", 4, 2)))

	svc, err := google.NewSheets(t.Context(), google.Options{
		Endpoint: fake.URL, HTTPClient: &http.Client{Transport: &applyThenFail{next: fake.Client().Transport}},
		ReadsPerMinute: -1, WritesPerMinute: -1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}, true)
	require.NoError(t, err)
	fake.ResetRequests()
	require.NoError(t, gsheet.New(svc).Write(t.Context(), sheetID, model("ru", 3, 1)))
	var got []string
	for _, r := range fake.Requests() {
		got = append(got, route(r))
	}
	require.Equal(t, []string{"spreadsheets.get", "spreadsheets.batchUpdate", "spreadsheets.batchUpdate", "values.batchUpdate"}, got)
	require.Len(t, fake.Charts(sheetID), 1)
	require.Len(t, fake.Rules(sheetID, "Сводка"), 3)
	require.Len(t, fake.Rules(sheetID, "Отсутствия"), 2)
	require.Len(t, fake.Cells(sheetID, "Сводка"), 1+3)
}

func TestSpreadsheetID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1AbC-d_e": "1AbC-d_e",
		"  1AbC  ": "1AbC",
		"https://docs.google.com/spreadsheets/d/1AbC/edit#gid=0":         "1AbC",
		"https://docs.google.com/spreadsheets/d/1AbC/edit?gid=12#gid=12": "1AbC",
		"https://docs.google.com/spreadsheets/u/0/d/1AbC/edit":           "1AbC",
		"https://docs.google.com/spreadsheets/d/1AbC":                    "1AbC",
		"docs.google.com/spreadsheets/d/1AbC/edit":                       "1AbC",
		"HTTPS://DOCS.GOOGLE.COM/spreadsheets/d/1AbC/":                   "1AbC",
	} {
		got, err := gsheet.SpreadsheetID(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", "a/b", "1AbC#gid=0", "https://docs.google.com/document/d/1AbC/edit",
		"https://docs.google.com/spreadsheets/d/e/2PACX-1v/pubhtml", "https://evil.example/spreadsheets/d/1AbC/edit",
		"https://docs.google.com/spreadsheets/", "https://docs.google.com/spreadsheets/d/a%20b/edit",
	} {
		_, err := gsheet.SpreadsheetID(in)
		require.ErrorIs(t, err, gsheet.ErrBadSpreadsheet, in)
	}
}
