package crmtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dayreport/dayreport/pkg/crm"
	"github.com/dayreport/dayreport/pkg/report"
)

// Run runs the conformance suite. newHarness is called once per subtest, with
// that subtest's t, and must return a harness over a fresh, empty CRM.
//
// Subtests:
//
//	Contract            Name is set, MaxBatch ≥ 1, an empty call returns no results
//	Create              one record → one object with its content and a non-empty id
//	RepeatWithID        the identical record again, with its id → one object, same id
//	RepeatWithoutID     the identical record again, ObjectID "" → one object, same id
//	UpdateWithID        a changed record with its id → the same object, updated
//	UpdateWithoutID     a changed record, ObjectID "" (the id was lost) → the same object, updated
//	Absent              an absent record (no metrics) round-trips
//	AbsentThenLate      an absent day later reported → the same object, now with metrics
//	MixedBatch          new and known records in one call → results in order, no duplicate
//	Batch               MaxBatch()+1 records through a crm.Retrier → all stored once, one call per chunk
//	DeletedRecreated    an object deleted behind dayreport's back, pushed with its stale id → re-created
//	Canceled            a cancelled ctx → every Result fails with context.Canceled, nothing written
//	Fault/RateLimited   retryable with RetryAfter > 0; a Retrier waits at least that long, then succeeds
//	Fault/ServerError   retryable; a Retrier succeeds once it passes
//	Fault/Unavailable   retryable while the CRM is down; after Reset everything lands once
//	Fault/Timeout       retryable; the next push leaves one object
//	Fault/BadRequest    permanent; a Retrier does not retry it
//	Fault/AmbiguousCreate retryable; the retry with ObjectID "" finds the object instead of creating another
//
// The Fault subtests are skipped when Harness.Faults is nil. Every error text
// of every subtest, and the captured logs, are checked for Harness.Secrets.
func Run(t *testing.T, newHarness func(t *testing.T) *Harness) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, newHarness)
			c.run(t.Context(), e)
		})
	}
	t.Run("Fault", func(t *testing.T) {
		for _, c := range faultCases {
			t.Run(c.fault.String(), func(t *testing.T) {
				e := newEnv(t, newHarness)
				if e.h.Faults == nil {
					t.Skip(e.h.Adapter.Name() + " has no network faults")
				}
				t.Cleanup(e.h.Faults.Reset)
				c.run(t.Context(), e)
			})
		}
	})
}

var cases = []struct {
	name string
	run  func(ctx context.Context, e *env)
}{
	{"Contract", testContract},
	{"Create", testCreate},
	{"RepeatWithID", func(ctx context.Context, e *env) { testRepeat(ctx, e, true) }},
	{"RepeatWithoutID", func(ctx context.Context, e *env) { testRepeat(ctx, e, false) }},
	{"UpdateWithID", func(ctx context.Context, e *env) { testUpdate(ctx, e, true) }},
	{"UpdateWithoutID", func(ctx context.Context, e *env) { testUpdate(ctx, e, false) }},
	{"Absent", testAbsent},
	{"AbsentThenLate", testAbsentThenLate},
	{"MixedBatch", testMixedBatch},
	{"Batch", testBatch},
	{"DeletedRecreated", testDeletedRecreated},
	{"Canceled", testCanceled},
}

var faultCases = []struct {
	fault Fault
	run   func(ctx context.Context, e *env)
}{
	{RateLimited, testRateLimited},
	{ServerError, testServerError},
	{Unavailable, testUnavailable},
	{Timeout, testTimeout},
	{BadRequest, testBadRequest},
	{AmbiguousCreate, testAmbiguousCreate},
}

func testContract(ctx context.Context, e *env) {
	require.NotEmpty(e.t, e.h.Adapter.Name(), "Name")
	require.GreaterOrEqual(e.t, e.h.Adapter.MaxBatch(), 1, "MaxBatch")
	require.Empty(e.t, e.h.Adapter.Upsert(ctx, nil), "no pushes, no results")
	e.requireCount(0)
}

