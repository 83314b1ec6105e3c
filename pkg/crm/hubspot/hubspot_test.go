package hubspot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/crm/hubspot"
	"github.com/dayreport/dayreport/pkg/crm/hubspot/hubspotfake"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

const (
	token      = "pat-na1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	objectType = "2-90210"
)

// fields maps two metrics to differently named properties; the others go
// by their own names.
var fields = map[string]string{"new_calls": "calls_new", "contracts": "contracts_signed"}

var date = day.New(2026, time.November, 26)

// timeout is the client timeout of the tests, short so that the Timeout
// fault passes quickly, long enough for a batch of 100 inputs under -race on
// a busy machine (100 ms was not).
const timeout = time.Second

// setup starts a fake whose time runs scale× faster and an adapter paced to it.
func setup(t testing.TB, scale float64, opts hubspot.Options) (*hubspotfake.Server, *hubspot.Adapter) {
	t.Helper()
	fake := hubspotfake.New(t, hubspotfake.Options{Token: token, ObjectType: objectType, Fields: fields, Scale: scale})
	if opts.Timeout == 0 {
		opts.Timeout = timeout
	}
	if opts.RateWindow == 0 {
		opts.RateWindow = fake.Window()
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = fake.Limit()
	}
	a, err := hubspot.New(config.HubSpot{BaseURL: fake.URL, Token: token, ObjectType: objectType, Fields: fields}, opts)
	require.NoError(t, err)
	return fake, a
}

func TestConformance(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var fakes []*hubspotfake.Server
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		fake, a := setup(t, 100, hubspot.Options{})
		mu.Lock()
		fakes = append(fakes, fake)
		mu.Unlock()
		return &crmtest.Harness{
			Adapter: a, Objects: fake.Objects, Faults: fake, Delete: fake.Delete,
			Secrets: []string{token},
		}
	})
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, fakes)
	for i, f := range fakes {
		require.Zero(t, f.Violations(), "fake %d saw requests over the rate limit", i)
	}
}

// TestConformanceSmallBatches runs the suite with 3 inputs per request, so
// that Batch, MixedBatch and Canceled span several requests.
func TestConformanceSmallBatches(t *testing.T) {
	t.Parallel()
	crmtest.Run(t, func(t *testing.T) *crmtest.Harness {
		fake, a := setup(t, 100, hubspot.Options{MaxBatch: 3})
		t.Cleanup(func() { require.Zero(t, fake.Violations()) })
		return &crmtest.Harness{Adapter: a, Objects: fake.Objects, Faults: fake, Delete: fake.Delete, Secrets: []string{token}}
	})
}

func records(n int) []crm.Push {
	pushes := make([]crm.Push, n)
	for i := range pushes {
		pushes[i] = crm.Push{Record: crmtest.Record(fmt.Sprintf("emp%04d", i), date, report.Submitted,
			map[string]float64{"new_calls": float64(i), "payments": 1000.5})}
	}
	return pushes
}

// TestRateLimitNeverExceeded pushes 1000 records, 10 per request, through a
// crm.Retrier on the real clock: 100 requests against a limit of 100 per
// window, so the pacing decides. The fake's window is 1 s (10 s at 10×).
func TestRateLimitNeverExceeded(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 10, hubspot.Options{MaxBatch: 10, Timeout: 5 * time.Second})
	r := &crm.Retrier{Adapter: a}
	start := time.Now()
	res := r.Upsert(t.Context(), records(1000))
	elapsed := time.Since(start)
	for i, x := range res {
		require.NoError(t, x.Err, "push %d", i)
		require.NotEmpty(t, x.ObjectID)
	}
	require.Zero(t, fake.Violations(), "no request exceeded the rate limit")
	require.Equal(t, 100, fake.Requests(), "one request per 10 records, none retried")
	require.Len(t, fake.Objects(t), 1000)
	// 100 requests, 2 at once then 90% of 100 per second: the 100th goes
	// 98/90 s after the first.
	require.GreaterOrEqual(t, elapsed, 98*fake.Window()/90, "the adapter paced itself")
}

