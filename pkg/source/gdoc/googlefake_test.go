package gdoc_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/dayreport/dayreport/pkg/googlefake"
	"github.com/dayreport/dayreport/pkg/report"
	"github.com/dayreport/dayreport/pkg/source"
	"github.com/dayreport/dayreport/pkg/source/gdoc"
)

func fakeSource(t *testing.T, opts ...googlefake.Options) (*googlefake.Server, *gdoc.Source) {
	t.Helper()
	var o googlefake.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	fake := googlefake.New(t, o)
	svc, err := docs.NewService(t.Context(),
		option.WithEndpoint(fake.URL+"/"), option.WithoutAuthentication(), option.WithHTTPClient(fake.Client()))
	require.NoError(t, err)
	return fake, &gdoc.Source{Docs: svc}
}

// TestFakeEndToEnd: documents stored with inline suggestions and nested tabs
// read through the real client read as the fixtures convert.
func TestFakeEndToEnd(t *testing.T) {
	t.Parallel()
	fake, s := fakeSource(t)
	for _, name := range []string{"suggestions", "nested_tabs", "date_chips", "table_report"} {
		fake.PutDoc("1"+name, loadDoc(t, name+".json"))
	}
	cases := []struct {
		id       string
		payments float64
		day      string
	}{
		{"1suggestions", 1, "2026-11-26"},
		{"1nested_tabs", 1, "2026-12-01"},
		{"1date_chips", 1, "2026-11-26"},
		{"1table_report", 1, "2026-11-26"},
	}
	for _, tc := range cases {
		f, err := s.Fetch(t.Context(), source.Ref{Employee: "e", Report: gdoc.URL(tc.id)}, ref)
		require.NoError(t, err, tc.id)
		require.NotEmpty(t, f.Revision)
		want, _ := gdoc.Convert(loadDoc(t, tc.id[1:]+".json"), ref)
		require.Equal(t, dump(want, nil), dump(f.Doc, nil), "%s: the fake's preview reads as the fixture", tc.id)
		r := parsed(t, f.Doc, tc.day)
		require.Equal(t, report.Submitted, r.Status(), "%s: %v", tc.id, r.Errors)
		require.InDelta(t, tc.payments, r.Metrics["payments"], 0)
	}
	for _, req := range fake.Requests() {
		q, err := url.ParseQuery(req.Query)
		require.NoError(t, err)
		require.Equal(t, "true", q.Get("includeTabsContent"))
		require.Equal(t, gdoc.SuggestionsViewMode, q.Get("suggestionsViewMode"))
	}
	require.Len(t, fake.Requests(), len(cases), "one request per document")
}

// TestFakeSuggestionsRejected: the fake resolves suggestions like Google; the
// suggested "15" and the suggested "Оплаты: 9" paragraph are not read.
func TestFakeSuggestionsRejected(t *testing.T) {
	t.Parallel()
	fake, s := fakeSource(t)
	fake.PutDoc("1s", loadDoc(t, "suggestions.json"))
	f, err := s.Fetch(t.Context(), source.Ref{Employee: "orlova", Report: "1s"}, ref)
	require.NoError(t, err)
	r := parsed(t, f.Doc, "2026-11-26")
	require.InDelta(t, 12.0, r.Metrics["new_calls"], 0)
	require.InDelta(t, 1.0, r.Metrics["payments"], 0)
	require.NotContains(t, r.Metrics, "company_rating")
}

// TestFakeFailures: the source does not retry (pkg/google owns retries) and
// names the employee and document in every failure.
func TestFakeFailures(t *testing.T) {
	t.Parallel()
	// In a testing/synctest bubble with the fake in-process: the 200 ms
	// deadline cannot pass before the request reaches the fake (on a busy
	// machine it could, leaving the Timeout fault for the next call).
	synctest.Test(t, func(t *testing.T) {
		fake, s := fakeSource(t, googlefake.Options{InProcess: true})
		fake.PutDoc("1ok", loadDoc(t, "ru_paragraphs.json"))
		ctx := t.Context()

		_, err := s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "1missing"}, ref)
		var gerr *googleapi.Error
		require.ErrorAs(t, err, &gerr)
		require.Equal(t, http.StatusNotFound, gerr.Code)
		require.ErrorContains(t, err, "ivanov")
		require.ErrorContains(t, err, "1missing")

		fake.ResetRequests()
		fake.Inject(googlefake.APIDocs, googlefake.ServerError, 1)
		_, err = s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "1ok"}, ref)
		require.ErrorAs(t, err, &gerr)
		require.Equal(t, http.StatusInternalServerError, gerr.Code)
		require.Len(t, fake.Requests(), 1, "no retry inside the source")

		fake.Inject(googlefake.APIDocs, googlefake.RateLimited, 1)
		_, err = s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "1ok"}, ref)
		require.ErrorContains(t, err, "rate limited")
		require.ErrorAs(t, err, &gerr)
		require.Equal(t, http.StatusTooManyRequests, gerr.Code)

		fake.Inject(googlefake.APIDocs, googlefake.Timeout, 1)
		tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err = s.Fetch(tctx, source.Ref{Employee: "ivanov", Report: "1ok"}, ref)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorContains(t, err, "ivanov")

		_, err = s.Fetch(ctx, source.Ref{Employee: "ivanov", Report: "1ok"}, ref)
		require.NoError(t, err, "faults are used up")
	})
}