func testCreate(ctx context.Context, e *env) {
	rec := sample("ivanov")
	id := e.mustPush(ctx, rec, "")
	e.requireStored(rec, id)
	e.requireCount(1)
}

func testRepeat(ctx context.Context, e *env, withID bool) {
	rec := sample("ivanov")
	id := e.mustPush(ctx, rec, "")
	again := ""
	if withID {
		again = id
	}
	for range 2 {
		require.Equal(e.t, id, e.mustPush(ctx, rec, again), "the same record keeps its object")
	}
	e.requireStored(rec, id)
	e.requireCount(1)
}

func testUpdate(ctx context.Context, e *env, withID bool) {
	rec := sample("ivanov")
	id := e.mustPush(ctx, rec, "")
	upd := changed(rec)
	known := ""
	if withID {
		known = id
	}
	require.Equal(e.t, id, e.mustPush(ctx, upd, known), "a changed record updates its object")
	e.requireStored(upd, id)
	e.requireCount(1)
}

func testAbsent(ctx context.Context, e *env) {
	rec := Record("petrov", date, report.Absent, nil)
	id := e.mustPush(ctx, rec, "")
	o := e.requireStored(rec, id)
	for k, v := range o.Metrics {
		require.Zero(e.t, v, "an absent day has no %s", k)
	}
	require.Equal(e.t, id, e.mustPush(ctx, rec, ""), "repeated")
	e.requireCount(1)
}

func testAbsentThenLate(ctx context.Context, e *env) {
	rec := Record("petrov", date, report.Absent, nil)
	id := e.mustPush(ctx, rec, "")
	late := sample("petrov")
	late.Status = report.Late
	require.Equal(e.t, id, e.mustPush(ctx, late, id), "a late report updates the absent day")
	e.requireStored(late, id)
	e.requireCount(1)
}

func testMixedBatch(ctx context.Context, e *env) {
	a, b := sample("ivanov"), sample("petrov")
	idA := e.mustPush(ctx, a, "")
	idB := e.mustPush(ctx, b, "")
	a2, c, d := changed(a), sample("sidorov"), Record("kuznetsov", date, report.Absent, nil)
	pushes := []crm.Push{{Record: c}, {Record: a2, ObjectID: idA}, {Record: d}, {Record: b}}
	r := e.retrier(1) // chunks by MaxBatch, no retries
	res := e.upsert(ctx, r, pushes...)
	for i, x := range res {
		require.NoError(e.t, x.Err, "push %d", i)
	}
	require.Equal(e.t, idA, res[1].ObjectID, "results in push order")
	require.Equal(e.t, idB, res[3].ObjectID, "results in push order")
	e.requireStored(c, res[0].ObjectID)
	e.requireStored(a2, idA)
	e.requireStored(d, res[2].ObjectID)
	e.requireStored(b, idB)
	e.requireCount(4)
}

func testBatch(ctx context.Context, e *env) {
	n := e.h.Adapter.MaxBatch() + 1
	pushes := make([]crm.Push, n)
	for i := range pushes {
		rec := Record(fmt.Sprintf("emp%04d", i), date, report.Submitted, map[string]float64{"new_calls": float64(i)})
		pushes[i] = crm.Push{Record: rec}
	}
	r := e.retrier(5)
	res := e.upsert(ctx, r, pushes...)
	ids := make(map[string]bool, n)
	for i, x := range res {
		require.NoError(e.t, x.Err, "push %d", i)
		require.NotEmpty(e.t, x.ObjectID, "push %d", i)
		require.False(e.t, ids[x.ObjectID], "object id %s returned twice", x.ObjectID)
		ids[x.ObjectID] = true
	}
	byKey := make(map[string]Object, n)
	for _, o := range e.objects() {
		_, dup := byKey[o.Key]
		require.False(e.t, dup, "duplicate objects for %s", o.Key)
		byKey[o.Key] = o
	}
	require.Len(e.t, byKey, n, "objects in the CRM")
	for i, p := range pushes {
		o, ok := byKey[p.Record.Key]
		require.True(e.t, ok, "%s stored", p.Record.Key)
		require.Equal(e.t, res[i].ObjectID, o.ID, "result %d belongs to its push", i)
		require.Equal(e.t, withZeros(p.Record.Metrics, o.Metrics), withZeros(o.Metrics, p.Record.Metrics), "metrics of %s", p.Record.Key)
	}
	calls := r.calls.calls()
	for _, size := range calls {
		require.LessOrEqual(e.t, size, e.h.Adapter.MaxBatch(), "a call carries at most MaxBatch records")
	}
	if len(r.waits) == 0 { // nothing was retried (a fake may rate-limit for real)
		require.Equal(e.t, []int{n - 1, 1}, calls, "one call per MaxBatch chunk")
	}
}

