package amocrm_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
)

// answering is an adapter over a server that gives every request the same
// answer, echoing the Authorization header in the problem's detail, as a
// careless proxy might.
func answering(t *testing.T, status int, header http.Header) (*amocrm.Adapter, *atomic.Int32, *syncBuffer) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"title": http.StatusText(status), "type": "https://httpstatus.es/400", "status": status,
			"detail": "you sent " + r.Header.Get("Authorization"),
			"validation-errors": []map[string]any{{"request_id": "0", "errors": []map[string]string{
				{"code": "Bad", "path": "name", "detail": "token " + token + " is not a name"},
			}}},
		})
	}))
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	a, err := amocrm.New(config.AmoCRM{BaseURL: srv.URL, Token: config.Secret(token), CatalogID: 1, Fields: fields},
		amocrm.Options{Per: 50 * time.Millisecond, Timeout: time.Second, Log: zerolog.New(logs).Level(zerolog.DebugLevel)})
	require.NoError(t, err)
	return a, &calls, logs
}

func TestErrorsAreClassifiedAndScrubbed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status     int
		header     http.Header
		retryable  bool
		retryAfter time.Duration
		says       string
	}{
		{http.StatusBadRequest, nil, false, 0, "400 Bad Request: you sent Bearer [hidden]"},
		{http.StatusUnauthorized, nil, false, 0, "token was refused"},
		{http.StatusForbidden, nil, false, 0, "the account may be blocked"},
		{http.StatusPaymentRequired, nil, false, 0, "plan"},
		{http.StatusNotFound, nil, false, 0, "check catalog_id 1"},
		{http.StatusFound, http.Header{"Location": {"https://acme.kommo.com/api/v4/catalogs/1/elements"}}, false, 0,
			"amoCRM redirected the request to https://acme.kommo.com; check base_url"},
		{http.StatusTooManyRequests, http.Header{"Retry-After": {"3"}}, true, 3 * time.Second, "429"},
		{http.StatusTooManyRequests, nil, true, 50 * time.Millisecond, "429"}, // no Retry-After: one rate window
		{http.StatusInternalServerError, nil, true, 0, "500"},
		{http.StatusBadGateway, nil, true, 0, "502"},
		{http.StatusServiceUnavailable, http.Header{"Retry-After": {"2"}}, true, 2 * time.Second, "503"},
		{http.StatusGatewayTimeout, nil, true, 0, "504"},
	} {
		a, calls, logs := answering(t, tc.status, tc.header)
		res := a.Upsert(t.Context(), []crm.Push{{Record: rec("ivanov", nil)}})
		err := res[0].Err
		require.Error(t, err, "%d", tc.status)
		require.Equal(t, tc.retryable, crm.IsRetryable(err), "%d: %v", tc.status, err)
		require.Equal(t, tc.retryAfter, crm.RetryAfter(err), "%d: %v", tc.status, err)
		require.Contains(t, err.Error(), tc.says, "%d", tc.status)
		require.NotContains(t, err.Error(), token, "%d: the error holds the token", tc.status)
		require.NotContains(t, logs.String(), token, "%d: the log holds the token", tc.status)
		require.Positive(t, calls.Load())
	}
}

func TestValidationDetailsAreScrubbed(t *testing.T) {
	t.Parallel()
	a, _, _ := answering(t, http.StatusBadRequest, nil)
	err := a.Upsert(t.Context(), []crm.Push{{Record: rec("ivanov", nil), ObjectID: "12"}})[0].Err
	require.Error(t, err)
	require.False(t, crm.IsRetryable(err))
	require.Contains(t, err.Error(), "Bad at name: token [hidden] is not a name")
	require.NotContains(t, err.Error(), token)
}

func TestForbiddenStopsSendingForTheCooldown(t *testing.T) {
	t.Parallel()
	a, calls, logs := answering(t, http.StatusForbidden, nil)
	var pushes []crm.Push
	for _, emp := range []string{"a", "b", "c", "d"} {
		pushes = append(pushes, crm.Push{Record: rec(emp, nil)})
	}
	res := a.Upsert(t.Context(), pushes)
	for i, r := range res {
		require.Error(t, r.Err, "push %d", i)
		require.False(t, crm.IsRetryable(r.Err), "push %d: %v", i, r.Err)
		require.Contains(t, r.Err.Error(), "blocked", "push %d", i)
	}
	sent := calls.Load()
	require.LessOrEqual(t, sent, int32(4), "lookups already in flight may land, nothing after")
	res = a.Upsert(t.Context(), pushes[:1])
	require.ErrorContains(t, res[0].Err, "403")
	require.Equal(t, sent, calls.Load(), "a blocked account is left alone until the cooldown ends")
	require.Contains(t, logs.String(), "may be blocked")
}

func TestUnauthorizedAgainstTheFake(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(s setup) { s.cfg.Token = "wrong-token-123" })
	res := e.upsert(t, crm.Push{Record: rec("ivanov", nil)})
	require.False(t, crm.IsRetryable(res[0].Err))
	require.Contains(t, res[0].Err.Error(), "401 Unauthorized: Invalid user name or password")
	require.NotContains(t, res[0].Err.Error(), "wrong-token-123")
	require.Equal(t, []string{"GET 401"}, e.calls())
}

func TestTransportErrorsAreRetryable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	a, err := amocrm.New(config.AmoCRM{BaseURL: base, Token: config.Secret(token), CatalogID: 1}, amocrm.Options{})
	require.NoError(t, err)
	res := a.Upsert(t.Context(), []crm.Push{{Record: rec("ivanov", nil)}, {Record: rec("petrov", nil), ObjectID: "5"}})
	for i, r := range res {
		require.Error(t, r.Err, "push %d", i)
		require.True(t, crm.IsRetryable(r.Err), "push %d: %v", i, r.Err)
		require.NotContains(t, r.Err.Error(), token)
		require.NotContains(t, r.Err.Error(), "?query=", "errors name the path, not the query")
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res := e.a.Upsert(ctx, []crm.Push{{Record: rec("a", nil)}, {Record: rec("b", nil), ObjectID: "3"}})
	for _, r := range res {
		require.ErrorIs(t, r.Err, context.Canceled)
		require.False(t, crm.IsRetryable(r.Err))
	}
	require.Empty(t, e.fake.Requests())
}