// TestFakeCountsViolations is the control for the test above: an adapter
// told a limit far too high is caught by the fake (real time: a 10 s window).
func TestFakeCountsViolations(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 1, hubspot.Options{MaxBatch: 1, RateLimit: 1_000_000, Timeout: 5 * time.Second})
	res := a.Upsert(t.Context(), records(150))
	require.Positive(t, fake.Violations(), "the fake counts requests over its limit")
	last := res[len(res)-1]
	require.True(t, crm.IsRetryable(last.Err), "%v", last.Err)
	require.Positive(t, crm.RetryAfter(last.Err))
	require.Equal(t, fake.Limit()+1, fake.Requests(), "after a 429 the call sends nothing more")
}

func TestNew(t *testing.T) {
	t.Parallel()
	ok := config.HubSpot{Token: token, ObjectType: objectType}
	for _, tc := range []struct {
		name string
		cfg  func(c *config.HubSpot)
		opts hubspot.Options
		want string
	}{
		{"no token", func(c *config.HubSpot) { c.Token = "" }, hubspot.Options{}, "crm.hubspot.token is not set"},
		{"spaces", func(c *config.HubSpot) { c.Token = token + " x" }, hubspot.Options{}, "spaces or control characters"},
		{"no object type", func(c *config.HubSpot) { c.ObjectType = " " }, hubspot.Options{}, "crm.hubspot.object_type is not set"},
		{"path in object type", func(c *config.HubSpot) { c.ObjectType = "2-1/../x" }, hubspot.Options{}, "not an object type"},
		{"base url", func(c *config.HubSpot) { c.BaseURL = "api.hubapi.com" }, hubspot.Options{}, "not an http(s) base URL"},
		{"bad property", func(c *config.HubSpot) { c.Fields = map[string]string{"calls": "Calls-New"} }, hubspot.Options{}, "not a HubSpot property name"},
		{"fixed property", func(c *config.HubSpot) { c.Fields = map[string]string{"calls": "status"} }, hubspot.Options{}, "already the status property"},
		{"twice", func(c *config.HubSpot) { c.Fields = map[string]string{"a": "x", "b": "x"} }, hubspot.Options{}, "already metric a"},
		{"batch", func(*config.HubSpot) {}, hubspot.Options{MaxBatch: 101}, "outside 1..100"},
		{"rate", func(*config.HubSpot) {}, hubspot.Options{RateLimit: -1}, "negative rate limit"},
		{"timeout", func(*config.HubSpot) {}, hubspot.Options{Timeout: -1}, "negative timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tc.cfg(&cfg)
			_, err := hubspot.New(cfg, tc.opts)
			require.ErrorContains(t, err, tc.want)
			require.NotContains(t, err.Error(), token)
		})
	}
	a, err := hubspot.New(config.HubSpot{Token: "Bearer " + token, ObjectType: objectType}, hubspot.Options{})
	require.NoError(t, err)
	require.Equal(t, "hubspot", a.Name())
	require.Equal(t, 100, a.MaxBatch())
}

// capture is a HubSpot stand-in that records requests and answers with answer.
type capture struct {
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
}

func (c *capture) requests() ([]*http.Request, [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*http.Request(nil), c.reqs...), append([][]byte(nil), c.bodies...)
}

