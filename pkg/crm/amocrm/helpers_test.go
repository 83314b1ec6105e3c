package amocrm_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/config"
	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm"
	"github.com/dayreport/dayreport/pkg/crm/amocrm/amocrmfake"
	"github.com/dayreport/dayreport/pkg/crm/crmtest"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

const token = "amo-l0ng-l1ved-t0ken-7f3a9c"

// testPer is the rate window of most tests: 7 requests per 200ms, five times
// faster than amoCRM, and wide enough that scheduling jitter on a loaded
// machine stays well inside the adapter's headroom.
const testPer = 200 * time.Millisecond

var date = day.New(2026, time.November, 26)

// fields maps every metric of crmtest's sample records, and every text field.
var fields = map[string]int{
	"new_calls": 501, "repeat_calls": 502, "proposals": 503, "invoices": 504, "contracts": 505, "payments": 506,
	amocrm.FieldStatus: 601, amocrm.FieldNotes: 602, amocrm.FieldSourceURL: 603,
	amocrm.FieldEmployee: 604, amocrm.FieldFlags: 605, amocrm.FieldErrors: 606, amocrm.FieldLongTerm: 607,
}

// env is an adapter over a fresh fake account.
type env struct {
	fake *amocrmfake.Server
	a    *amocrm.Adapter
	cfg  config.AmoCRM
	logs *syncBuffer
}

type setup struct {
	fake *amocrmfake.Options
	cfg  *config.AmoCRM
	opts *amocrm.Options
}

func newEnv(tb testing.TB, mods ...func(s setup)) *env {
	tb.Helper()
	fo := amocrmfake.Options{Token: token, Fields: fields, Per: testPer}
	cfg := config.AmoCRM{Token: config.Secret(token), Fields: fields}
	logs := &syncBuffer{}
	// The timeout turns the suite's Timeout fault (the fake hangs up to
	// 5 s) into an error; every ordinary answer must come well within it.
	// It was 300 ms, which a loaded machine running -race can outlast.
	opts := amocrm.Options{Per: testPer, Timeout: 2 * time.Second, Log: zerolog.New(logs).Level(zerolog.DebugLevel)}
	for _, m := range mods {
		m(setup{&fo, &cfg, &opts})
	}
	f := amocrmfake.New(tb, fo)
	cfg.BaseURL = f.URL
	if fo.InProcess {
		opts.HTTPClient = f.Client()
	}
	if cfg.CatalogID == 0 {
		cfg.CatalogID = f.CatalogID()
	}
	a, err := amocrm.New(cfg, opts)
	require.NoError(tb, err)
	return &env{fake: f, a: a, cfg: cfg, logs: logs}
}

// inProcess serves the fake in the test's goroutines, without a socket: in
// a testing/synctest bubble the pacer and the fake's rate window both read
// the bubble's clock, and a busy machine cannot make them disagree.
func inProcess(s setup) { s.fake.InProcess = true }

// rec returns a record with a few metrics and a status.
func rec(employee string, metrics map[string]float64) crm.Record {
	return crmtest.Record(employee, date, report.Submitted, metrics)
}

// upsert pushes straight to the adapter.
func (e *env) upsert(tb testing.TB, pushes ...crm.Push) []crm.Result {
	tb.Helper()
	res := e.a.Upsert(context.Background(), pushes)
	require.Len(tb, res, len(pushes))
	for _, r := range res {
		if r.Err != nil {
			require.NotContains(tb, r.Err.Error(), token, "an error holds the token")
		}
	}
	return res
}

// retrier wraps the adapter the way the app does, with instant waits.
func (e *env) retrier(attempts int) *crm.Retrier {
	return &crm.Retrier{
		Adapter: e.a, MaxAttempts: attempts, Base: time.Millisecond, Max: 10 * time.Millisecond, MaxElapsed: -1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
}

// calls returns "METHOD status" for every request the fake saw.
func (e *env) calls() []string {
	var out []string
	for _, r := range e.fake.Requests() {
		out = append(out, r.Method+" "+strconv.Itoa(r.Status))
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// httpGet sends one GET with the bearer token and returns the status.
func httpGet(u, tok string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
