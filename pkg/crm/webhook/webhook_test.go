package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/crm/webhook"
	"github.com/dayreport/dayreport/pkg/crm/webhook/webhookfake"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

const (
	secret = "hmac-s3cret-for-the-tests"
	token  = "url-t0ken-that-is-secret"
)

// timeout is the client timeout of the tests over a socket: it turns the
// Timeout fault into an error, so every ordinary answer must come well
// within it. It was 250 ms, which a loaded machine running -race can
// outlast; the suite's Timeout subtest pays 2 s once.
const timeout = 2 * time.Second

func newAdapter(t testing.TB, rawURL, secret string) *webhook.Adapter {
	t.Helper()
	a, err := webhook.New(config.WebhookCRM{URL: config.Secret(rawURL), Secret: config.Secret(secret)},
		webhook.Options{Timeout: timeout})
	require.NoError(t, err)
	return a
}

func TestConformance(t *testing.T) {
	t.Parallel()
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		fake := webhookfake.New(t, webhookfake.Options{Secret: secret, Token: token})
		t.Cleanup(func() {
			require.Zero(t, fake.Rejected(), "every request the adapter sent was well-formed and signed")
		})
		return &crmtest.Harness{
			Adapter: newAdapter(t, fake.URL, secret),
			Objects: fake.Objects, Faults: fake, Delete: fake.Delete,
			Secrets: []string{fake.URL, token, secret},
		}
	})
}

// TestConformanceUnsigned runs the suite against an endpoint without a secret.
func TestConformanceUnsigned(t *testing.T) {
	t.Parallel()
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		fake := webhookfake.New(t, webhookfake.Options{Token: token})
		return &crmtest.Harness{
			Adapter: newAdapter(t, fake.URL, ""),
			Objects: fake.Objects, Faults: fake, Delete: fake.Delete,
			Secrets: []string{fake.URL, token},
		}
	})
}

var date = day.New(2026, time.November, 26)

func record(employee string) crm.Record {
	rec := crmtest.Record(employee, date, report.Submitted, map[string]float64{"new_calls": 20, "payments": 150000.5})
	rec.Notes = "«Ромашка»: \"КП\" отправлено\n<b>&</b>"
	return rec
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url, want string
	}{
		{"", "not set"},
		{"   ", "not set"},
		{"ftp://example.com/hook/" + token, "http or https"},
		{"example.com/hook/" + token, "http or https"},
		{"https:///hook/" + token, "no host"},
		{"https://exa mple.com/" + token, "not a valid URL"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			_, err := webhook.New(config.WebhookCRM{URL: config.Secret(tc.url), Secret: secret}, webhook.Options{})
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), token, "the URL never appears in an error")
			require.NotContains(t, err.Error(), secret)
		})
	}
	_, err := webhook.New(config.WebhookCRM{URL: "https://example.com/hook"}, webhook.Options{Timeout: -time.Second})
	require.Error(t, err)

	a, err := webhook.New(config.WebhookCRM{URL: "http://127.0.0.1:1/hook"}, webhook.Options{})
	require.NoError(t, err)
	require.Equal(t, "webhook", a.Name())
	require.Equal(t, webhook.MaxBatch, a.MaxBatch())
}

// capture is an endpoint that records every request and answers with answer.
type capture struct {
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
	answer func(w http.ResponseWriter, r *http.Request)
}

func newCapture(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*capture, string) {
	t.Helper()
	c := &capture{answer: answer}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, r)
		c.bodies = append(c.bodies, b)
		c.mu.Unlock()
		if c.answer != nil {
			c.answer(w, r)
		}
	}))
	srv.Listener = listenLocal(t)
	srv.Start()
	t.Cleanup(srv.Close)
	return c, srv.URL + "/in/" + token + "?sig=" + token
}

func listenLocal(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

func (c *capture) only(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.reqs, 1)
	return c.reqs[0], c.bodies[0]
}

