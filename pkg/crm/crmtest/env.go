package crmtest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/day"
	"github.com/dayreport/dayreport/pkg/report"
)

// date is the day every suite record is about.
var date = day.New(2026, time.November, 26)

// env is one subtest's harness with the checks every call goes through.
type env struct {
	t *testing.T
	h *Harness
}

func newEnv(t *testing.T, newHarness func(t *testing.T) *Harness) *env {
	t.Helper()
	h := newHarness(t)
	require.NotNil(t, h, "newHarness returned nil")
	require.NotNil(t, h.Adapter, "Harness.Adapter is required")
	require.NotNil(t, h.Objects, "Harness.Objects is required")
	e := &env{t: t, h: h}
	t.Cleanup(func() {
		if h.Logs != nil {
			e.noSecrets("log output", h.Logs())
		}
	})
	require.Empty(t, e.objects(), "a fresh harness must start with an empty CRM")
	return e
}

// noSecrets fails the test when text holds one of the harness's secrets,
// without printing the secret.
func (e *env) noSecrets(what, text string) {
	e.t.Helper()
	noSecrets(e.t, e.h.Secrets, what, text)
}

// noSecrets fails t when text holds one of secrets, without printing it.
func noSecrets(t *testing.T, secrets []string, what, text string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret: %q", what, strings.ReplaceAll(text, s, "<SECRET>"))
		}
	}
}

// upsert calls a (the adapter or a Retrier around it) and checks the shape of
// the answer and every error text.
func (e *env) upsert(ctx context.Context, a crm.Adapter, pushes ...crm.Push) []crm.Result {
	e.t.Helper()
	res := a.Upsert(ctx, pushes)
	require.Len(e.t, res, len(pushes), "one Result per Push")
	for _, r := range res {
		if r.Err != nil {
			e.noSecrets("error", r.Err.Error())
		}
	}
	return res
}

// push sends one record straight to the adapter.
func (e *env) push(ctx context.Context, rec crm.Record, id string) crm.Result {
	e.t.Helper()
	return e.upsert(ctx, e.h.Adapter, crm.Push{Record: rec, ObjectID: id})[0]
}

// mustPush sends one record straight to the adapter and requires success.
func (e *env) mustPush(ctx context.Context, rec crm.Record, id string) string {
	e.t.Helper()
	r := e.push(ctx, rec, id)
	require.NoError(e.t, r.Err, "push %s", rec.Key)
	require.NotEmpty(e.t, r.ObjectID, "a successful push returns the object id")
	return r.ObjectID
}

func (e *env) objects() []Object {
	e.t.Helper()
	return e.h.Objects(e.t)
}

func (e *env) byKey(key string) []Object {
	e.t.Helper()
	var out []Object
	for _, o := range e.objects() {
		if o.Key == key {
			out = append(out, o)
		}
	}
	return out
}

// requireStored requires exactly one object for rec's key, holding rec, with
// id (when id is not empty). It returns the object.
func (e *env) requireStored(rec crm.Record, id string) Object {
	e.t.Helper()
	objs := e.byKey(rec.Key)
	require.Len(e.t, objs, 1, "exactly one object for %s", rec.Key)
	o := objs[0]
	require.NotEmpty(e.t, o.ID, "object id")
	if id != "" {
		require.Equal(e.t, id, o.ID, "object id of %s", rec.Key)
	}
	require.Equal(e.t, string(rec.Status), o.Status, "status of %s", rec.Key)
	require.Equal(e.t, rec.Notes, o.Notes, "notes of %s", rec.Key)
	require.Equal(e.t, rec.LongTerm, o.LongTerm, "long_term of %s", rec.Key)
	require.Equal(e.t, withZeros(rec.Metrics, o.Metrics), withZeros(o.Metrics, rec.Metrics), "metrics of %s", rec.Key)
	return o
}

// requireCount requires the CRM to hold n objects, each under a different key.
func (e *env) requireCount(n int) {
	e.t.Helper()
	objs := e.objects()
	seen := make(map[string]int, len(objs))
	for _, o := range objs {
		seen[o.Key]++
		require.Equal(e.t, 1, seen[o.Key], "duplicate objects for %s", o.Key)
	}
	require.Len(e.t, objs, n, "objects in the CRM")
}

// withZeros returns m with a 0 for every key of other that m lacks.
func withZeros(m, other map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m)+len(other))
	for k := range other {
		out[k] = 0
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// retry is a Retrier for suite calls: instant recorded waits, no time budget.
type retry struct {
	*crm.Retrier
	calls *counter
	mu    sync.Mutex
	waits []time.Duration
	// retried pairs each OnRetry wait with the error that caused it.
	retried []retried
}

type retried struct {
	wait time.Duration
	err  error
}

func (e *env) retrier(attempts int) *retry {
	r := &retry{calls: &counter{Adapter: e.h.Adapter}}
	r.Retrier = &crm.Retrier{
		Adapter:     r.calls,
		MaxAttempts: attempts,
		Base:        time.Millisecond,
		Max:         10 * time.Millisecond,
		MaxElapsed:  -1,
		Rand:        func() float64 { return 0.5 },
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			r.waits = append(r.waits, d)
			r.mu.Unlock()
			return ctx.Err()
		},
		OnRetry: func(_ string, _ int, wait time.Duration, err error) {
			e.noSecrets("error", err.Error())
			r.mu.Lock()
			r.retried = append(r.retried, retried{wait, err})
			r.mu.Unlock()
		},
	}
	return r
}

// counter is an adapter that records the size of every Upsert call.
type counter struct {
	crm.Adapter
	mu    sync.Mutex
	sizes []int
}

func (c *counter) Upsert(ctx context.Context, pushes []crm.Push) []crm.Result {
	c.mu.Lock()
	c.sizes = append(c.sizes, len(pushes))
	c.mu.Unlock()
	return c.Adapter.Upsert(ctx, pushes)
}

// Unwrap returns the adapter counted (crm.Wrapper).
func (c *counter) Unwrap() crm.Adapter { return c.Adapter }

func (c *counter) calls() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.sizes...)
}

// sample returns a full submitted record for employee, with notes and flags
// that exercise encoding (Cyrillic, quotes, newlines).
func sample(employee string) crm.Record {
	rec := Record(employee, date, report.Submitted, map[string]float64{
		"new_calls": 20, "repeat_calls": 7, "proposals": 3, "invoices": 2, "contracts": 1, "payments": 150000.5,
	})
	rec.EmployeeName = "Иванов Иван"
	rec.Notes = "Звонки по базе «Ромашки»; \"КП\" отправлено\nзавтра — встреча"
	rec.LongTerm = "пилот «Ромашки» → сеть из 40 магазинов"
	rec.SourceURL = "https://docs.example.com/document/d/report-" + employee
	reported, recorded := 20.0, 12.0
	rec.Flags = []crm.Flag{{Code: "overstated", Metric: "new_calls", Reported: &reported, Recorded: &recorded,
		Message: "reported 20 new calls, the CRM logged 12"}}
	return rec
}

// changed returns rec as a revised report: other numbers, status and notes.
func changed(rec crm.Record) crm.Record {
	out := rec
	out.Status = report.Late
	out.Metrics = map[string]float64{}
	for k, v := range rec.Metrics {
		out.Metrics[k] = v + 1
	}
	out.Metrics["payments"] = 0
	out.Notes = rec.Notes + " (исправлено)"
	out.LongTerm = ""
	out.Flags = nil
	return out
}