func newCapture(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) (*capture, *hubspot.Adapter) {
	t.Helper()
	c := &capture{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs, c.bodies = append(c.reqs, r), append(c.bodies, b)
		c.mu.Unlock()
		answer(w, r, b)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	a, err := hubspot.New(config.HubSpot{BaseURL: srv.URL + "/proxy/", Token: token, ObjectType: objectType, Fields: fields},
		hubspot.Options{Timeout: time.Second, RateWindow: time.Millisecond})
	require.NoError(t, err)
	return c, a
}

// upsertBody is the request body as the test reads it: values kept raw, so
// that a number where a string belongs shows.
type upsertBody struct {
	Inputs []struct {
		IDProperty         string                     `json:"idProperty"`
		ID                 string                     `json:"id"`
		ObjectWriteTraceID string                     `json:"objectWriteTraceId"`
		Properties         map[string]json.RawMessage `json:"properties"`
	} `json:"inputs"`
}

// echo answers a batch upsert with one result per input, ids from 1.
func echo(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in upsertBody
	_ = json.Unmarshal(body, &in)
	type result struct {
		ID                 string `json:"id"`
		ObjectWriteTraceID string `json:"objectWriteTraceId"`
	}
	out := struct {
		Status  string   `json:"status"`
		Results []result `json:"results"`
	}{Status: "COMPLETE"}
	for i, x := range in.Inputs {
		out.Results = append(out.Results, result{fmt.Sprint(i + 1), x.ObjectWriteTraceID})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func sample() crm.Record {
	rec := crmtest.Record("ivanov", date, report.Late, map[string]float64{
		"new_calls": 20, "repeat_calls": 7, "payments": 150000.5, "proposals": 0,
	})
	rec.EmployeeName = "Иванов Иван"
	rec.Notes = "«Ромашка»: \"КП\" отправлено\nзавтра — встреча"
	rec.SourceURL = "https://docs.example.com/document/d/abc"
	return rec
}

func TestRequestBody(t *testing.T) {
	t.Parallel()
	c, a := newCapture(t, echo)
	res := a.Upsert(t.Context(), []crm.Push{{Record: sample(), ObjectID: "stale-id-not-needed"}})
	require.NoError(t, res[0].Err)
	require.Equal(t, "1", res[0].ObjectID)

	reqs, bodies := c.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, http.MethodPost, r.Method)
	require.Equal(t, "/proxy/crm/v3/objects/"+objectType+"/batch/upsert", r.URL.Path)
	require.Equal(t, "Bearer "+token, r.Header.Get("Authorization"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.JSONEq(t, `{"inputs":[{
		"idProperty":"report_key",
		"id":"dayreport:ivanov:2026-11-26",
		"objectWriteTraceId":"dayreport:ivanov:2026-11-26",
		"properties":{
			"report_key":"dayreport:ivanov:2026-11-26",
			"employee":"ivanov",
			"date":"2026-11-26",
			"status":"late",
			"notes":"«Ромашка»: \"КП\" отправлено\nзавтра — встреча",
			"long_term":"",
			"source_url":"https://docs.example.com/document/d/abc",
			"calls_new":"20",
			"repeat_calls":"7",
			"payments":"150000.5",
			"proposals":"0",
			"contracts_signed":""
		}}]}`, string(bodies[0]))

	// Every property value is a JSON string.
	var in upsertBody
	require.NoError(t, json.Unmarshal(bodies[0], &in))
	for p, raw := range in.Inputs[0].Properties {
		var s string
		require.NoError(t, json.Unmarshal(raw, &s), "property %s = %s", p, raw)
		require.Equal(t, byte('"'), raw[0], "property %s = %s is not a string", p, raw)
	}
}

func TestNumbersAsStrings(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 100, hubspot.Options{})
	rec := crmtest.Record("ivanov", date, report.Submitted, map[string]float64{
		"new_calls": 3, "payments": 1234567.89, "tiny": 0.000001, "big": 1e21, "negative": -2.5,
	})
	require.NoError(t, a.Upsert(t.Context(), []crm.Push{{Record: rec}})[0].Err)
	_, props, ok := fake.Properties(rec.Key)
	require.True(t, ok)
	require.Equal(t, "3", props["calls_new"])
	require.Equal(t, "1234567.89", props["payments"])
	require.Equal(t, "0.000001", props["tiny"], "no exponent")
	require.Equal(t, "1000000000000000000000", props["big"], "no exponent")
	require.Equal(t, "-2.5", props["negative"])
	cleared, sent := props["contracts_signed"]
	require.True(t, sent, "a configured metric the record lacks is sent")
	require.Empty(t, cleared, "as \"\", which clears it")
	objs := fake.Objects(t)
	require.Len(t, objs, 1)
	require.Equal(t, rec.Metrics, objs[0].Metrics, "the numbers read back exactly")
}

func TestPartialFailure207(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 100, hubspot.Options{})
	fake.RejectValue("status", string(report.OnLeave)) // an enumeration without that option
	onLeave := crmtest.Record("petrov", date, report.OnLeave, nil)
	pushes := []crm.Push{{Record: sample()}, {Record: onLeave}, {Record: crmtest.Record("sidorov", date, report.Absent, nil)}}
	r := &crm.Retrier{Adapter: a, Sleep: func(context.Context, time.Duration) error { return nil }}
	res := r.Upsert(t.Context(), pushes)
	require.NoError(t, res[0].Err)
	require.NoError(t, res[2].Err)
	require.NotEqual(t, res[0].ObjectID, res[2].ObjectID)
	require.Error(t, res[1].Err)
	require.False(t, crm.IsRetryable(res[1].Err), "a rejected value is permanent: %v", res[1].Err)
	require.Contains(t, res[1].Err.Error(), onLeave.Key, "the error names the record")
	require.Contains(t, res[1].Err.Error(), "VALIDATION_ERROR")
	require.Contains(t, res[1].Err.Error(), "INVALID_OPTION")
	require.Equal(t, 1, fake.Requests(), "one request; the permanent failure is not retried")
	require.Len(t, fake.Objects(t), 2)
}

func TestRejectedBatchFailsOnlyTheNamedInput(t *testing.T) {
	t.Parallel()
	bad := crmtest.Record("petrov", date, report.Submitted, nil)
	c, a := newCapture(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if strings.Contains(string(body), bad.Key) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"status":"error","message":"Property values were not valid","correlationId":"x",
				"category":"VALIDATION_ERROR","context":{"ids":[%q]},
				"errors":[{"message":"\"x\" is not a valid option","code":"INVALID_OPTION","in":"status"}]}`, bad.Key)
			return
		}
		echo(w, r, body)
	})
	r := &crm.Retrier{Adapter: a, Sleep: func(context.Context, time.Duration) error { return nil }}
	res := r.Upsert(t.Context(), []crm.Push{{Record: sample()}, {Record: bad}, {Record: crmtest.Record("sidorov", date, report.Absent, nil)}})
	require.NoError(t, res[0].Err)
	require.NoError(t, res[2].Err)
	require.False(t, crm.IsRetryable(res[1].Err), "%v", res[1].Err)
	require.Contains(t, res[1].Err.Error(), bad.Key)
	reqs, bodies := c.requests()
	require.Len(t, reqs, 2, "the batch again without the rejected input")
	require.NotContains(t, string(bodies[1]), bad.Key)
}

func TestResultsMatchedByKey(t *testing.T) {
	t.Parallel()
	// Results out of order and without objectWriteTraceId: matched by report_key.
	_, a := newCapture(t, func(w http.ResponseWriter, _ *http.Request, body []byte) {
		var in upsertBody
		_ = json.Unmarshal(body, &in)
		var results []string
		for i := len(in.Inputs) - 1; i >= 0; i-- {
			results = append(results, fmt.Sprintf(`{"id":"id-%s","properties":{"report_key":%q,"hs_object_id":"x"}}`,
				strings.TrimPrefix(in.Inputs[i].ID, "dayreport:"), in.Inputs[i].ID))
		}
		_, _ = fmt.Fprintf(w, `{"status":"COMPLETE","results":[%s]}`, strings.Join(results, ","))
	})
	pushes := records(5)
	res := a.Upsert(t.Context(), pushes)
	for i, x := range res {
		require.NoError(t, x.Err)
		require.Equal(t, "id-"+strings.TrimPrefix(pushes[i].Record.Key, "dayreport:"), x.ObjectID)
	}
}

func TestMissingResultIsRetryable(t *testing.T) {
	t.Parallel()
	_, a := newCapture(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		_, _ = io.WriteString(w, `{"status":"PENDING","results":[]}`)
	})
	res := a.Upsert(t.Context(), records(2))
	for _, x := range res {
		require.True(t, crm.IsRetryable(x.Err), "%v", x.Err)
		require.Contains(t, x.Err.Error(), "PENDING")
	}
}

func TestSameKeyTwiceInOneCall(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 100, hubspot.Options{})
	first, second := sample(), sample()
	second.Metrics = map[string]float64{"new_calls": 99}
	res := a.Upsert(t.Context(), []crm.Push{{Record: first}, {Record: second}})
	require.NoError(t, res[0].Err)
	require.NoError(t, res[1].Err)
	require.Equal(t, res[0].ObjectID, res[1].ObjectID)
	objs := fake.Objects(t)
	require.Len(t, objs, 1)
	require.Equal(t, map[string]float64{"new_calls": 99}, objs[0].Metrics, "the later record wins")
}

func TestSplitsLargeCalls(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 100, hubspot.Options{})
	res := a.Upsert(t.Context(), records(250))
	for i, x := range res {
		require.NoError(t, x.Err, "push %d", i)
	}
	require.Equal(t, 3, fake.Requests(), "100 + 100 + 50")
	require.Len(t, fake.Objects(t), 250)
}

func TestInvalidRecordsArePermanent(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 100, hubspot.Options{})
	nan := sample()
	zero := 0.0
	nan.Metrics["payments"] = zero / zero
	clash := crmtest.Record("petrov", date, report.Submitted, map[string]float64{"status": 1})
	noDate := crmtest.Record("sidorov", day.Date{}, report.Submitted, nil)
	res := a.Upsert(t.Context(), []crm.Push{{Record: nan}, {Record: crm.Record{}}, {Record: clash}, {Record: noDate}, {Record: crmtest.Record("ok", date, report.Absent, nil)}})
	for i, x := range res[:4] {
		require.Error(t, x.Err, "push %d", i)
		require.False(t, crm.IsRetryable(x.Err), "push %d: %v", i, x.Err)
	}
	require.NoError(t, res[4].Err)
	require.Len(t, fake.Objects(t), 1)
}

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	fake := hubspotfake.New(t, hubspotfake.Options{Token: token, ReadOnlyToken: "pat-na1-read-only-token-0000"})
	for _, tc := range []struct {
		token, want, secret string
	}{
		{"pat-na1-wrong-token-1234567", "401 Unauthorized: HubSpot refused the token: crm.hubspot.token is wrong, expired or revoked", "pat-na1-wrong-token-1234567"},
		{"pat-na1-read-only-token-0000", "403 Forbidden: the token lacks the scope crm.objects.custom.write", "pat-na1-read-only-token-0000"},
	} {
		a, err := hubspot.New(config.HubSpot{BaseURL: fake.URL, Token: config.Secret(tc.token), ObjectType: hubspotfake.DefaultObjectType},
			hubspot.Options{Timeout: time.Second})
		require.NoError(t, err)
		res := a.Upsert(t.Context(), records(3))
		for _, x := range res {
			require.Error(t, x.Err)
			require.False(t, crm.IsRetryable(x.Err), "%v", x.Err)
			require.Contains(t, x.Err.Error(), tc.want)
			require.NotContains(t, x.Err.Error(), tc.secret)
		}
	}
	require.Equal(t, 2, fake.Requests(), "one request per call: the others would fail the same way")
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	// A server that echoes what it got, the token included.
	_, a := newCapture(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"status":"error","message":"bad header %s","category":"VALIDATION_ERROR"}`, r.Header.Get("Authorization"))
	})
	res := a.Upsert(t.Context(), records(1))
	require.Error(t, res[0].Err)
	require.NotContains(t, res[0].Err.Error(), token)
	require.Contains(t, res[0].Err.Error(), "bad header Bearer [hidden]")

	// A connection refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	a, err = hubspot.New(config.HubSpot{BaseURL: "http://" + addr, Token: token, ObjectType: objectType}, hubspot.Options{})
	require.NoError(t, err)
	res = a.Upsert(t.Context(), records(1))
	require.True(t, crm.IsRetryable(res[0].Err), "%v", res[0].Err)
	require.NotContains(t, res[0].Err.Error(), token)
	require.True(t, strings.HasPrefix(res[0].Err.Error(), "hubspot: POST batch/upsert: "), "%v", res[0].Err)
}