func testDeletedRecreated(ctx context.Context, e *env) {
	if e.h.Delete == nil {
		e.t.Skip("the harness cannot delete objects")
	}
	rec := sample("ivanov")
	stale := e.mustPush(ctx, rec, "")
	e.h.Delete(e.t, stale)
	require.Empty(e.t, e.byKey(rec.Key), "Delete removed the object")
	upd := changed(rec)
	id := e.mustPush(ctx, upd, stale)
	e.requireStored(upd, id)
	require.Equal(e.t, id, e.mustPush(ctx, upd, id), "the re-created object is the one updated next")
	e.requireCount(1)
}

func testCanceled(ctx context.Context, e *env) {
	rec := sample("ivanov")
	id := e.mustPush(ctx, rec, "")
	pushes := []crm.Push{{Record: changed(rec), ObjectID: id}, {Record: sample("petrov")}, {Record: sample("sidorov")}}
	pushes = pushes[:min(len(pushes), e.h.Adapter.MaxBatch())]
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	requireCanceled := func(res []crm.Result) {
		e.t.Helper()
		for i, r := range res {
			require.Error(e.t, r.Err, "push %d claims success under a cancelled context", i)
			require.ErrorIs(e.t, r.Err, context.Canceled, "push %d", i)
			require.False(e.t, crm.IsRetryable(r.Err), "push %d: a cancelled call is not retried", i)
		}
	}
	requireCanceled(e.upsert(canceled, e.h.Adapter, pushes...))
	r := e.retrier(5)
	requireCanceled(e.upsert(canceled, r, pushes...))
	require.Empty(e.t, r.waits, "the Retrier does not wait for a cancelled context")
	e.requireStored(rec, id)
	e.requireCount(1)
}

// requireRetryable requires a failed, retryable result.
func requireRetryable(e *env, r crm.Result, what string) {
	e.t.Helper()
	require.Error(e.t, r.Err, "%s: the push must fail", what)
	require.True(e.t, crm.IsRetryable(r.Err), "%s must be retryable, got %v", what, r.Err)
	require.NotErrorIs(e.t, r.Err, context.Canceled, "%s is not a cancellation", what)
}

func testRateLimited(ctx context.Context, e *env) {
	rec := sample("ivanov")
	e.h.Faults.Inject(RateLimited, 1)
	limited := e.push(ctx, rec, "")
	requireRetryable(e, limited, "a rate-limit answer")
	require.Positive(e.t, crm.RetryAfter(limited.Err), "a rate-limit answer carries RetryAfter: %v", limited.Err)
	require.Empty(e.t, e.byKey(rec.Key), "a rate-limited request stores nothing")

	e.h.Faults.Inject(RateLimited, 1)
	r := e.retrier(5)
	res := e.upsert(ctx, r, crm.Push{Record: rec})[0]
	require.NoError(e.t, res.Err, "the Retrier gets through after the limit")
	require.NotEmpty(e.t, r.retried, "the Retrier retried")
	require.Len(e.t, r.waits, len(r.retried))
	for i, x := range r.retried {
		require.Positive(e.t, crm.RetryAfter(x.err), "retry %d: RetryAfter of %v", i, x.err)
		require.GreaterOrEqual(e.t, x.wait, crm.RetryAfter(x.err), "retry %d waits at least RetryAfter", i)
		require.Equal(e.t, x.wait, r.waits[i], "retry %d slept what it announced", i)
	}
	e.requireStored(rec, res.ObjectID)
	e.requireCount(1)
}

