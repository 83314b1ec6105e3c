package googlefake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/docs/v1"

	"github.com/dayreport/dayreport/pkg/googlefake"
)

func TestQuotaExceeded(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{SheetsReadPerMinute: 2, DriveQueriesPerMinute: 1}})
	s.PutSheet("book", "b", nil)
	svc := sheetsClient(t, s)
	ctx := context.Background()
	for range 2 {
		_, err := svc.Spreadsheets.Get("book").Context(ctx).Do()
		require.NoError(t, err)
	}
	_, err := svc.Spreadsheets.Get("book").Context(ctx).Do()
	ge := apiError(t, err)
	require.Equal(t, http.StatusTooManyRequests, ge.Code)
	require.Contains(t, ge.Message, "Quota exceeded for quota metric 'Read requests'")
	require.Len(t, ge.Details, 2)

	// The wire body, as Google sends it.
	resp, err := s.Client().Get(s.URL + "/v4/spreadsheets/book")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Status  string `json:"status"`
			Details []struct {
				Type   string `json:"@type"`
				Reason string `json:"reason"`
			} `json:"details"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &body))
	require.Equal(t, 429, body.Error.Code)
	require.Equal(t, "RESOURCE_EXHAUSTED", body.Error.Status)
	require.Equal(t, "type.googleapis.com/google.rpc.ErrorInfo", body.Error.Details[0].Type)
	require.Equal(t, "RATE_LIMIT_EXCEEDED", body.Error.Details[0].Reason)

	// Writes have their own quota.
	_, err = svc.Spreadsheets.Values.BatchClear("book", nil).Context(ctx).Do()
	require.NoError(t, err)

	// Drive says 403 userRateLimitExceeded.
	d := driveClient(t, s)
	_, err = d.Files.List().Context(ctx).Do()
	require.NoError(t, err)
	_, err = d.Files.List().Context(ctx).Do()
	ge = apiError(t, err)
	require.Equal(t, http.StatusForbidden, ge.Code)
	require.Equal(t, "userRateLimitExceeded", ge.Errors[0].Reason)
}

func TestQuotaRefillsWithTimeScale(t *testing.T) {
	t.Parallel()
	// 600 per minute, a minute lasting 1/60 s: a token every ~28µs real
	// time; with 60/min and scale 60 a token comes every 1/60 s.
	s := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{DocsReadPerMinute: 60}, TimeScale: 60})
	s.PutDoc("d", &docs.Document{Title: "d"})
	svc := docsClient(t, s)
	ctx := context.Background()
	for range 60 {
		_, err := svc.Documents.Get("d").Context(ctx).Do()
		require.NoError(t, err)
	}
	time.Sleep(100 * time.Millisecond) // six scaled seconds: ~6 tokens back
	_, err := svc.Documents.Get("d").Context(ctx).Do()
	require.NoError(t, err)
}

func TestUnlimitedQuota(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{Quotas: googlefake.Quotas{DocsReadPerMinute: -1}})
	s.PutDoc("d", &docs.Document{Title: "d"})
	svc := docsClient(t, s)
	for range 400 {
		_, err := svc.Documents.Get("d").Context(context.Background()).Do()
		require.NoError(t, err)
	}
}

func TestInjectedFaults(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	s.PutDoc("d", &docs.Document{Title: "d"})
	svc := docsClient(t, s)
	ctx := context.Background()

	s.Inject("docs", googlefake.ServerError, 1)
	s.Inject("docs", googlefake.Unavailable, 1)
	s.Inject("docs", googlefake.RateLimited, 1)
	s.Inject("docs", googlefake.DriveUserRateLimit, 1)
	s.Inject("docs", googlefake.Timeout, 1)
	for _, code := range []int{500, 503, 429, 403} {
		_, err := svc.Documents.Get("d").Context(ctx).Do()
		require.Equal(t, code, apiError(t, err).Code)
	}
	// The client gives up once the fake holds the request: a 50 ms
	// deadline could pass on a loaded machine before the request was
	// sent, leaving the fault for the next call (which then hung).
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for len(s.Requests()) < 5 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := svc.Documents.Get("d").Context(tctx).Do()
	require.ErrorIs(t, err, context.Canceled)
	_, err = svc.Documents.Get("d").Context(ctx).Do()
	require.NoError(t, err)
	require.Equal(t, []int{500, 503, 429, 403, 0, 200}, statuses(s.Requests()))

	// Faults are per API.
	s.Inject("sheets", googlefake.ServerError, 1)
	_, err = svc.Documents.Get("d").Context(ctx).Do()
	require.NoError(t, err)
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	s := googlefake.New(t, googlefake.Options{})
	resp, err := s.Client().Get(s.URL + "/v2/whatever")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Empty(t, s.Requests()[0].API)
}