func TestStatusClassification(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		code      int
		header    map[string]string
		body      string
		retryable bool
		minAfter  time.Duration
		maxAfter  time.Duration
	}{
		{"429 rolling", 429, map[string]string{"X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Remaining": "0"},
			`{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}`,
			true, 10 * time.Second, 10 * time.Second},
		{"429 retry-after", 429, map[string]string{"Retry-After": "3", "X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}, "", true, 3 * time.Second, 3 * time.Second},
		{"429 http-date", 429, map[string]string{"Retry-After": "+5s"}, "", true, 3 * time.Second, 5 * time.Second},
		{"429 bare", 429, nil, "", true, time.Millisecond, time.Millisecond}, // the configured window
		{"429 daily", 429, map[string]string{"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"},
			`{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`, true, time.Hour, time.Hour},
		{"500", 500, nil, "", true, 0, 0},
		{"502 html", 502, map[string]string{"Content-Type": "text/html"}, "<html>Bad Gateway</html>", true, 0, 0},
		{"503 retry-after", 503, map[string]string{"Retry-After": "30"}, "", true, 30 * time.Second, 30 * time.Second},
		{"504", 504, nil, "", true, 0, 0},
		{"408", 408, nil, "", true, 0, 0},
		{"423 locked", 423, map[string]string{"Retry-After": "2"}, "", true, 2 * time.Second, 2 * time.Second},
		{"477 migration", 477, nil, "", true, 0, 0},
		{"400", 400, nil, `{"status":"error","message":"Invalid input JSON","category":"VALIDATION_ERROR"}`, false, 0, 0},
		{"401", 401, nil, `{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION"}`, false, 0, 0},
		{"403", 403, nil, `{"status":"error","message":"This app hasn't been granted all required scopes","category":"MISSING_SCOPES"}`, false, 0, 0},
		{"404", 404, nil, `{"status":"error","message":"Unable to infer object type","category":"OBJECT_NOT_FOUND"}`, false, 0, 0},
		{"409", 409, nil, "", false, 0, 0},
		{"413", 413, nil, "", false, 0, 0},
		{"415", 415, nil, "", false, 0, 0},
		{"422", 422, nil, "", false, 0, 0},
		{"301", 301, map[string]string{"Location": "https://example.com/"}, "", false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, a := newCapture(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				for k, v := range tc.header {
					if v == "+5s" { // an HTTP-date 5 s from the answer
						v = time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)
					}
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.code)
				_, _ = io.WriteString(w, tc.body)
			})
			res := a.Upsert(t.Context(), records(2))
			reqs, _ := c.requests()
			require.Len(t, reqs, 1, "one request, no retry")
			for _, x := range res {
				require.Error(t, x.Err)
				require.Equal(t, tc.retryable, crm.IsRetryable(x.Err), "%v", x.Err)
				require.GreaterOrEqual(t, crm.RetryAfter(x.Err), tc.minAfter, "%v", x.Err)
				require.LessOrEqual(t, crm.RetryAfter(x.Err), tc.maxAfter, "%v", x.Err)
				require.True(t, strings.HasPrefix(x.Err.Error(), fmt.Sprintf("hubspot: POST batch/upsert: %d", tc.code)), "%v", x.Err)
				require.NotContains(t, x.Err.Error(), token)
			}
		})
	}
}