func TestRequestShapeAndSignature(t *testing.T) {
	t.Parallel()
	c, u := newCapture(t, nil)
	rec := record("ivanov")
	res := newAdapter(t, u, secret).Upsert(t.Context(), []crm.Push{{Record: rec}})
	require.NoError(t, res[0].Err)
	require.Equal(t, rec.Key, res[0].ObjectID, "an empty answer: the key is the object id")

	r, body := c.only(t)
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/in/"+token, r.URL.Path, "posted to the configured URL")
	require.Equal(t, "sig="+token, r.URL.RawQuery)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, rec.Key, r.Header.Get("Idempotency-Key"))

	// The body is the record's own JSON, byte for byte.
	want, err := json.Marshal(rec)
	require.NoError(t, err)
	require.Equal(t, string(want), string(body))
	var back crm.Record
	require.NoError(t, json.Unmarshal(body, &back))
	require.Equal(t, rec, back)

	// The signature is HMAC-SHA256 over exactly those bytes, computed here
	// independently of the adapter.
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	require.Equal(t, "sha256="+hex.EncodeToString(m.Sum(nil)), r.Header.Get("X-Dayreport-Signature"))
	// A known vector, so that a change of algorithm or encoding shows.
	m = hmac.New(sha256.New, []byte("key"))
	m.Write([]byte("The quick brown fox jumps over the lazy dog"))
	require.Equal(t, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", hex.EncodeToString(m.Sum(nil)))
}

func TestNoSecretNoSignature(t *testing.T) {
	t.Parallel()
	c, u := newCapture(t, nil)
	res := newAdapter(t, u, "").Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}})
	require.NoError(t, res[0].Err)
	r, _ := c.only(t)
	_, present := r.Header["X-Dayreport-Signature"]
	require.False(t, present, "no secret, no signature header")
}

func TestFakeRejectsBadSignature(t *testing.T) {
	t.Parallel()
	fake := webhookfake.New(t, webhookfake.Options{Secret: secret})
	res := newAdapter(t, fake.URL, "another secret").Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}})
	require.Error(t, res[0].Err)
	require.False(t, crm.IsRetryable(res[0].Err), "401 is permanent: %v", res[0].Err)
	require.Equal(t, "webhook: POST: 401 Unauthorized (permanent)", res[0].Err.Error())
	require.Equal(t, 1, fake.Rejected())
	require.Empty(t, fake.Objects(t))
}

func TestObjectIDFromAnswer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"string id", "application/json", `{"id":"crm-42","ok":true}`, "crm-42"},
		{"number id", "application/json", `{"id": 4200000000001}`, "4200000000001"},
		{"no id", "application/json", `{"ok":true}`, "key"},
		{"empty id", "application/json", `{"id":""}`, "key"},
		{"null id", "application/json", `{"id":null}`, "key"},
		{"not json", "text/plain", `accepted`, "key"},
		{"empty", "", ``, "key"},
		{"array", "application/json", `[{"id":"x"}]`, "key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, u := newCapture(t, func(w http.ResponseWriter, _ *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				_, _ = io.WriteString(w, tc.body)
			})
			rec := record("ivanov")
			res := newAdapter(t, u, secret).Upsert(t.Context(), []crm.Push{{Record: rec}})
			require.NoError(t, res[0].Err)
			want := tc.want
			if want == "key" {
				want = rec.Key
			}
			require.Equal(t, want, res[0].ObjectID)
		})
	}
}