func testServerError(ctx context.Context, e *env) {
	rec := sample("ivanov")
	e.h.Faults.Inject(ServerError, 1)
	requireRetryable(e, e.push(ctx, rec, ""), "a 5xx")

	e.h.Faults.Inject(ServerError, 2)
	r := e.retrier(5)
	res := e.upsert(ctx, r, crm.Push{Record: rec})[0]
	require.NoError(e.t, res.Err, "the Retrier gets through once the errors stop")
	require.NotEmpty(e.t, r.waits, "the Retrier retried")
	e.requireStored(rec, res.ObjectID)
	e.requireCount(1)
}

func testUnavailable(ctx context.Context, e *env) {
	a, b := sample("ivanov"), sample("petrov")
	idA := e.mustPush(ctx, a, "")
	a2 := changed(a)

	e.h.Faults.Inject(Unavailable, 1000)
	requireRetryable(e, e.push(ctx, a2, idA), "an update during an outage")
	requireRetryable(e, e.push(ctx, b, ""), "a create during an outage")
	r := e.retrier(3)
	for i, x := range e.upsert(ctx, r, crm.Push{Record: a2, ObjectID: idA}, crm.Push{Record: b}) {
		requireRetryable(e, x, fmt.Sprintf("push %d through a Retrier during an outage", i))
	}
	require.Len(e.t, r.waits, 2, "three attempts, two waits")

	e.h.Faults.Reset()
	res := e.upsert(ctx, e.retrier(5), crm.Push{Record: a2}, crm.Push{Record: b})
	require.NoError(e.t, res[0].Err, "after the outage")
	require.NoError(e.t, res[1].Err, "after the outage")
	require.Equal(e.t, idA, res[0].ObjectID, "the update found its object")
	e.requireStored(a2, idA)
	e.requireStored(b, res[1].ObjectID)
	e.requireCount(2)
}

func testTimeout(ctx context.Context, e *env) {
	rec := sample("ivanov")
	e.h.Faults.Inject(Timeout, 1)
	requireRetryable(e, e.push(ctx, rec, ""), "a timeout")
	e.h.Faults.Reset()
	id := e.mustPush(ctx, rec, "")
	e.requireStored(rec, id)
	e.requireCount(1)
}

func testBadRequest(ctx context.Context, e *env) {
	rec := sample("ivanov")
	e.h.Faults.Inject(BadRequest, 1)
	r := e.retrier(5)
	res := e.upsert(ctx, r, crm.Push{Record: rec})[0]
	require.Error(e.t, res.Err, "a rejected request fails")
	require.False(e.t, crm.IsRetryable(res.Err), "a 4xx is permanent, got %v", res.Err)
	require.Equal(e.t, []int{1}, r.calls.calls(), "a permanent error is not retried")
	require.Empty(e.t, r.waits, "a permanent error is not waited on")

	e.h.Faults.Reset()
	id := e.mustPush(ctx, rec, "")
	e.requireStored(rec, id)
	e.requireCount(1)
}

func testAmbiguousCreate(ctx context.Context, e *env) {
	rec := sample("ivanov")
	e.h.Faults.Inject(AmbiguousCreate, 1)
	requireRetryable(e, e.push(ctx, rec, ""), "a create whose answer was lost")
	id := e.mustPush(ctx, rec, "")
	e.requireStored(rec, id)
	e.requireCount(1)

	other := sample("petrov")
	e.h.Faults.Inject(AmbiguousCreate, 1)
	r := e.retrier(5)
	res := e.upsert(ctx, r, crm.Push{Record: other})[0]
	require.NoError(e.t, res.Err, "the Retrier gets through")
	require.NotEmpty(e.t, r.waits, "the Retrier retried")
	e.requireStored(other, res.ObjectID)
	e.requireCount(2)
}