func TestFakeRateLimitAnswer(t *testing.T) {
	t.Parallel()
	fake, a := setup(t, 100, hubspot.Options{})
	fake.Inject(crmtest.RateLimited, 1)
	res := a.Upsert(t.Context(), records(1))
	require.True(t, crm.IsRetryable(res[0].Err))
	require.Equal(t, fake.Window(), crm.RetryAfter(res[0].Err), "the interval HubSpot names: %v", res[0].Err)
	require.Contains(t, res[0].Err.Error(), "429 Too Many Requests: rate limit reached (TEN_SECONDLY_ROLLING)")
	require.Zero(t, fake.Violations(), "an injected 429 is not a violation")
}

func TestFakeValidatesShape(t *testing.T) {
	t.Parallel()
	fake := hubspotfake.New(t, hubspotfake.Options{Token: token})
	post := func(body string) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, fake.URL+"/crm/v3/objects/"+hubspotfake.DefaultObjectType+"/batch/upsert", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	input := func(id, props string) string {
		return fmt.Sprintf(`{"idProperty":"report_key","id":%q,"properties":{%s}}`, id, props)
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = input(fmt.Sprint("k", i), "")
	}
	for _, tc := range []struct{ body, want string }{
		{`{"inputs":[]}`, "must not be empty"},
		{`{"inputs":[` + strings.Join(many, ",") + `]}`, "Batch input limit exceeded"},
		{`{"inputs":[{"idProperty":"hs_object_id","id":"k","properties":{}}]}`, "not a unique property"},
		{`{"inputs":[` + input("k", `"new_calls":20`) + `]}`, "was not a string"},
		{`{"inputs":[` + input("k", `"notes":null`) + `]}`, "was not a string"},
		{`{"inputs":[` + input("k", `"Bad Name":"x"`) + `]}`, "PROPERTY_DOESNT_EXIST"},
		{`{"inputs":[` + input("k", "") + `,` + input("k", "") + `]}`, "Duplicate IDs"},
		{`{"inputs":[` + input("", "") + `]}`, "must not be empty"},
		{`{"inputs":[` + input("k", `"report_key":"other"`) + `]}`, "differs from the id"},
		{`{"inputs":[{"idProperty":"report_key","id":"k","properties":{},"extra":1}]}`, "unknown field"},
	} {
		code, body := post(tc.body)
		require.Equal(t, http.StatusBadRequest, code, body)
		require.Contains(t, body, tc.want)
	}
	code, body := post(`{"inputs":[` + input("k", `"status":"submitted","new_calls":"20"`) + `]}`)
	require.Equal(t, http.StatusOK, code, body)
	require.Len(t, fake.Objects(t), 1)
	require.Zero(t, fake.Violations())
}