func TestStatusClassification(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code       int
		retryAfter string
		retryable  bool
		minAfter   time.Duration
		maxAfter   time.Duration
	}{
		{200, "", false, 0, 0},
		{201, "", false, 0, 0},
		{202, "", false, 0, 0},
		{204, "", false, 0, 0},
		{429, "7", true, 7 * time.Second, 7 * time.Second},
		{429, "+3s", true, time.Second, 3 * time.Second},
		{429, "", true, 0, 0},
		{429, "soon", true, 0, 0},
		{429, "-5", true, 0, 0},
		{429, "Inf", true, 0, 0},
		{429, "999999999999", true, 24 * time.Hour, 24 * time.Hour},
		{429, "Wed, 21 Oct 2015 07:28:00 GMT", true, 0, 0}, // in the past
		{503, "120", true, 2 * time.Minute, 2 * time.Minute},
		{500, "", true, 0, 0},
		{502, "", true, 0, 0},
		{504, "", true, 0, 0},
		{408, "", true, 0, 0},
		{400, "", false, 0, 0},
		{401, "", false, 0, 0},
		{403, "", false, 0, 0},
		{404, "", false, 0, 0},
		{409, "", false, 0, 0},
		{410, "", false, 0, 0},
		{413, "", false, 0, 0},
		{422, "", false, 0, 0},
		{301, "", false, 0, 0},
		{307, "", false, 0, 0},
	} {
		t.Run(fmt.Sprintf("%d %s", tc.code, tc.retryAfter), func(t *testing.T) {
			t.Parallel()
			c, u := newCapture(t, func(w http.ResponseWriter, _ *http.Request) {
				switch tc.retryAfter {
				case "":
				case "+3s": // an HTTP-date 3 s from the answer
					w.Header().Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
				default:
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				if tc.code >= 300 && tc.code < 400 {
					w.Header().Set("Location", "http://127.0.0.1:1/elsewhere/"+token)
				}
				w.WriteHeader(tc.code)
			})
			res := newAdapter(t, u, secret).Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}})[0]
			c.only(t) // one request: no retry, no redirect followed
			if tc.code < 300 {
				require.NoError(t, res.Err)
				return
			}
			require.Error(t, res.Err)
			require.Equal(t, tc.retryable, crm.IsRetryable(res.Err), "%v", res.Err)
			after := crm.RetryAfter(res.Err)
			require.GreaterOrEqual(t, after, tc.minAfter, "%v", res.Err)
			require.LessOrEqual(t, after, tc.maxAfter, "%v", res.Err)
			require.True(t, strings.HasPrefix(res.Err.Error(), fmt.Sprintf("webhook: POST: %d %s", tc.code, http.StatusText(tc.code))), "%v", res.Err)
			require.NotContains(t, res.Err.Error(), token)
			require.NotContains(t, res.Err.Error(), "127.0.0.1")
		})
	}
}

func TestNetworkErrorsHideTheURL(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: connection refused.
	ln := listenLocal(t)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	u := "http://user:p4ssw0rd-secret@" + addr + "/in/" + token + "?code=" + token
	res := newAdapter(t, u, secret).Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}, {Record: record("petrov")}})
	for i, r := range res {
		require.Error(t, r.Err)
		require.True(t, crm.IsRetryable(r.Err), "push %d: %v", i, r.Err)
		require.NotContains(t, r.Err.Error(), token, "push %d", i)
		require.NotContains(t, r.Err.Error(), "p4ssw0rd", "push %d", i)
		require.NotContains(t, r.Err.Error(), secret, "push %d", i)
		require.Contains(t, r.Err.Error(), "webhook: ")
	}
	require.Contains(t, res[1].Err.Error(), "not sent", "the endpoint is down: the rest of the call is not tried")
}

// TestTimeoutIsRetryableAndNamesNoURL runs in a testing/synctest bubble
// with the fake in-process: the 250 ms timeout is the bubble's, so the call
// is seen to take exactly one timeout, and a busy machine cannot make it
// look like more.
func TestTimeoutIsRetryableAndNamesNoURL(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fake := webhookfake.New(t, webhookfake.Options{Secret: secret, Token: token, InProcess: true})
		fake.Inject(crmtest.Timeout, 1)
		a, err := webhook.New(config.WebhookCRM{URL: config.Secret(fake.URL), Secret: config.Secret(secret)},
			webhook.Options{Timeout: 250 * time.Millisecond, HTTPClient: fake.Client()})
		require.NoError(t, err)
		start := time.Now()
		res := a.Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}, {Record: record("petrov")}})
		require.Equal(t, 250*time.Millisecond, time.Since(start), "one timeout, not one per record")
		for _, r := range res {
			require.Error(t, r.Err)
			require.True(t, crm.IsRetryable(r.Err), "%v", r.Err)
			require.NotContains(t, r.Err.Error(), token)
		}
		require.ErrorIs(t, res[0].Err, context.DeadlineExceeded)
		require.Contains(t, res[0].Err.Error(), "webhook: POST: no answer within 250ms")
		require.Equal(t, 1, fake.Requests(), "the second record was not sent into a hanging endpoint")
	})
}

func TestOneBadRecordDoesNotFailOthers(t *testing.T) {
	t.Parallel()
	fake := webhookfake.New(t, webhookfake.Options{Secret: secret})
	a := newAdapter(t, fake.URL, secret)
	bad := record("petrov")
	bad.Metrics["new_calls"] = nan()
	res := a.Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}, {Record: bad}, {Record: crm.Record{}}, {Record: record("sidorov")}})
	require.NoError(t, res[0].Err)
	require.Error(t, res[1].Err)
	require.False(t, crm.IsRetryable(res[1].Err), "a NaN will never encode: %v", res[1].Err)
	require.Contains(t, res[1].Err.Error(), bad.Key)
	require.Error(t, res[2].Err)
	require.False(t, crm.IsRetryable(res[2].Err), "no key: %v", res[2].Err)
	require.NoError(t, res[3].Err)
	require.Len(t, fake.Objects(t), 2)
}

func TestServerErrorDoesNotStopTheCall(t *testing.T) {
	t.Parallel()
	fake := webhookfake.New(t, webhookfake.Options{Secret: secret})
	fake.Inject(crmtest.ServerError, 1)
	res := newAdapter(t, fake.URL, secret).Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}, {Record: record("petrov")}})
	require.True(t, crm.IsRetryable(res[0].Err), "%v", res[0].Err)
	require.NoError(t, res[1].Err, "a 500 may be about one record: the next one is still sent")
}

func TestRateLimitStopsTheCall(t *testing.T) {
	t.Parallel()
	fake := webhookfake.New(t, webhookfake.Options{Secret: secret, RetryAfter: "3"})
	fake.Inject(crmtest.RateLimited, 1)
	res := newAdapter(t, fake.URL, secret).Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}, {Record: record("petrov")}})
	for _, r := range res {
		require.True(t, crm.IsRetryable(r.Err), "%v", r.Err)
		require.Equal(t, 3*time.Second, crm.RetryAfter(r.Err), "%v", r.Err)
	}
	require.Equal(t, 1, fake.Requests(), "nothing more is sent after a 429")
}

func TestNoTransportReplay(t *testing.T) {
	t.Parallel()
	// A connection dropped after the request was read: net/http would replay
	// a request carrying an Idempotency-Key on a fresh connection; the
	// adapter must leave retrying to crm.Retrier.
	fake := webhookfake.New(t, webhookfake.Options{Secret: secret})
	a := newAdapter(t, fake.URL, secret)
	require.NoError(t, a.Upsert(t.Context(), []crm.Push{{Record: record("ivanov")}})[0].Err) // a kept-alive connection
	fake.Inject(crmtest.Unavailable, 1)
	res := a.Upsert(t.Context(), []crm.Push{{Record: record("petrov")}})
	require.Error(t, res[0].Err)
	require.True(t, crm.IsRetryable(res[0].Err))
	require.Equal(t, 2, fake.Requests(), "one request per attempt")
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	fake := webhookfake.New(t, webhookfake.Options{Secret: secret})
	fake.Inject(crmtest.Timeout, 1)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	a, err := webhook.New(config.WebhookCRM{URL: config.Secret(fake.URL), Secret: secret}, webhook.Options{Timeout: 10 * time.Second})
	require.NoError(t, err)
	res := a.Upsert(ctx, []crm.Push{{Record: record("ivanov")}, {Record: record("petrov")}})
	for _, r := range res {
		require.ErrorIs(t, r.Err, context.Canceled)
		require.False(t, crm.IsRetryable(r.Err))
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}
